/**
 * The request headers Chameleon sends with every webhook, and a case-insensitive
 * lookup that works on Node's `IncomingHttpHeaders`, a Fetch `Headers` object or
 * a plain record. Imports nothing from `node:`.
 */
export { ID_HEADER, SIGNATURE_HEADER, WEBHOOK_HEADERS } from './facts.js';

/** A Fetch `Headers` object (or anything with the same `get`). */
export interface HeadersGetter {
  get(name: string): string | null;
}

/** Node's `IncomingHttpHeaders` or any plain record of header values. */
export type HeaderRecord = { readonly [name: string]: string | readonly string[] | number | undefined };

/** Anything `readHeader` can read from. */
export type HeadersLike = HeadersGetter | HeaderRecord;

/**
 * Reads one header, ignoring case. Returns `undefined` when it is absent, the
 * value when it appears once, and every value (an array) when it appears more
 * than once, so callers can reject a repeated header instead of picking one.
 * A `Headers` object joins repeats with `, `: that string is returned as is.
 */
export function readHeader(
  headers: HeadersLike | null | undefined,
  name: string,
): string | string[] | undefined {
  if (headers == null || typeof headers !== 'object') return undefined;
  if (typeof headers.get === 'function') return (headers as HeadersGetter).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  const found: string[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = (headers as HeaderRecord)[key];
    if (Array.isArray(value)) found.push(...(value as readonly unknown[]).map(String));
    else if (value !== undefined) found.push(String(value));
  }
  if (found.length === 0) return undefined;
  return found.length === 1 ? found[0] : found;
}

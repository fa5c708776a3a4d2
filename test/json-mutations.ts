/** One-place edits of a JSON payload, for the differential tests' fast-check mutations. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Replace the value at place `at`, delete it, or add `key: value` inside it (or replace it when not an object). */
export type Mutation = { op: 'replace' | 'delete' | 'add'; at: number; value: Json; key: string };

/** Every place in a JSON value, as the keys from the root (the root itself first). */
export function places(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const children = Array.isArray(value)
    ? value.flatMap((item, index) => places(item, [...at, index]))
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => places(item, [...at, key]))
      : [];
  return [at, ...children];
}

/** A copy of `payload` with one mutation applied at the place numbered `at` (modulo their count). */
export function mutate(payload: Json, { op, at, value, key }: Mutation): Json {
  const copy = structuredClone(payload);
  const all = places(copy);
  const where = all[at % all.length]!;
  if (where.length === 0) return op === 'replace' ? value : copy;
  const parent = where.slice(0, -1).reduce<any>((node, segment) => node[segment], copy);
  const last = where[where.length - 1]!;
  if (op === 'replace') parent[last] = value;
  else if (op === 'delete') Array.isArray(parent) ? parent.splice(last as number, 1) : delete parent[last];
  else if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last]))
    parent[last][key] = value;
  else parent[last] = value;
  return copy;
}

/**
 * `signedRequest` for Node.js: a webhook's exact body, signed with `node:crypto`,
 * and the headers Chameleon sends. The Web build (web/signed-request.ts) has the
 * same name and returns a Promise.
 *
 * ```ts
 * const { body, headers } = signedRequest(fixtures.tourCompleted(), secret);
 * await fetch(url, { method: 'POST', body, headers });
 * ```
 */
import { requestOf } from './fixture-headers.js';
import { serializeWebhook, type SignedRequest, type SignedRequestOptions } from './fixture-tools.js';
import type { AnyChameleonWebhook } from './types.js';
import { signWebhook } from './verify.js';

/** Serialises `payload` (pretty-printed unless `compact`), signs the exact bytes with `secret`, and adds every header Chameleon sends. */
export function signedRequest(
  payload: AnyChameleonWebhook,
  secret: string,
  options: SignedRequestOptions = {},
): SignedRequest {
  const body = serializeWebhook(payload, options);
  return requestOf(payload, body, signWebhook(body, secret), options);
}

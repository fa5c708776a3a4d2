/**
 * `signedRequest` with Web Crypto, for tests on Cloudflare Workers, Deno, Bun
 * and in browsers: the same body and headers as the Node build, as a Promise.
 * Imports nothing from `node:`.
 *
 * ```ts
 * import { fixtures, signedRequest } from 'chameleon-webhooks/web';
 * const { body, headers } = await signedRequest(fixtures.tourCompleted(), env.SECRET);
 * ```
 */
import { requestOf } from '../fixture-headers.js';
import { serializeWebhook, type SignedRequest, type SignedRequestOptions } from '../fixture-tools.js';
import type { AnyChameleonWebhook } from '../types.js';
import { signWebhook } from './verify.js';

/** Serialises `payload` (pretty-printed unless `compact`), signs the exact bytes with `secret`, and adds every header Chameleon sends. */
export async function signedRequest(
  payload: AnyChameleonWebhook,
  secret: string,
  options: SignedRequestOptions = {},
): Promise<SignedRequest> {
  const body = serializeWebhook(payload, options);
  return requestOf(payload, body, await signWebhook(body, secret), options);
}

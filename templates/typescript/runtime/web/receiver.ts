/**
 * The Fetch receiver with Web Crypto: Cloudflare Workers, Deno, Bun, Vercel
 * Edge, Next.js route handlers, Hono. Imports nothing from `node:`.
 *
 * ```ts
 * import { createFetchHandler } from 'chameleon-webhooks/web';
 * let handle: ((request: Request) => Promise<Response>) | undefined;
 * export default {
 *   // Workers hand secrets over per request: build the handler once, on the first one.
 *   fetch(request: Request, env: { WEBHOOK_SECRET: string }) {
 *     handle ??= createFetchHandler({ secret: env.WEBHOOK_SECRET, on: { ping: () => {} } });
 *     return handle(request);
 *   },
 * };
 * ```
 */
import type { REJECT_STATUS, WEBHOOK_METHOD } from '../facts.js';
import { createFetchReceiver } from '../receiver/core.js';
import { receiverOptionsOf, type ReceiverInput, type Webhooks } from '../receiver/registry.js';
import type { ReceiverOptions } from '../receiver/types.js';
import { verifyWebhook } from './verify.js';

/**
 * `(request: Request) => Promise<Response>`: 405 to anything but {@link WEBHOOK_METHOD}, 413 over
 * `maxBodyBytes`, {@link REJECT_STATUS} with `{ error: reason }` when verification fails, 200 once the
 * handlers succeeded, 500 when one throws (so Chameleon retries).
 */
export function createFetchHandler(options: ReceiverOptions): (request: Request) => Promise<Response>;
export function createFetchHandler(webhooks: Webhooks): (request: Request) => Promise<Response>;
export function createFetchHandler(input: ReceiverInput): (request: Request) => Promise<Response> {
  return createFetchReceiver(receiverOptionsOf(input), verifyWebhook);
}

/** A Hono handler: `app.post('/webhooks/chameleon', createHonoHandler({ … }))`. */
export function createHonoHandler(
  options: ReceiverOptions,
): (context: { req: { raw: Request } }) => Promise<Response>;
export function createHonoHandler(
  webhooks: Webhooks,
): (context: { req: { raw: Request } }) => Promise<Response>;
export function createHonoHandler(
  input: ReceiverInput,
): (context: { req: { raw: Request } }) => Promise<Response> {
  const handle = createFetchReceiver(receiverOptionsOf(input), verifyWebhook);
  return (context) => handle(context.req.raw);
}

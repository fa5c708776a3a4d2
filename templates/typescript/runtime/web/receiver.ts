/**
 * The Fetch receiver with Web Crypto: Cloudflare Workers, Deno, Bun, Vercel
 * Edge, Next.js route handlers, Hono. Imports nothing from `node:`.
 *
 * ```ts
 * import { createFetchHandler } from 'chameleon-webhooks/web';
 * let handle: ReturnType<typeof createFetchHandler> | undefined;
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
import { createFetchReceiver, executionContextOf, type HonoContextLike } from '../receiver/core.js';
import type { ReceiverOptions } from '../receiver/types.js';
import { verifyWebhook } from './verify.js';

/**
 * `(request: Request, context?) => Promise<Response>`: pass Workers' `ctx` (or anything with
 * `waitUntil`) as `context`, so the handlers of a `handoff` run to the end after the answer. 405 to anything but {@link WEBHOOK_METHOD}, 413 over
 * `maxBodyBytes`, {@link REJECT_STATUS} with `{ error: reason }` when verification fails, 200 once the
 * handlers succeeded, 500 when one throws (so Chameleon retries).
 */
export function createFetchHandler(options: ReceiverOptions) {
  return createFetchReceiver(options, verifyWebhook);
}

/** A Hono handler: `app.post('/webhooks/chameleon', createHonoHandler({ … }))`. */
export function createHonoHandler(options: ReceiverOptions) {
  const handle = createFetchHandler(options);
  return (context: HonoContextLike): Promise<Response> =>
    handle(context.req.raw, executionContextOf(context));
}

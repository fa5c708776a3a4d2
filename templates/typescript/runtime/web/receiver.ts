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
import { loadOnce } from '../load-once.js';
import {
  executionContextOf,
  fetchHandlerOver,
  type HonoContextLike,
  type Receive,
} from '../receiver/core.js';
import { RECEIVER_PARTS } from '../receiver/parts.js';
import { receiverOptionsOf, type ReceiverInput, type Webhooks } from '../receiver/registry.js';
import type { ReceiveContext, ReceiverOptions } from '../receiver/types.js';
import { verifyWebhook } from './verify.js';

/** A Worker's `fetch`, a route handler: `context` is the runtime's `ctx` (anything with `waitUntil`). */
export type FetchWebhookHandler = (request: Request, context?: ReceiveContext) => Promise<Response>;
export type HonoWebhookHandler = (context: HonoContextLike) => Promise<Response>;

/**
 * `(request: Request, context?) => Promise<Response>`: pass Workers' `ctx` (or anything with
 * `waitUntil`) as `context`, so the handlers of a `handoff` run to the end after the answer. 405 to
 * anything but {@link WEBHOOK_METHOD}, 413 over `maxBodyBytes`, {@link REJECT_STATUS} with
 * `{ error: reason }` when verification fails, 200 once the handlers succeeded, 500 when one throws (so
 * Chameleon retries).
 */
export function createFetchHandler(options: ReceiverOptions): FetchWebhookHandler;
export function createFetchHandler(webhooks: Webhooks): FetchWebhookHandler;
export function createFetchHandler(input: ReceiverInput): FetchWebhookHandler {
  const options = receiverOptionsOf(input);
  return fetchHandlerOver(options, lazyReceiver(options));
}

/**
 * The receiver, built on the first request that reaches it: its code (receiver/process.ts) loads
 * then, so a Worker that imports the package pays nothing for it until a webhook arrives. A failed
 * load is a 500 (Chameleon retries) and is tried again on the next request; once built, each
 * request goes straight to it.
 */
function lazyReceiver(options: ReceiverOptions): Receive {
  const build = loadOnce(async () => {
    const { createReceiver } = await import('../receiver/process.js');
    return createReceiver(RECEIVER_PARTS, options, verifyWebhook);
  });
  let built: Receive | undefined;
  return async (rawBody, headers, context) => {
    if (!built) built = await build();
    return built(rawBody, headers, context);
  };
}

/** A Hono handler: `app.post('/webhooks/chameleon', createHonoHandler({ … }))`; passes Hono's `executionCtx`. */
export function createHonoHandler(options: ReceiverOptions): HonoWebhookHandler;
export function createHonoHandler(webhooks: Webhooks): HonoWebhookHandler;
export function createHonoHandler(input: ReceiverInput): HonoWebhookHandler {
  const handle = createFetchHandler(receiverOptionsOf(input));
  return (context) => handle(context.req.raw, executionContextOf(context));
}

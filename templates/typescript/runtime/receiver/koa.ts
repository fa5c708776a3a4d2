/**
 * A Koa middleware (structural: the package does not depend on Koa). It answers through `ctx.status`
 * and `ctx.body`, so Koa's own middleware (logging, compression) sees the answer.
 *
 * ```ts
 * import Koa from 'koa';
 * import { createKoaMiddleware } from 'chameleon-webhooks';
 * const app = new Koa();
 * app.use(createKoaMiddleware(webhooks, { path: '/webhooks/chameleon' }));
 * ```
 */
import type { IncomingMessage } from 'node:http';
import { createNodeReplier, type KeptBody } from './node-request.js';
import { createJsonlSink } from './node.js';
import { receiverOptionsOf, type ReceiverInput, type Webhooks } from './registry.js';
import type { ReceiverOptions } from './types.js';

/** The parts of a Koa context the middleware uses. */
export interface KoaContextLike {
  req: IncomingMessage;
  /** Koa's request: koa-bodyparser keeps `body` (parsed) and `rawBody` (the text) on it. */
  request: KeptBody;
  path: string;
  status: number;
  body: unknown;
  set(field: Record<string, string>): void;
}

export type KoaWebhookMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

export interface KoaMiddlewareOptions {
  /** Only requests to this path are webhooks; the others go on to `next` (default: every request). */
  path?: string;
}

/**
 * `app.use(createKoaMiddleware(options, { path }))`, or a router's `router.post(path, …)`: 405 to
 * anything but POST, 413 over `maxBodyBytes` and 408 when the body is too slow (both close the
 * connection), 400 when verification fails, 200 once the handlers succeeded, 500 when one throws.
 * Mount it before any body parser, or keep the raw text (koa-bodyparser's `rawBody`).
 */
export function createKoaMiddleware(
  options: ReceiverOptions,
  middleware?: KoaMiddlewareOptions,
): KoaWebhookMiddleware;
export function createKoaMiddleware(
  webhooks: Webhooks,
  middleware?: KoaMiddlewareOptions,
): KoaWebhookMiddleware;
export function createKoaMiddleware(
  input: ReceiverInput,
  { path }: KoaMiddlewareOptions = {},
): KoaWebhookMiddleware {
  const replyTo = createNodeReplier(receiverOptionsOf(input), () => createJsonlSink());
  return async function chameleonWebhooks(ctx, next) {
    if (path !== undefined && ctx.path !== path) {
      await next();
      return;
    }
    const reply = await replyTo(ctx.req, ctx.request);
    ctx.status = reply.status;
    ctx.set({ ...reply.headers });
    ctx.body = reply.body;
  };
}

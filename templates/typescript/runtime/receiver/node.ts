/**
 * Receivers for Node.js: `node:http` (and so Express), Fastify, and the Fetch
 * `(request) => Response` shape (Hono on Node, Next.js route handlers).
 *
 * ```ts
 * import { createServer } from 'node:http';
 * import { createNodeHandler } from 'chameleon-webhooks';
 * createServer(createNodeHandler({
 *   secret: process.env.WEBHOOK_SECRET!,
 *   on: { 'tour.completed': async (webhook) => console.log(webhook.data.tour.name) },
 * })).listen(3000);
 * ```
 */
import { open } from 'node:fs/promises';
import { IncomingMessage, type ServerResponse } from 'node:http';
import { WEBHOOK_METHOD, type REJECT_STATUS } from '../facts.js';
import { verifyWebhook } from '../verify.js';
import {
  bodyTimeoutOf,
  executionContextOf,
  fetchHandlerOver,
  type HonoContextLike,
  maxBodyBytesOf,
  TIMED_OUT,
  toResponse,
  WRONG_METHOD,
} from './core.js';
import { createNodeReplier, isRaw, sendNodeReply } from './node-request.js';
import { RECEIVER_PARTS } from './parts.js';
import { createReceiver } from './process.js';
import { receiverOptionsOf, type ReceiverInput, type Webhooks } from './registry.js';
import type { NonconformingSink, ReceiveContext, ReceiverOptions } from './types.js';

/** The file the Node receivers keep non-conforming webhooks in by default, relative to the working directory. */
export const DEFAULT_NONCONFORMING_FILE = 'chameleon-nonconforming.jsonl';

async function appendDurably(file: string, line: string): Promise<void> {
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(line);
    await handle.datasync(); // on disk before the delivery is acknowledged
  } finally {
    await handle.close();
  }
}

/**
 * A {@link NonconformingSink} that appends one JSON line per webhook to `file` and syncs it to disk
 * before `keep` resolves. Writes are queued, so lines never interleave.
 */
export function createJsonlSink(file: string = DEFAULT_NONCONFORMING_FILE): NonconformingSink {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    keep(record) {
      const line = `${JSON.stringify(record)}\n`;
      const written = queue.then(() => appendDurably(file, line));
      queue = written.catch(() => undefined);
      return written;
    },
  };
}

const defaultSink = () => createJsonlSink();

/** What `createNodeHandler` returns: a `(req, res)` listener for `node:http`, Express, Connect. */
export type NodeWebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
/**
 * What `createFetchHandler` returns: a route handler, a Worker's `fetch`. Pass the runtime's `ctx` (or
 * anything with `waitUntil`) as `context`, so the handlers of a `handoff` run to the end after the answer.
 */
export type FetchWebhookHandler = (request: Request, context?: ReceiveContext) => Promise<Response>;
export type HonoWebhookHandler = (context: HonoContextLike) => Promise<Response>;
export type FastifyWebhookPlugin = (fastify: FastifyLike) => Promise<void>;

/**
 * A `(req, res)` handler for `node:http`, Express (mount it before any JSON body
 * parser, or after `express.raw()`), Connect and anything that passes Node's
 * request and response. Answers 405 to anything but {@link WEBHOOK_METHOD}, 413 over `maxBodyBytes`,
 * {@link REJECT_STATUS} with `{ error: reason }` when verification fails, 200 once the handlers
 * succeeded, 500 when one throws.
 */
export function createNodeHandler(options: ReceiverOptions): NodeWebhookHandler;
export function createNodeHandler(webhooks: Webhooks): NodeWebhookHandler;
export function createNodeHandler(input: ReceiverInput): NodeWebhookHandler {
  const replyTo = createNodeReplier(receiverOptionsOf(input), defaultSink);
  return async function handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    sendNodeReply(res, await replyTo(req));
  };
}

/**
 * A Fetch handler, `(request: Request) => Promise<Response>`, with `node:crypto`:
 * Next.js route handlers (`export const POST = createFetchHandler({ … })`), Hono on Node.
 */
export function createFetchHandler(options: ReceiverOptions): FetchWebhookHandler;
export function createFetchHandler(webhooks: Webhooks): FetchWebhookHandler;
export function createFetchHandler(input: ReceiverInput): FetchWebhookHandler {
  const options = receiverOptionsOf(input);
  return fetchHandlerOver(options, createReceiver(RECEIVER_PARTS, options, verifyWebhook, defaultSink));
}

/**
 * A Hono handler: `app.post('/webhooks/chameleon', createHonoHandler({ … }))`. On @hono/node-server it
 * reads the Node request itself, so Hono's light request is never turned into a Web stream.
 */
export function createHonoHandler(options: ReceiverOptions): HonoWebhookHandler;
export function createHonoHandler(webhooks: Webhooks): HonoWebhookHandler;
export function createHonoHandler(input: ReceiverInput): HonoWebhookHandler {
  const options = receiverOptionsOf(input);
  // One receiver for both paths, so de-duplication sees every delivery.
  const receive = createReceiver(RECEIVER_PARTS, options, verifyWebhook, defaultSink);
  const handle = fetchHandlerOver(options, receive);
  const replyTo = createNodeReplier(options, defaultSink, receive);
  return async (context) => {
    const incoming = (context.env as { incoming?: unknown } | undefined)?.incoming;
    if (incoming instanceof IncomingMessage) return toResponse(await replyTo(incoming));
    return handle(context.req.raw, executionContextOf(context));
  };
}

/** The parts of a Fastify instance the plugin uses (structural: the package does not depend on Fastify). */
export interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: () => void) => void,
  ): unknown;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void,
  ): void;
  route(route: {
    method: string | string[];
    url: string;
    handler: (
      request: { body?: unknown; headers: IncomingMessage['headers']; raw: IncomingMessage },
      reply: FastifyReplyLike,
    ) => Promise<unknown>;
  }): unknown;
}

export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): unknown;
}

/** Where the Fastify plugin keeps a request's body timer (a property, not a closure: one per request). */
const BODY_TIMER = Symbol('chameleon-webhooks body timer');
type TimedRequest = IncomingMessage & { [BODY_TIMER]?: ReturnType<typeof setTimeout> };
const JSON_CONTENT = { 'content-type': 'application/json' } as const;

function answerIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete) sendNodeReply(res, TIMED_OUT);
}

/**
 * A Fastify plugin that receives webhooks at `path` (default `/`, under the
 * register prefix). Register it on its own prefix: inside it, every content type
 * is kept as a raw Buffer for the signature, and Fastify answers 413 over `maxBodyBytes`.
 *
 * ```ts
 * app.register(createFastifyPlugin({ secret, on }), { prefix: '/webhooks/chameleon' });
 * ```
 */
export function createFastifyPlugin(options: ReceiverOptions & { path?: string }): FastifyWebhookPlugin;
export function createFastifyPlugin(webhooks: Webhooks, plugin?: { path?: string }): FastifyWebhookPlugin;
export function createFastifyPlugin(
  input: ReceiverInput & { path?: string },
  plugin: { path?: string } = {},
): FastifyWebhookPlugin {
  const options = receiverOptionsOf(input);
  const path = plugin.path ?? ('receiverOptions' in input ? undefined : input.path);
  const receive = createReceiver(RECEIVER_PARTS, options, verifyWebhook, defaultSink);
  const bodyLimit = maxBodyBytesOf(options);
  const timeoutMs = bodyTimeoutOf(options);
  return async function chameleonWebhooks(fastify: FastifyLike): Promise<void> {
    // Fastify reads the body itself, with no time limit: a request still unread at the deadline gets
    // 408. The timer is cleared once a route handler runs; one that fires after an answer does nothing.
    fastify.addHook('onRequest', (request, reply, done) => {
      (request.raw as TimedRequest)[BODY_TIMER] = setTimeout(
        answerIfUnread,
        timeoutMs,
        request.raw,
        reply.raw,
      );
      done();
    });
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    const url = path ?? '/';
    fastify.route({
      method: WEBHOOK_METHOD,
      url,
      handler: async (request, reply) => {
        clearTimeout((request.raw as TimedRequest)[BODY_TIMER]);
        const body = isRaw(request.body) ? request.body : '';
        const result = await receive(body, request.headers);
        return reply.code(result.status).headers(JSON_CONTENT).send(JSON.stringify(result.body));
      },
    });
    fastify.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url,
      handler: async (request, reply) => {
        clearTimeout((request.raw as TimedRequest)[BODY_TIMER]);
        return reply
          .code(WRONG_METHOD.status)
          .headers({ ...WRONG_METHOD.headers })
          .send(WRONG_METHOD.body);
      },
    });
  };
}

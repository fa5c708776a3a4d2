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
import { failure } from '../verify-steps.js';
import {
  ABORTED,
  bodyTimeoutOf,
  createFetchReceiver,
  createReceiver,
  executionContextOf,
  fetchHandlerOver,
  type HonoContextLike,
  maxBodyBytesOf,
  rejection,
  TIMED_OUT,
  TOO_LARGE,
  toResponse,
  WRONG_METHOD,
  type Receive,
  type ReceiverReply,
} from './core.js';
import type { NonconformingSink, ReceiverOptions } from './types.js';

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

/** A request that a framework may have read already (Express `req.body`, Google Cloud's `req.rawBody`). */
type MaybeParsedRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; _body?: unknown };

function send(res: ServerResponse, reply: ReceiverReply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

function isRaw(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/**
 * Reads the request stream: the body, or the reply as soon as it passes `max` bytes (413) or takes longer
 * than `timeoutMs` (408). Then it stops reading: the reply closes the connection, so the rest is never read.
 */
function readStream(req: IncomingMessage, max: number, timeoutMs: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (reply: ReceiverReply) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.pause();
      resolve({ reply });
    };
    const timer = setTimeout(() => stop(TIMED_OUT), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) stop(TOO_LARGE);
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      clearTimeout(timer);
      resolve(size > max ? { reply: TOO_LARGE } : { body: Buffer.concat(chunks, size) });
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

type BodyRead = { body: string | Uint8Array } | { reply: ReceiverReply };

/** The raw body: one a framework kept (express.raw(), rawBody), else the stream; a parsed body is a clear error. */
async function rawBodyOf(
  req: MaybeParsedRequest,
  options: ReceiverOptions,
  max: number,
  timeoutMs: number,
): Promise<BodyRead> {
  for (const kept of [req.rawBody, req.body]) {
    if (isRaw(kept)) return kept.length > max ? { reply: TOO_LARGE } : { body: kept };
  }
  if ((req.body !== undefined && req.body !== null) || req._body === true || req.readableEnded) {
    const notRaw = failure(
      'body-not-raw',
      'The request body was already read and parsed (express.json() or another body parser ran before the webhook handler). ' +
        'Mount the webhook route before the parser, or use express.raw({ type: "application/json" }) on it.',
    );
    return { reply: rejection(options, notRaw) };
  }
  // Over the declared length: answered at once, and the connection closes without reading the body.
  if (Number(req.headers['content-length']) > max) return { reply: TOO_LARGE };
  return readStream(req, max, timeoutMs);
}

/** The reply to one Node request: read within the limits, then received (or the reason it was not). */
function nodeReceiver(options: ReceiverOptions, receive: Receive) {
  const max = maxBodyBytesOf(options);
  const timeoutMs = bodyTimeoutOf(options);
  return async function replyTo(req: IncomingMessage): Promise<ReceiverReply> {
    try {
      if (req.method !== WEBHOOK_METHOD) return WRONG_METHOD;
      const read = await rawBodyOf(req, options, max, timeoutMs);
      return 'reply' in read ? read.reply : await receive(read.body, req.headers);
    } catch {
      return ABORTED;
    }
  };
}

/**
 * A `(req, res)` handler for `node:http`, Express (mount it before any JSON body
 * parser, or after `express.raw()`), Connect and anything that passes Node's
 * request and response. Answers 405 to anything but {@link WEBHOOK_METHOD}, 413 over `maxBodyBytes`,
 * {@link REJECT_STATUS} with `{ error: reason }` when verification fails, 200 once the handlers
 * succeeded, 500 when one throws.
 */
export function createNodeHandler(options: ReceiverOptions) {
  const replyTo = nodeReceiver(options, createReceiver(options, verifyWebhook, defaultSink));
  return async function handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    send(res, await replyTo(req));
  };
}

/**
 * A Fetch handler, `(request: Request, context?) => Promise<Response>`, with `node:crypto`:
 * Next.js route handlers (`export const POST = createFetchHandler({ … })`), Hono on Node.
 */
export function createFetchHandler(options: ReceiverOptions) {
  return createFetchReceiver(options, verifyWebhook, defaultSink);
}

/**
 * A Hono handler: `app.post('/webhooks/chameleon', createHonoHandler({ … }))`. On @hono/node-server it
 * reads the Node request itself, so Hono's light request is never turned into a Web stream.
 */
export function createHonoHandler(options: ReceiverOptions) {
  // One receiver for both paths, so de-duplication sees every delivery.
  const receive = createReceiver(options, verifyWebhook, defaultSink);
  const handle = fetchHandlerOver(options, receive);
  const replyTo = nodeReceiver(options, receive);
  return async (context: HonoContextLike): Promise<Response> => {
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
      request: { body?: unknown; headers: IncomingMessage['headers'] },
      reply: FastifyReplyLike,
    ) => Promise<unknown>;
  }): unknown;
}

export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(payload?: unknown): unknown;
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
export function createFastifyPlugin(options: ReceiverOptions & { path?: string }) {
  const receive = createReceiver(options, verifyWebhook, defaultSink);
  const bodyLimit = maxBodyBytesOf(options);
  const timeoutMs = bodyTimeoutOf(options);
  return async function chameleonWebhooks(fastify: FastifyLike): Promise<void> {
    // Fastify reads the body itself, with no time limit: a request still unread at the deadline gets 408.
    fastify.addHook('onRequest', (request, reply, done) => {
      const timer = setTimeout(() => {
        if (!request.raw.complete) send(reply.raw, TIMED_OUT);
      }, timeoutMs);
      reply.raw.once('close', () => clearTimeout(timer));
      done();
    });
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    const url = options.path ?? '/';
    fastify.route({
      method: WEBHOOK_METHOD,
      url,
      handler: async (request, reply) => {
        const body = isRaw(request.body) ? request.body : '';
        const result = await receive(body, request.headers);
        return reply
          .code(result.status)
          .headers({ 'content-type': 'application/json' })
          .send(JSON.stringify(result.body));
      },
    });
    fastify.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url,
      handler: async (_request, reply) =>
        reply
          .code(WRONG_METHOD.status)
          .headers({ ...WRONG_METHOD.headers })
          .send(WRONG_METHOD.body),
    });
  };
}

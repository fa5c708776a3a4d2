/**
 * The reply to a Node.js request (internal: node.ts and koa.ts send it their own way). Takes the raw
 * body a framework kept, or reads the stream with the size and time limits, then receives it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WEBHOOK_METHOD } from '../facts.js';
import { verifyWebhook } from '../verify.js';
import { failure } from '../verify-steps.js';
import {
  ABORTED,
  bodyTimeoutOf,
  maxBodyBytesOf,
  rejection,
  TIMED_OUT,
  TOO_LARGE,
  WRONG_METHOD,
  type Receive,
  type ReceiverReply,
} from './core.js';
import { RECEIVER_PARTS } from './parts.js';
import { createReceiver } from './process.js';
import type { NonconformingSink, ReceiverOptions } from './types.js';

/**
 * Where a framework may have put the body it read already: Express's `req.body`, Google Cloud's
 * `req.rawBody`, koa-bodyparser's `ctx.request.body` and `ctx.request.rawBody`.
 */
export interface KeptBody {
  body?: unknown;
  rawBody?: unknown;
  _body?: unknown;
}

type BodyRead = { body: string | Uint8Array } | { reply: ReceiverReply };

export function sendNodeReply(res: ServerResponse, reply: ReceiverReply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}

export function isRaw(value: unknown): value is string | Uint8Array {
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

/** The raw body: one a framework kept (express.raw(), rawBody), else the stream; a parsed body is a clear error. */
async function rawBodyOf(
  req: IncomingMessage,
  kept: KeptBody,
  options: ReceiverOptions,
  max: number,
  timeoutMs: number,
): Promise<BodyRead> {
  for (const candidate of [kept.rawBody, kept.body]) {
    if (isRaw(candidate)) return candidate.length > max ? { reply: TOO_LARGE } : { body: candidate };
  }
  if ((kept.body !== undefined && kept.body !== null) || kept._body === true || req.readableEnded) {
    const notRaw = failure(
      'body-not-raw',
      'The request body was already read and parsed (express.json(), koa-bodyparser or another body parser ran before the webhook handler). ' +
        'Mount the webhook route before the parser, or use express.raw({ type: "application/json" }) on it.',
    );
    return { reply: rejection(options, notRaw) };
  }
  // Over the declared length: answered at once, and the connection closes without reading the body.
  if (Number(req.headers['content-length']) > max) return { reply: TOO_LARGE };
  return readStream(req, max, timeoutMs);
}

/**
 * `(req, kept?) => Promise<ReceiverReply>`: 405 to anything but {@link WEBHOOK_METHOD}, 413 over
 * `maxBodyBytes`, 408 when the body is too slow, 400 when the stream fails, else the receiver's answer.
 */
export function createNodeReplier(
  options: ReceiverOptions,
  defaultSink: () => NonconformingSink,
  receive: Receive = createReceiver(RECEIVER_PARTS, options, verifyWebhook, defaultSink),
) {
  const max = maxBodyBytesOf(options);
  const timeoutMs = bodyTimeoutOf(options);
  return async function replyTo(
    req: IncomingMessage,
    kept: KeptBody = req as KeptBody,
  ): Promise<ReceiverReply> {
    try {
      if (req.method !== WEBHOOK_METHOD) return WRONG_METHOD;
      const read = await rawBodyOf(req, kept, options, max, timeoutMs);
      return 'reply' in read ? read.reply : await receive(read.body, req.headers);
    } catch {
      return ABORTED;
    }
  };
}

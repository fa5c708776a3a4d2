/**
 * What every receiver shares around its processing (process.ts): the replies that need no
 * verification (405, 408, 413, 400 aborted), the answer to a failed verification, the limits
 * and deadlines read from the options, reading a Fetch body within them, and the Fetch handler
 * over a receiver. Internal: the public receivers wrap it.
 */
import { REJECT_STATUS, WEBHOOK_METHOD } from '../facts.js';
import type { HeadersLike } from '../headers.js';
import type {
  RawBody,
  SecretInput,
  SignatureInput,
  VerificationFailure,
  VerifyOptions,
  WebhookVerificationResult,
} from '../verification.js';
import {
  DEFAULT_ACK_DEADLINE_MS,
  DEFAULT_MAX_BODY_BYTES,
  type ReceiveContext,
  type ReceiverOptions,
} from './types.js';

/** The Node or Web Crypto `verifyWebhook`. */
export type Verifier = (
  rawBody: RawBody,
  signatureOrHeaders: SignatureInput,
  secretOrSecrets: SecretInput,
  options?: VerifyOptions,
) => WebhookVerificationResult | Promise<WebhookVerificationResult>;

export interface ReceiverReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Answered before the body is read in full: the connection is closed, so the rest is never read. */
export const TOO_LARGE: ReceiverReply = {
  status: 413,
  body: { error: 'body-too-large' },
  headers: { connection: 'close' },
};
export const TIMED_OUT: ReceiverReply = {
  status: 408,
  body: { error: 'body-timeout' },
  headers: { connection: 'close' },
};
export const ABORTED: ReceiverReply = { status: 400, body: { error: 'request-aborted' } };
export const WRONG_METHOD: ReceiverReply = {
  status: 405,
  body: { error: 'method-not-allowed' },
  headers: { allow: WEBHOOK_METHOD },
};

/** A misconfigured server is a 500 (Chameleon retries once it is fixed); a bad request is a {@link REJECT_STATUS}. */
const SERVER_FAULTS = /* @__PURE__ */ new Set(['missing-secret', 'body-not-raw']);
/** Failures before the signature matched: the caller may be anyone, so the answer says nothing more. */
const UNAUTHENTICATED = /* @__PURE__ */ new Set([
  'missing-signature',
  'repeated-signature',
  'malformed-signature',
  'signature-mismatch',
]);

/** Runs an observer callback; one that throws must not change the answer (nor reject the handler). */
export function observe(callback: () => unknown): void {
  try {
    callback();
  } catch {
    // The observer's own failure: the response is the same either way.
  }
}

/**
 * The answer to a failed verification. Only an authenticated failure (signed by Chameleon: stale,
 * malformed, not the spec) says why; the detail of the others goes to `onRejected` only, and a server
 * fault with no `onRejected` to `console.error`, since someone has to fix it.
 */
export function rejection(options: ReceiverOptions, failure: VerificationFailure): ReceiverReply {
  observe(() => options.onRejected?.(failure));
  if (SERVER_FAULTS.has(failure.reason)) {
    if (!options.onRejected)
      observe(() => console.error(`chameleon-webhooks: ${failure.reason}: ${failure.message}`));
    return { status: 500, body: { error: 'receiver-misconfigured' } };
  }
  if (UNAUTHENTICATED.has(failure.reason))
    return { status: REJECT_STATUS, body: { error: 'unauthenticated' } };
  return { status: REJECT_STATUS, body: { error: failure.reason, message: failure.message } };
}

/** Default time allowed to read a body, in milliseconds; a slower one is answered 408. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

export function bodyTimeoutOf(options: ReceiverOptions): number {
  const ms = options.bodyTimeoutMs;
  return typeof ms === 'number' && ms > 0 ? ms : DEFAULT_BODY_TIMEOUT_MS;
}

export function maxBodyBytesOf(options: ReceiverOptions): number {
  const max = options.maxBodyBytes;
  return typeof max === 'number' && max >= 0 ? max : DEFAULT_MAX_BODY_BYTES;
}

export function ackDeadlineOf(options: ReceiverOptions): number {
  const ms = options.ackDeadlineMs;
  return typeof ms === 'number' && ms > 0 ? ms : DEFAULT_ACK_DEADLINE_MS;
}

/**
 * Reads a Fetch body up to `max` bytes within `timeoutMs`: the bytes, or the reply (413 as soon as it is
 * larger, 408 when it is too slow); the rest is cancelled, never buffered.
 */
export async function readLimited(
  request: Request,
  max: number,
  timeoutMs: number,
): Promise<Uint8Array | ReceiverReply> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > max) {
    request.body?.cancel().catch(() => undefined);
    return TOO_LARGE;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === 'timeout' || (!next.done && size + next.value.byteLength > max)) {
        reader.cancel().catch(() => undefined);
        return next === 'timeout' ? TIMED_OUT : TOO_LARGE;
      }
      if (next.done) break;
      size += next.value.byteLength;
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

export function toResponse(reply: ReceiverReply): Response {
  return new Response(JSON.stringify(reply.body), {
    status: reply.status,
    headers: { 'content-type': 'application/json', ...reply.headers },
  });
}

/** The part of a Hono context the adapters read (structural: the package does not depend on Hono). */
export interface HonoContextLike {
  req: { raw: Request };
  /** On @hono/node-server, `{ incoming, outgoing }`: the Node request and response. */
  env?: unknown;
  /** Workers' execution context; Hono's getter throws where there is none. */
  readonly executionCtx?: ReceiveContext;
}

/** Hono's execution context, where the runtime has one (its getter throws elsewhere). */
export function executionContextOf(context: HonoContextLike): ReceiveContext | undefined {
  try {
    return context.executionCtx;
  } catch {
    return undefined;
  }
}

/** A receiver (process.ts's `createReceiver`): the raw body and headers in, the reply out; it never rejects. */
export type Receive = (
  rawBody: RawBody,
  headers: HeadersLike,
  context?: ReceiveContext,
) => Promise<ReceiverReply>;

/** `(request, context?) => Promise<Response>` over a receiver: the Fetch receiver of both builds. */
export function fetchHandlerOver(options: ReceiverOptions, receive: Receive) {
  const max = maxBodyBytesOf(options);
  const timeoutMs = bodyTimeoutOf(options);
  // Always a Response: a body stream that errors is a 400, whatever else throws is a 500.
  return async function handleWebhook(request: Request, context?: ReceiveContext): Promise<Response> {
    let body: Uint8Array | ReceiverReply;
    try {
      if (request.method !== WEBHOOK_METHOD) return toResponse(WRONG_METHOD);
      body = await readLimited(request, max, timeoutMs);
    } catch {
      return toResponse(ABORTED);
    }
    if (!(body instanceof Uint8Array)) return toResponse(body);
    try {
      return toResponse(await receive(body, request.headers, context));
    } catch {
      return toResponse({ status: 500, body: { error: 'receiver-failed' } });
    }
  };
}

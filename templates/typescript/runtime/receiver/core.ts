/**
 * What every receiver does once it has the raw body (internal: the public
 * receivers wrap it). Verify → run the handlers once per id → a status:
 * {@link REJECT_STATUS} with a JSON reason when verification fails, 2xx once the handlers
 * succeeded, 500 when one throws (so Chameleon retries and nothing is lost). With a
 * `handoff`, 200 once the webhook is kept, and the handlers run after the answer. Either
 * way the answer comes within the acknowledgement deadline, under Chameleon's 7 s.
 */
import { createCapture } from '../capture.js';
import { REJECT_STATUS, WEBHOOK_METHOD } from '../facts.js';
import type { HeadersLike } from '../headers.js';
import { DEFAULT_PROCESSING_LEASE_MS, MemoryIdempotencyStore } from '../idempotency.js';
import {
  createOnceRunner,
  IdempotencyStoreUnavailableError,
  isThenable,
  LATE,
  type Maybe,
  type OnceOutcome,
  type Settled,
  settleWithin,
  step,
} from '../once-per-id.js';
import type { AnyChameleonWebhook } from '../types.js';
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
  type DeliveryRecord,
  type DeliverySink,
  type NonconformingSink,
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
function observe(callback: () => unknown): void {
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

type Verified = Extract<WebhookVerificationResult, { ok: true }>;

/** Thrown (and so answered 500, for a retry) when no code took responsibility for a non-conforming webhook. */
export class NonconformingNotKeptError extends Error {
  override readonly name = 'NonconformingNotKeptError';
  constructor() {
    super('A non-conforming webhook arrived with no nonconformingSink or onNonconforming to take it.');
  }
}

const UTF8 = /* @__PURE__ */ new TextDecoder();

function recordOf(result: Verified, rawBody: RawBody): DeliveryRecord {
  return {
    received_at: new Date().toISOString(),
    id: result.id,
    kind: result.webhook.kind,
    conforming: result.conforming,
    issues: result.conforming ? [] : result.issues,
    body: typeof rawBody === 'string' ? rawBody : UTF8.decode(rawBody),
  };
}

/** The sink first (durable), then the handler: 2xx only once one of them took the webhook. */
async function takeNonconforming(
  options: ReceiverOptions,
  result: Extract<Verified, { conforming: false }>,
  rawBody: RawBody,
  sink: NonconformingSink | undefined,
): Promise<void> {
  if (!sink && !options.onNonconforming) throw new NonconformingNotKeptError();
  if (sink) {
    const { conforming: _, ...record } = recordOf(result, rawBody);
    await sink.keep(record);
  }
  await options.onNonconforming?.(result.webhook, result.issues);
}

/** The topic's handler, then `onAny`: synchronous when they are (no promise for a handler that returns none). */
function runHandlers(options: ReceiverOptions, result: Extract<Verified, { conforming: true }>): Maybe<void> {
  const webhook = result.webhook as AnyChameleonWebhook;
  const handler = (result.known ? options.on?.[result.webhook.kind] : options.onUnknownTopic) as
    ((webhook: AnyChameleonWebhook) => unknown) | undefined;
  return step(
    () => handler?.(webhook) as Maybe<unknown>,
    () => options.onAny?.(webhook) as Maybe<void>,
  );
}

/** Whether anything runs in process after a handoff (a queue's receiver usually has no handlers). */
function hasHandlers(options: ReceiverOptions, result: Verified): boolean {
  if (!result.conforming) return options.onNonconforming !== undefined;
  return Boolean(
    options.onAny || (result.known ? options.on?.[result.webhook.kind] : options.onUnknownTopic),
  );
}

export function ackDeadlineOf(options: ReceiverOptions): number {
  const ms = options.ackDeadlineMs;
  return typeof ms === 'number' && ms > 0 ? ms : DEFAULT_ACK_DEADLINE_MS;
}

const stillProcessing = (id: string): ReceiverReply => ({
  status: 503,
  body: { error: 'still-processing', id },
  headers: { 'retry-after': '60' },
});

/** The receiver for one set of options: call it with each request's raw body and headers. */
export function createReceiver(
  options: ReceiverOptions,
  verify: Verifier,
  defaultSink?: () => NonconformingSink,
) {
  const handlerTimeout = options.handlerTimeoutMs;
  const oncePerId = createOnceRunner(
    options.idempotency ?? new MemoryIdempotencyStore(),
    typeof handlerTimeout === 'number' && handlerTimeout > 0 ? handlerTimeout : DEFAULT_PROCESSING_LEASE_MS,
  );
  const deadlineMs = ackDeadlineOf(options);
  let sink = options.nonconformingSink;
  const sinkOf = () => (sink ??= options.onNonconforming || options.handoff ? undefined : defaultSink?.());
  const verifyOptions: VerifyOptions = {
    ...(options.nonconforming !== undefined && { nonconforming: options.nonconforming }),
    ...(options.toleranceSeconds !== undefined && { toleranceSeconds: options.toleranceSeconds }),
    ...(options.now !== undefined && { now: options.now }),
    ...(options.validation !== undefined && { validation: options.validation }),
  };

  const capture = createCapture(options.capture);

  /**
   * Runs the handlers once per id; an error reaches `onError` whenever it comes, even after the answer.
   * A plain outcome when nothing returned a promise (see once-per-id.ts), and never a sync throw.
   */
  function processOnce(result: Verified, rawBody: RawBody): Maybe<OnceOutcome> | Promise<never> {
    const failed = (error: unknown): Promise<never> => {
      observe(() => options.onError?.(error, result.webhook));
      return Promise.reject(error);
    };
    return step(
      () =>
        oncePerId(result.id, () =>
          result.conforming
            ? runHandlers(options, result)
            : takeNonconforming(options, result, rawBody, sinkOf()),
        ),
      (outcome) => outcome,
      failed,
    );
  }

  function replyAfter(result: Verified, settled: Exclude<Settled<OnceOutcome>, typeof LATE>): ReceiverReply {
    // A store that cannot claim ran nothing: 503, and Chameleon's retry finds it back (it logged why).
    if ('error' in settled && settled.error instanceof IdempotencyStoreUnavailableError)
      return { status: 503, body: { error: 'store-unavailable', id: result.id } };
    if ('error' in settled) return { status: 500, body: { error: 'handler-failed', id: result.id } };
    if (settled.value === 'in-progress')
      return { status: 409, body: { error: 'in-progress', id: result.id } };
    const body: Record<string, unknown> = { ok: true, id: result.id };
    if (!result.conforming) body.conforming = false;
    if (settled.value === 'duplicate') body.duplicate = true;
    return { status: 200, body };
  }

  /** The handlers' answer: at once when they finished synchronously, else within the deadline. */
  function answerAfterHandlers(result: Verified, rawBody: RawBody): Maybe<ReceiverReply> {
    const outcome = processOnce(result, rawBody);
    if (!isThenable(outcome)) return replyAfter(result, { value: outcome });
    return settleWithin(outcome, deadlineMs).then((settled) =>
      settled === LATE ? stillProcessing(result.id) : replyAfter(result, settled),
    );
  }

  /** Fast acknowledgement: kept durably, answered, then processed (if there is anything to run). */
  async function answerAfterHandoff(
    handoff: DeliverySink,
    result: Verified,
    rawBody: RawBody,
    context: ReceiveContext | undefined,
  ): Promise<ReceiverReply> {
    const kept = await settleWithin(
      Promise.resolve().then(() => handoff.keep(recordOf(result, rawBody))),
      deadlineMs,
    );
    if (kept === LATE) return stillProcessing(result.id);
    if ('error' in kept) {
      observe(() => options.onError?.(kept.error, result.webhook));
      return { status: 500, body: { error: 'handoff-failed', id: result.id } };
    }
    if (hasHandlers(options, result)) {
      const processing = Promise.resolve(processOnce(result, rawBody)).catch(() => undefined);
      observe(() => context?.waitUntil?.(processing));
    }
    const body: Record<string, unknown> = { ok: true, id: result.id, queued: true };
    if (!result.conforming) body.conforming = false;
    return { status: 200, body };
  }

  return async function receive(
    rawBody: RawBody,
    headers: HeadersLike,
    context?: ReceiveContext,
  ): Promise<ReceiverReply> {
    const result = await verify(rawBody, headers, options.secret, verifyOptions);
    if (!result.ok) return rejection(options, result);
    capture?.(result, rawBody); // never throws, never waits: see capture.ts
    return options.handoff
      ? answerAfterHandoff(options.handoff, result, rawBody, context)
      : answerAfterHandlers(result, rawBody);
  };
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

/** What {@link createReceiver} returns: the raw body and headers in, the reply out. */
export type Receive = ReturnType<typeof createReceiver>;

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

/** `(request, context?) => Promise<Response>` over a verifier. */
export function createFetchReceiver(
  options: ReceiverOptions,
  verify: Verifier,
  defaultSink?: () => NonconformingSink,
) {
  return fetchHandlerOver(options, createReceiver(options, verify, defaultSink));
}

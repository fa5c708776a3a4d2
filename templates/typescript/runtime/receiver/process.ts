/**
 * What every receiver does once it has the raw body (internal: the public receivers wrap it).
 * Verify → run the handlers once per id → a status: `REJECT_STATUS` with a JSON reason when
 * verification fails, 2xx once the handlers succeeded, 500 when one throws (so Chameleon retries and
 * nothing is lost). With a `handoff`, 200 once the webhook is kept, and the handlers run after the
 * answer. Either way the answer comes within the acknowledgement deadline, under Chameleon's 7 s.
 *
 * The web receiver loads this module on its first request, so it imports types only: what it uses
 * of the rest of the package comes in `parts` (parts.ts says why).
 */
import type { HeadersLike } from '../headers.js';
import type { Maybe, OnceOutcome, Settled } from '../once-per-id.js';
import type { AnyChameleonWebhook } from '../types.js';
import type { RawBody, VerifyOptions, WebhookVerificationResult } from '../verification.js';
import type { Receive, ReceiverReply, Verifier } from './core.js';
import type { ReceiverParts } from './parts.js';
import type {
  DeliveryRecord,
  DeliverySink,
  NonconformingSink,
  ReceiveContext,
  ReceiverOptions,
} from './types.js';

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

/** Whether anything runs in process after a handoff (a queue's receiver usually has no handlers). */
function hasHandlers(options: ReceiverOptions, result: Verified): boolean {
  if (!result.conforming) return options.onNonconforming !== undefined;
  return Boolean(
    options.onAny || (result.known ? options.on?.[result.webhook.kind] : options.onUnknownTopic),
  );
}

const stillProcessing = (id: string): ReceiverReply => ({
  status: 503,
  body: { error: 'still-processing', id },
  headers: { 'retry-after': '60' },
});

/** The receiver for one set of options: call it with each request's raw body and headers. */
export function createReceiver(
  parts: ReceiverParts,
  options: ReceiverOptions,
  verify: Verifier,
  defaultSink?: () => NonconformingSink,
): Receive {
  const handlerTimeout = options.handlerTimeoutMs;
  const oncePerId = parts.createOnceRunner(
    options.idempotency ?? new parts.MemoryIdempotencyStore(),
    typeof handlerTimeout === 'number' && handlerTimeout > 0
      ? handlerTimeout
      : parts.DEFAULT_PROCESSING_LEASE_MS,
  );
  const deadlineMs = parts.ackDeadlineOf(options);
  let sink = options.nonconformingSink;
  const sinkOf = () => (sink ??= options.onNonconforming || options.handoff ? undefined : defaultSink?.());
  const verifyOptions: VerifyOptions = {
    ...(options.nonconforming !== undefined && { nonconforming: options.nonconforming }),
    ...(options.toleranceSeconds !== undefined && { toleranceSeconds: options.toleranceSeconds }),
    ...(options.now !== undefined && { now: options.now }),
    ...(options.validation !== undefined && { validation: options.validation }),
  };

  const capture = parts.createCapture(options.capture);

  /** The topic's handler, then `onAny`: synchronous when they are (no promise for a handler that returns none). */
  function runHandlers(
    options: ReceiverOptions,
    result: Extract<Verified, { conforming: true }>,
  ): Maybe<void> {
    const webhook = result.webhook as AnyChameleonWebhook;
    const handler = (result.known ? options.on?.[result.webhook.kind] : options.onUnknownTopic) as
      ((webhook: AnyChameleonWebhook) => unknown) | undefined;
    return parts.step(
      () => handler?.(webhook) as Maybe<unknown>,
      () => options.onAny?.(webhook) as Maybe<void>,
    );
  }

  /**
   * Runs the handlers once per id; an error reaches `onError` whenever it comes, even after the answer.
   * A plain outcome when nothing returned a promise (see once-per-id.ts), and never a sync throw.
   */
  function processOnce(result: Verified, rawBody: RawBody): Maybe<OnceOutcome> | Promise<never> {
    const failed = (error: unknown): Promise<never> => {
      parts.observe(() => options.onError?.(error, result.webhook));
      return Promise.reject(error);
    };
    return parts.step(
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

  function replyAfter(result: Verified, settled: Exclude<Settled<OnceOutcome>, symbol>): ReceiverReply {
    // A store that cannot claim ran nothing: 503, and Chameleon's retry finds it back (it logged why).
    if ('error' in settled && settled.error instanceof parts.IdempotencyStoreUnavailableError)
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
    if (!parts.isThenable(outcome)) return replyAfter(result, { value: outcome });
    return parts.settleWithin(outcome, deadlineMs).then((settled) =>
      // LATE is the only symbol a Settled can be.
      typeof settled === 'symbol' ? stillProcessing(result.id) : replyAfter(result, settled),
    );
  }

  /** Fast acknowledgement: kept durably, answered, then processed (if there is anything to run). */
  async function answerAfterHandoff(
    handoff: DeliverySink,
    result: Verified,
    rawBody: RawBody,
    context: ReceiveContext | undefined,
  ): Promise<ReceiverReply> {
    const kept = await parts.settleWithin(
      Promise.resolve().then(() => handoff.keep(recordOf(result, rawBody))),
      deadlineMs,
    );
    if (typeof kept === 'symbol') return stillProcessing(result.id); // LATE
    if ('error' in kept) {
      parts.observe(() => options.onError?.(kept.error, result.webhook));
      return { status: 500, body: { error: 'handoff-failed', id: result.id } };
    }
    if (hasHandlers(options, result)) {
      const processing = Promise.resolve(processOnce(result, rawBody)).catch(() => undefined);
      parts.observe(() => context?.waitUntil?.(processing));
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
    if (!result.ok) return parts.rejection(options, result);
    capture?.(result, rawBody); // never throws, never waits: see capture.ts
    return options.handoff
      ? answerAfterHandoff(options.handoff, result, rawBody, context)
      : answerAfterHandlers(result, rawBody);
  };
}

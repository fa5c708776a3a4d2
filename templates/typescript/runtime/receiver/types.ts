/** Options of the receivers (`createNodeHandler`, `createFetchHandler` and the framework adapters). */
import type { DEFAULT_TOLERANCE_SECONDS, SECRET_ENV, SENT_AT_FIELD } from '../facts.js';
import type { CaptureOptions } from '../capture.js';
import type { IdempotencyStore } from '../idempotency.js';
import type { AnyChameleonWebhook, UnknownTopicWebhook, WebhookOf, WebhookTopic } from '../types.js';
import type { ValidationIssue } from '../validate.js';
import type { SecretInput, VerificationFailure, VerifyOptions } from '../verification.js';

/** One handler per topic, each typed with its own webhook. */
export type WebhookHandlers = {
  [Kind in WebhookTopic]?: (webhook: WebhookOf<Kind>) => unknown;
};

/** What a sink keeps of an authentic webhook that does not conform to the spec: enough to replay it. */
export interface NonconformingRecord {
  /** When the receiver got it (ISO 8601). */
  received_at: string;
  id: string;
  kind: string;
  /** How it departs from the spec (bounded). */
  issues: ValidationIssue[];
  /** The raw body exactly as signed (UTF-8). */
  body: string;
}

/** What a {@link DeliverySink} keeps of an authentic webhook: every delivery, conforming or not. */
export interface DeliveryRecord extends NonconformingRecord {
  /** Whether it conformed to the spec when it was received (`issues` is empty when it did). */
  conforming: boolean;
}

/**
 * Where the fast-acknowledging receiver hands every authentic webhook (a durable file, a queue). `keep`
 * resolves once the record is durable; only then is the delivery answered 200, and a rejection answers
 * 500 so Chameleon retries. A retry is kept again: a sink collapses duplicates by `id` (a queue's job id),
 * or its consumer de-duplicates.
 */
export interface DeliverySink {
  keep(record: DeliveryRecord): void | Promise<void>;
}

/** What the runtime offers to run work after the response (Workers' `ctx`, Vercel's `waitUntil`). */
export interface ReceiveContext {
  /** Keeps the runtime alive until `promise` settles, after the response is sent. */
  waitUntil?(promise: Promise<unknown>): void;
}

/**
 * Where non-conforming webhooks are kept. `keep` resolves once the record is durable: only then is the
 * delivery acknowledged (a rejection answers 500, so Chameleon retries).
 */
export interface NonconformingSink {
  keep(record: NonconformingRecord): void | Promise<void>;
}

/** Default largest body accepted, in bytes (1 MiB); a larger one is answered 413. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Default time, in milliseconds, within which every delivery is answered: under Chameleon's 7-second
 * request timeout, so a slow handler gets a retry rather than a timeout.
 */
export const DEFAULT_ACK_DEADLINE_MS = 6_000;

export interface ReceiverOptions {
  /** The Webhook Secret (conventionally in {@link SECRET_ENV}), or several during a rotation. */
  secret: SecretInput;
  /**
   * Fast acknowledgement: every authentic webhook is handed to this sink (a queue, a durable file) and
   * answered 200 (`queued: true`) once `keep` resolved; the handlers, if any, then run after the answer
   * (through `waitUntil` where the runtime offers it). Without it, the answer waits for the handlers.
   */
  handoff?: DeliverySink;
  /**
   * Every delivery is answered within this many milliseconds (default {@link DEFAULT_ACK_DEADLINE_MS}):
   * a handler (or a handoff, or a store) still running then gets 503 `still-processing` and goes on; its
   * outcome answers Chameleon's retry (200 once it succeeded, 409 while it runs, a new run if it failed).
   */
  ackDeadlineMs?: number;
  /** Handlers by topic: `{ 'tour.completed': async (webhook) => { … } }`. */
  on?: WebhookHandlers;
  /** Runs for every verified webhook, after the topic's own handler. */
  onAny?: (webhook: AnyChameleonWebhook) => unknown;
  /** Runs for a topic added after this version (it is acknowledged with 2xx either way). */
  onUnknownTopic?: (webhook: UnknownTopicWebhook) => unknown;
  /**
   * An authentic webhook that does not conform to the spec: `accept` (default) hands it to
   * `nonconformingSink` and `onNonconforming`, and answers 2xx once one of them took it; `reject` answers
   * 400 `invalid-payload` (strict: CI and contract tests).
   */
  nonconforming?: VerifyOptions['nonconforming'];
  /**
   * Gets each authentic webhook that does not conform to the spec, typed as the envelope only, with its
   * issues. Not passed to `on` or `onAny`, whose types promise a conforming webhook.
   */
  onNonconforming?: (webhook: UnknownTopicWebhook, issues: ValidationIssue[]) => unknown;
  /**
   * Keeps non-conforming webhooks before `onNonconforming` runs. Default: none when `onNonconforming` is
   * given; otherwise, in the Node build, an append-only JSONL file (`createJsonlSink`,
   * `chameleon-nonconforming.jsonl` in the working directory); the Web build has no default, and answers 500 until one is given.
   */
  nonconformingSink?: NonconformingSink;
  /** Seconds {@link SENT_AT_FIELD} may be off (default {@link DEFAULT_TOLERANCE_SECONDS}); `false` disables the window. */
  toleranceSeconds?: number | false;
  /** The clock the window is checked against (tests). */
  now?: VerifyOptions['now'];
  /** Options for `validateWebhook`. */
  validation?: VerifyOptions['validation'];
  /** Largest body accepted, in bytes (default 1 MiB): larger requests get 413 and the connection is closed. */
  maxBodyBytes?: number;
  /** Time allowed to read the body, in milliseconds (default 10 000): a slower one gets 408, connection closed. */
  bodyTimeoutMs?: number;
  /**
   * Where handled ids are recorded so each runs exactly once (default: a bounded in-memory store).
   * Pass a shared store when several instances receive webhooks; `false` turns deduplication off.
   */
  idempotency?: IdempotencyStore | false;
  /**
   * Sees every rejected request with its reason and message (observability): the caller of a request
   * that is not signed gets only `{ error: 'unauthenticated' }`. The response is sent either way, even
   * if this throws.
   */
  onRejected?: (failure: VerificationFailure) => void;
  /**
   * Time a handler may take, in milliseconds (default: the 5-minute processing lease). One that has not
   * settled by then fails the delivery with 500 (`onError` gets a `HandlerTimeoutError`), so Chameleon's
   * retry runs it again; the late attempt no longer touches the idempotency store.
   */
  handlerTimeoutMs?: number;
  /** Sees every error a handler throws; the response is 500 so Chameleon retries. */
  onError?: (error: unknown, webhook: AnyChameleonWebhook) => void;
  /**
   * Records verified deliveries as JSON lines for `spec:learn` (all, a sample or the non-conforming
   * ones; personal data redacted by default). It never changes or delays the answer.
   */
  capture?: CaptureOptions;
}

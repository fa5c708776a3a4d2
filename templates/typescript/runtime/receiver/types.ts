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

/**
 * Where non-conforming webhooks are kept. `keep` resolves once the record is durable: only then is the
 * delivery acknowledged (a rejection answers 500, so Chameleon retries).
 */
export interface NonconformingSink {
  keep(record: NonconformingRecord): void | Promise<void>;
}

/** Default largest body accepted, in bytes (1 MiB); a larger one is answered 413. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ReceiverOptions {
  /** The Webhook Secret (conventionally in {@link SECRET_ENV}), or several during a rotation. */
  secret: SecretInput;
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

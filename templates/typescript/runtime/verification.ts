/**
 * The public vocabulary of verification, shared by the Node build
 * (`chameleon-webhooks`) and the Web Crypto build (`chameleon-webhooks/web`):
 * options, results, the failure reasons and the error `verifyWebhookOrThrow`
 * throws. Both builds run the same checks in the same order, so they give the
 * same verdict on the same request.
 */
import type { ChameleonWebhook, UnknownTopicWebhook } from './types.js';
import type { ValidateOptions, ValidationIssue, ValidationWarning } from './validate.js';
import {
  DEFAULT_TOLERANCE_SECONDS,
  LEGACY_SECRET_ENV,
  SECRET_ENV,
  SENT_AT_FIELD,
  SIGNATURE_HEX_LENGTH,
} from './facts.js';
import { ID_HEADER, SIGNATURE_HEADER, type HeadersLike } from './headers.js';

export { DEFAULT_TOLERANCE_SECONDS };

/**
 * The request body exactly as it arrived: a string (decoded as UTF-8), a
 * Buffer, a Uint8Array (or any typed array) or an ArrayBuffer. Never a parsed
 * object: re-serialised JSON rarely has the bytes Chameleon signed.
 */
export type RawBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** The {@link SIGNATURE_HEADER} value itself, or the request's headers to read it from. */
export type SignatureInput = string | readonly string[] | HeadersLike | null | undefined;

/** One Webhook Secret, or several while rotating: a signature made with any of them is accepted. */
export type SecretInput = string | readonly string[];

/**
 * The Webhook Secret from an environment (`process.env`, a Worker's `env`): {@link SECRET_ENV}, else
 * {@link LEGACY_SECRET_ENV}, the name this package used before; `undefined` when neither is set.
 */
export function secretFromEnv(env: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of [SECRET_ENV, LEGACY_SECRET_ENV]) {
    const value = env[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export interface VerifyOptions {
  /**
   * Allowed distance between {@link SENT_AT_FIELD} and now, in seconds (default {@link DEFAULT_TOLERANCE_SECONDS}).
   * `false` turns the window off: for replaying stored deliveries or old fixtures.
   */
  toleranceSeconds?: number | false;
  /** The receiver's clock (default `Date.now()`): a Date, epoch milliseconds, or a function returning either. */
  now?: Date | number | (() => Date | number);
  /** Options for `validateWebhook` (the schema validation that follows the signature and window checks). */
  validation?: ValidateOptions;
  /**
   * What to do with an authentic webhook that does not conform to the spec: `accept` (default) returns it
   * as a {@link VerifiedNonconformingWebhook} (`conforming: false`); `reject` fails it with
   * `invalid-payload`, for CI and contract tests.
   */
  nonconforming?: NonconformingPolicy;
}

/**
 * `accept`: an authentic webhook that departs from the spec is still Chameleon's and is handed over
 * with its issues. `reject`: it fails with `invalid-payload` (strict, for CI and contract tests).
 */
export type NonconformingPolicy = 'accept' | 'reject';

/**
 * Why a webhook was rejected. Stable kebab-case names, safe to log, to count and
 * to send back in a response body.
 *
 * - `missing-secret`: no Webhook Secret was configured (empty or undefined).
 * - `body-not-raw`: a parsed object (or nothing) was passed instead of the raw body.
 * - `missing-signature`: the {@link SIGNATURE_HEADER} header is absent or empty.
 * - `repeated-signature`: the header appears more than once.
 * - `malformed-signature`: the header is not {@link SIGNATURE_HEX_LENGTH} hex characters; nothing was compared.
 * - `signature-mismatch`: the signature is not the HMAC of the body under any secret.
 * - `malformed-body`: the signed body is not a UTF-8 JSON object.
 * - `missing-sent-at`: the body has no {@link SENT_AT_FIELD}.
 * - `unparsable-sent-at`: {@link SENT_AT_FIELD} is not an ISO 8601 timestamp.
 * - `too-old`: {@link SENT_AT_FIELD} is further in the past than the tolerance (a replay, or a slow queue).
 * - `too-new`: {@link SENT_AT_FIELD} is further in the future than the tolerance (clock skew).
 * - `invalid-payload`: the body lacks the envelope every webhook has (`id`, `kind`, `sent_at`, `data`), or,
 *   with `nonconforming: 'reject'`, it does not match the spec (see `errors`).
 */
export type VerificationFailureReason =
  | 'missing-secret'
  | 'body-not-raw'
  | 'missing-signature'
  | 'repeated-signature'
  | 'malformed-signature'
  | 'signature-mismatch'
  | 'malformed-body'
  | 'missing-sent-at'
  | 'unparsable-sent-at'
  | 'too-old'
  | 'too-new'
  | 'invalid-payload';

/** The default message of each reason (a failure's `message` may say more). Kept short: it ships to browsers. */
export const VERIFICATION_FAILURES: { readonly [Reason in VerificationFailureReason]: string } = {
  'missing-secret': `No secret (is ${SECRET_ENV} set?).`,
  'body-not-raw':
    'Pass the raw body, not a parsed one: mount this route before express.json(), or use express.raw().',
  'missing-signature': `No ${SIGNATURE_HEADER} header.`,
  'repeated-signature': `Repeated ${SIGNATURE_HEADER} header.`,
  'malformed-signature': `${SIGNATURE_HEADER} is not ${SIGNATURE_HEX_LENGTH} hex characters.`,
  'signature-mismatch':
    'The signature does not match: check the secret, and pass the raw body, not re-serialised JSON.',
  'malformed-body': 'The body is not a JSON object.',
  'missing-sent-at': `No ${SENT_AT_FIELD} in the body.`,
  'unparsable-sent-at': `${SENT_AT_FIELD} is not ISO 8601.`,
  'too-old': `${SENT_AT_FIELD} is too old.`,
  'too-new': `${SENT_AT_FIELD} is in the future.`,
  'invalid-payload': 'The body does not match the spec.',
};

/**
 * The failure's fields, absent on every success. Declared so that `if (!result.ok) log(result.reason)`
 * compiles without `strictNullChecks` too (Next.js writes a non-strict tsconfig), where TypeScript
 * narrows `ok: true | false` only in the `true` branch.
 */
export interface NotAFailure {
  reason?: undefined;
  message?: undefined;
  errors?: undefined;
}

/** A verified webhook of a topic this version knows, conforming to its schema. */
export interface VerifiedWebhook extends NotAFailure {
  ok: true;
  conforming: true;
  /** The webhook's id, from the signed body (the {@link ID_HEADER} header is not signed). */
  id: string;
  known: true;
  webhook: ChameleonWebhook;
  /** Only a non-conforming webhook has issues (declared for non-strict narrowing on `conforming`). */
  issues?: undefined;
  warnings: ValidationWarning[];
}

/** A verified webhook of a topic added after this version: handle it, ignore it, but do not fail it. */
export interface VerifiedUnknownWebhook extends NotAFailure {
  ok: true;
  conforming: true;
  id: string;
  known: false;
  webhook: UnknownTopicWebhook;
  /** Only a non-conforming webhook has issues (declared for non-strict narrowing on `conforming`). */
  issues?: undefined;
  warnings: ValidationWarning[];
}

/**
 * An authentic webhook (signed, fresh, with an envelope `id`, `kind`, `sent_at` and `data`) that does not
 * conform to the spec: Chameleon sent it, so it is not rejected by default. Its `webhook` is typed as the
 * envelope only, and `known` is `false`, so code that narrows on `known` never reads it as a typed topic.
 */
export interface VerifiedNonconformingWebhook extends NotAFailure {
  ok: true;
  conforming: false;
  known: false;
  id: string;
  webhook: UnknownTopicWebhook;
  /** How it departs from the spec (at most `validation.maxErrors`), worked out when first read. */
  issues: ValidationIssue[];
  warnings: ValidationWarning[];
}

export interface VerificationFailure {
  ok: false;
  reason: VerificationFailureReason;
  /** What went wrong and, for the common mistakes, how to fix it. Never contains the secret. */
  message: string;
  /** For `invalid-payload`: every schema violation. */
  errors?: ValidationIssue[];
}

export type WebhookVerificationResult =
  VerifiedWebhook | VerifiedUnknownWebhook | VerifiedNonconformingWebhook | VerificationFailure;

/**
 * The brand of {@link WebhookVerificationError}: `Symbol.for` gives every build (Node and Web, ESM and
 * CommonJS, two copies of the package in one app) the same symbol, where each has its own class.
 */
const BRAND: unique symbol = /* @__PURE__ */ Symbol.for('chameleon-webhooks.WebhookVerificationError');

/** True when `value` was thrown by `verifyWebhookOrThrow` of any build of this package. */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  // A primitive has no symbol-keyed properties: optional chaining covers null and undefined.
  return (value as { [BRAND]?: unknown } | null | undefined)?.[BRAND] === true;
}

/**
 * Thrown by `verifyWebhookOrThrow`: carries the same `reason` and `message` as the result object.
 * `instanceof` reads the brand, so it holds across builds (an error of the Web build is an instance
 * of the Node build's class, and the reverse).
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly reason: VerificationFailureReason;
  readonly errors: ValidationIssue[] | undefined;

  constructor(failure: VerificationFailure) {
    super(failure.message);
    this.reason = failure.reason;
    this.errors = failure.errors;
    // Not a class field: a computed key would keep the class in bundles that never throw it.
    (this as { [BRAND]?: true })[BRAND] = true;
  }

  /** `instanceof` is the brand check (the package has no subclasses of it). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return isWebhookVerificationError(value);
  }
}

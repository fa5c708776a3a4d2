/**
 * The steps of `verifyWebhook` that need no cryptography, shared by the Node and
 * Web Crypto builds (internal: not re-exported by the package entries).
 * Order: secrets → raw body → signature header → (HMAC, in each build) →
 * UTF-8 + JSON → {@link SENT_AT_FIELD} window → schema validation.
 */
import { REJECTS_FUTURE_SENT_AT, SENT_AT_FIELD, SIGNATURE_PATTERN } from './facts.js';
import { readHeader, SIGNATURE_HEADER } from './headers.js';
import { validateWebhook, type ValidationIssue, type ValidationWarning } from './validate.js';
import {
  DEFAULT_TOLERANCE_SECONDS,
  VERIFICATION_FAILURES,
  type RawBody,
  type SecretInput,
  type SignatureInput,
  type VerificationFailure,
  type VerificationFailureReason,
  type VerifyOptions,
  type WebhookVerificationResult,
} from './verification.js';

// Pure (as every module-level value of the runtime): a bundler drops what an import does not reach.
const UTF8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

export function failure(
  reason: VerificationFailureReason,
  message: string = VERIFICATION_FAILURES[reason],
  errors?: ValidationIssue[],
): VerificationFailure {
  return { ok: false, reason, message, ...(errors && { errors }) };
}

/** `Array.isArray` that also narrows readonly arrays. */
function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** True when `body` is a raw body (a string, typed array or ArrayBuffer), not a parsed one. */
export function isRawBody(body: unknown): body is RawBody {
  // "[object Object]" is String(parsedBody): the body was parsed, then coerced back to a string.
  if (typeof body === 'string') return body !== '[object Object]';
  return ArrayBuffer.isView(body) || body instanceof ArrayBuffer;
}

/**
 * The verdict-only checks of `verifySignature` for one secret and one header value (the common case):
 * whether the HMAC is worth computing. They agree with `prepare`, which explains a failure, but
 * allocate nothing: at 1 KB the HMAC itself costs only a few microseconds.
 */
export function canMatch(rawBody: unknown, signature: string, secret: string): rawBody is RawBody {
  // The pattern is exact: a value that passes is not blank, not repeated (no comma), not uppercase.
  return secret !== '' && isRawBody(rawBody) && SIGNATURE_PATTERN.test(signature);
}

/** The body as the HMAC input: strings stay strings (hashed as UTF-8), bytes become a Uint8Array view. */
export function asBinary(body: RawBody): string | Uint8Array {
  if (typeof body === 'string') return body;
  const view =
    body instanceof Uint8Array
      ? body
      : ArrayBuffer.isView(body)
        ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
        : new Uint8Array(body);
  // Web Crypto and TextDecoder refuse shared memory (which may also change while it is read): use a copy.
  return view.buffer instanceof ArrayBuffer ? view : view.slice();
}

/** The secrets to try, in order; empty strings and non-strings (unset env vars) are skipped. */
function readSecrets(input: SecretInput | null | undefined): string[] | VerificationFailure {
  const list: readonly unknown[] = typeof input === 'string' ? [input] : isList(input) ? input : [];
  const secrets = list.filter((secret): secret is string => typeof secret === 'string' && secret !== '');
  return secrets.length ? secrets : failure('missing-secret');
}

function malformedSignature(value: string): VerificationFailure {
  // Uppercase hex: the vendor's samples compare the lowercase digest exactly, so it never matches.
  if (SIGNATURE_PATTERN.test(value.toLowerCase()))
    return failure(
      'signature-mismatch',
      `${VERIFICATION_FAILURES['signature-mismatch']} It is uppercase hex.`,
    );
  const prefixed = /^sha256=/i.test(value) ? ' Drop "sha256=".' : '';
  return failure('malformed-signature', VERIFICATION_FAILURES['malformed-signature'] + prefixed);
}

/** The signature from a header value or from the headers, checked for shape before anything is compared. */
function readSignature(input: SignatureInput): string | VerificationFailure {
  let value: unknown = input;
  if (input !== null && typeof input === 'object' && !isList(input))
    value = readHeader(input, SIGNATURE_HEADER);
  if (isList(value)) {
    if (value.length > 1) return failure('repeated-signature');
    value = value[0];
  }
  if (typeof value !== 'string' || value.trim() === '') return failure('missing-signature');
  // Node's IncomingHttpHeaders and Fetch Headers join a repeated header with ", ".
  if (value.includes(',')) return failure('repeated-signature');
  if (!SIGNATURE_PATTERN.test(value)) return malformedSignature(value);
  return value;
}

/** The trimmed form of each secret that has surrounding whitespace: tried only to explain a mismatch. */
export function trimmedSecrets(secrets: readonly string[]): string[] {
  // A secret that is only whitespace trims to nothing: not a key (Web Crypto rejects empty keys).
  return secrets
    .map((secret) => secret.trim())
    .filter((trimmed, index) => trimmed !== secrets[index] && trimmed);
}

/** The mismatch failure, calling out the most common cause it can detect. */
export function mismatch(secrets: readonly string[], trimmedSecretMatches: boolean): VerificationFailure {
  const whitespace = trimmedSecrets(secrets).length
    ? trimmedSecretMatches
      ? ' It matches once the secret is trimmed.'
      : ' A secret has surrounding whitespace.'
    : '';
  return failure('signature-mismatch', VERIFICATION_FAILURES['signature-mismatch'] + whitespace);
}

/** Epoch milliseconds from a Date, a number or a function returning either (`+date` is its time). */
function clock(now: VerifyOptions['now']): number {
  return +(typeof now === 'function' ? now() : (now ?? Date.now()));
}

/** The {@link SENT_AT_FIELD} window: a failure, or `undefined` when the webhook is fresh (or the window is off). */
export function checkSentAt(sentAt: unknown, options: VerifyOptions): VerificationFailure | undefined {
  if (options.toleranceSeconds === false) return undefined;
  if (sentAt == null) return failure('missing-sent-at');
  // Date.parse reads ISO 8601 (what Chameleon sends); a shape check would cost bytes for no safer verdict:
  // any other date it reads is still held to the window.
  const sent = typeof sentAt === 'string' ? Date.parse(sentAt) : NaN;
  if (Number.isNaN(sent)) return failure('unparsable-sent-at');
  const seconds = options.toleranceSeconds;
  const tolerance =
    (typeof seconds === 'number' && seconds >= 0 ? seconds : DEFAULT_TOLERANCE_SECONDS) * 1000;
  const skew = clock(options.now) - sent;
  if (skew > tolerance) return outsideWindow('too-old', skew, tolerance);
  if (REJECTS_FUTURE_SENT_AT && -skew > tolerance) return outsideWindow('too-new', skew, tolerance);
  return undefined;
}

// A function of its own, not a closure in checkSentAt: the fresh path allocates nothing.
function outsideWindow(reason: 'too-old' | 'too-new', skew: number, tolerance: number): VerificationFailure {
  return failure(
    reason,
    `${VERIFICATION_FAILURES[reason]} (${Math.round(Math.abs(skew) / 1000)} s off, tolerance ${tolerance / 1000} s)`,
  );
}

function describeErrors(errors: readonly ValidationIssue[]): string {
  const first = errors[0];
  return `${VERIFICATION_FAILURES['invalid-payload']}${first ? ` ${first.path || '/'} ${first.message}` : ''}`;
}

/** True when `value` has the envelope every Chameleon webhook has, whatever the spec says of the rest. */
function hasEnvelope(value: Record<string, unknown>): boolean {
  const { id, kind, data } = value;
  return (
    typeof id === 'string' &&
    id !== '' &&
    typeof kind === 'string' &&
    kind !== '' &&
    typeof value[SENT_AT_FIELD] === 'string' &&
    data !== null &&
    typeof data === 'object' &&
    !Array.isArray(data)
  );
}

/** An authentic webhook the spec does not describe: its issues are worked out when first read. */
function nonconforming(value: object, errors: { errors: ValidationIssue[]; warnings: ValidationWarning[] }) {
  return {
    ok: true,
    conforming: false,
    known: false,
    id: (value as { id: string }).id,
    webhook: value,
    get issues() {
      return errors.errors;
    },
    get warnings() {
      return errors.warnings;
    },
  } as WebhookVerificationResult;
}

/**
 * Authentic (the envelope is there) is one verdict; conforming to the spec is another, which rejects
 * only under `nonconforming: 'reject'`.
 */
function validated(value: Record<string, unknown>, options: VerifyOptions): WebhookVerificationResult {
  const result = validateWebhook(value, options.validation);
  if (!result.ok) {
    return !hasEnvelope(value) || options.nonconforming === 'reject'
      ? failure('invalid-payload', describeErrors(result.errors), result.errors)
      : nonconforming(value, result);
  }
  // A conforming webhook passed the envelope's own guard, which is stricter than hasEnvelope, so the
  // fast path checks nothing twice. The id is the signed body's: the ID_HEADER header is not signed.
  const id = result.webhook.id;
  // `known` and `webhook` come from the same validation result, so they agree; TypeScript cannot see it through a literal.
  // The validation result already has ok, known, webhook and its lazy `warnings`; adding the id
  // makes it the verified result with no copy (an object literal would have to read `warnings`
  // now, or pay ~1 µs for a getter). The result is fresh per call, so nothing else sees it.
  const verified = result as typeof result & { id: string; conforming: true };
  verified.id = id;
  verified.conforming = true;
  return verified as WebhookVerificationResult;
}

/** A request that passed every check before the HMAC: what the HMAC needs. */
export interface Prepared {
  secrets: string[];
  binary: string | Uint8Array;
  signature: string;
}

/** Secrets, raw body and signature header, checked in that order; nothing is compared yet. */
export function prepare(
  rawBody: unknown,
  signatureOrHeaders: SignatureInput,
  secretOrSecrets: SecretInput,
): Prepared | VerificationFailure {
  const secrets = readSecrets(secretOrSecrets);
  if (!isList(secrets)) return secrets;
  if (!isRawBody(rawBody)) return failure('body-not-raw');
  const read = readSignature(signatureOrHeaders);
  // An explicit literal: object spread costs microseconds here, as much as the HMAC of 1 KB.
  return typeof read !== 'string' ? read : { secrets, binary: asBinary(rawBody as RawBody), signature: read };
}

/** Everything after the signature matched: decode, parse, check the window, validate. */
export function checkPayload(binary: string | Uint8Array, options: VerifyOptions): WebhookVerificationResult {
  let text: string;
  try {
    text = typeof binary === 'string' ? binary : UTF8.decode(binary);
  } catch {
    return failure('malformed-body', 'The body is not UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure('malformed-body', `Not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return failure('malformed-body');
  }
  const stale = checkSentAt((value as Record<string, unknown>)[SENT_AT_FIELD], options);
  return stale ?? validated(value as Record<string, unknown>, options);
}

/** The last line of defence behind "never throws": an unexpected error becomes a failure, never an exception. */
export function unexpected(error: unknown): VerificationFailure {
  let detail = 'The request could not be read.';
  try {
    detail = String(error).slice(0, 200);
  } catch {
    // An error whose description throws too: the generic detail stands.
  }
  return failure('malformed-body', detail);
}

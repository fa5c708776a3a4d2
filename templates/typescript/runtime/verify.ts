/**
 * Signature verification for Node.js (`node:crypto`, synchronous).
 *
 * ```ts
 * import { verifyWebhook } from 'chameleon-webhooks';
 * const result = verifyWebhook(rawBody, req.headers, webhookSecret);
 * if (!result.ok) return res.status(400).json({ error: result.reason });
 * result.webhook; // ChameleonWebhook
 * ```
 *
 * The Web Crypto build (`chameleon-webhooks/web`) has the same names and returns Promises.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import {
  NODE_HMAC_ALGORITHM,
  type DEFAULT_TOLERANCE_SECONDS,
  type SENT_AT_FIELD,
  type SIGNATURE_HEADER,
} from './facts.js';
import {
  asBinary,
  canMatch,
  checkPayload,
  mismatch,
  prepare,
  trimmedSecrets,
  unexpected,
} from './verify-steps.js';
import {
  WebhookVerificationError,
  type RawBody,
  type SecretInput,
  type SignatureInput,
  type VerifyOptions,
  type WebhookVerificationResult,
} from './verification.js';

/** Key objects, by secret: createHmac sets up a KeyObject faster than it reads a string key. Bounded: cleared when full. */
const keys = new Map<string, KeyObject>();

function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 16) keys.clear();
    key = createSecretKey(Buffer.from(secret));
    keys.set(secret, key);
  }
  return key;
}

function digest(binary: string | Uint8Array, secret: string): Buffer {
  return createHmac(NODE_HMAC_ALGORITHM, keyFor(secret)).update(binary).digest();
}

/** One secret, one hex signature of the right shape: constant time, as `matchesAny`. */
function matches(binary: string | Uint8Array, signature: string, secret: string): boolean {
  return timingSafeEqual(digest(binary, secret), Buffer.from(signature, 'hex'));
}

/** Constant time: `expected` always has the digest's length (the signature passed the shape check). */
function matchesAny(binary: string | Uint8Array, expected: Buffer, secrets: readonly string[]): boolean {
  let matched = false;
  // Every secret is tried, so timing does not reveal which one matched.
  for (const secret of secrets) matched = timingSafeEqual(digest(binary, secret), expected) || matched;
  return matched;
}

/** The HMAC of `rawBody` keyed with `secret`, as lowercase hex: the {@link SIGNATURE_HEADER} value. */
export function signWebhook(rawBody: RawBody, secret: string): string {
  return createHmac(NODE_HMAC_ALGORITHM, secret).update(asBinary(rawBody)).digest('hex');
}

/**
 * True when `signature` is the HMAC of the exact bytes of `rawBody` under `secret`
 * (or any of several secrets). Never throws: a malformed signature or secret is `false`.
 */
export function verifySignature(rawBody: RawBody, signature: string, secret: SecretInput): boolean {
  try {
    // One secret and a header string (the common case): no arrays, no result objects.
    if (typeof secret === 'string' && typeof signature === 'string')
      return canMatch(rawBody, signature, secret) && matches(asBinary(rawBody), signature, secret);
    const request = prepare(rawBody, signature, secret);
    return (
      !('reason' in request) &&
      matchesAny(request.binary, Buffer.from(request.signature, 'hex'), request.secrets)
    );
  } catch {
    return false; // a Proxy or a throwing getter: never an exception
  }
}

/**
 * Verifies a webhook request: the signature over the exact raw body, then
 * {@link SENT_AT_FIELD} within ±`toleranceSeconds` (default {@link DEFAULT_TOLERANCE_SECONDS}), then parses and validates it.
 * Never throws; a failure carries a typed `reason` and a `message` that says what to fix.
 *
 * @param rawBody the body exactly as received (string, Buffer, Uint8Array or ArrayBuffer)
 * @param signatureOrHeaders the {@link SIGNATURE_HEADER} value, or the request headers (`req.headers`, a `Headers`, a record)
 * @param secretOrSecrets the Webhook Secret, or several during a rotation
 */
export function verifyWebhook(
  rawBody: RawBody,
  signatureOrHeaders: SignatureInput,
  secretOrSecrets: SecretInput,
  options: VerifyOptions = {},
): WebhookVerificationResult {
  try {
    const request = prepare(rawBody, signatureOrHeaders, secretOrSecrets);
    if ('reason' in request) return request;
    const { binary, secrets } = request;
    const expected = Buffer.from(request.signature, 'hex');
    if (!matchesAny(binary, expected, secrets))
      return mismatch(secrets, matchesAny(binary, expected, trimmedSecrets(secrets)));
    return checkPayload(binary, options);
  } catch (error) {
    return unexpected(error);
  }
}

/** `verifyWebhook` for those who prefer exceptions: throws a `WebhookVerificationError` carrying the `reason`. */
export function verifyWebhookOrThrow(
  rawBody: RawBody,
  signatureOrHeaders: SignatureInput,
  secretOrSecrets: SecretInput,
  options: VerifyOptions = {},
): Extract<WebhookVerificationResult, { ok: true }> {
  const result = verifyWebhook(rawBody, signatureOrHeaders, secretOrSecrets, options);
  if (!result.ok) throw new WebhookVerificationError(result);
  return result;
}

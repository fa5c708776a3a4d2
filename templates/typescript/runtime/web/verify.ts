/**
 * Signature verification with Web Crypto (`crypto.subtle`), for Cloudflare
 * Workers, Deno, Bun, Vercel Edge and browsers. Same names as the Node build,
 * returning Promises. Imports nothing from `node:`.
 *
 * ```ts
 * import { verifyWebhook } from 'chameleon-webhooks/web';
 * const result = await verifyWebhook(await request.arrayBuffer(), request.headers, env.WEBHOOK_SECRET);
 * ```
 */
import {
  WEB_HMAC_HASH,
  type DEFAULT_TOLERANCE_SECONDS,
  type SENT_AT_FIELD,
  type SIGNATURE_HEADER,
} from '../facts.js';
import { asBinary, checkPayload, mismatch, prepare, trimmedSecrets, unexpected } from '../verify-steps.js';
import {
  WebhookVerificationError,
  type RawBody,
  type SecretInput,
  type SignatureInput,
  type VerifyOptions,
  type WebhookVerificationResult,
} from '../verification.js';

const HMAC = { name: 'HMAC', hash: WEB_HMAC_HASH } as const;
const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Imported keys, by secret: importKey costs more than the HMAC of a small body. The cache holds the
 * CryptoKey itself, so a call with a known secret does not wait a turn for a settled Promise (two first
 * calls at once may each import it: harmless). Bounded: cleared when full.
 */
const keys = /* @__PURE__ */ new Map<string, CryptoKey>();

async function importKey(secret: string): Promise<CryptoKey> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), HMAC, false, ['sign', 'verify']);
  if (keys.size >= 16) keys.clear();
  keys.set(secret, key);
  return key;
}

function bytesOf(binary: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return (typeof binary === 'string' ? encoder.encode(binary) : binary) as Uint8Array<ArrayBuffer>;
}

/** Hex (already checked against SIGNATURE_PATTERN) to bytes: a loop, no regex, no array of pairs. */
function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let index = 0; index < bytes.length; index++) bytes[index] = parseInt(hex.substr(2 * index, 2), 16);
  return bytes;
}

async function matchesAny(
  bytes: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  secrets: readonly string[],
): Promise<boolean> {
  // Every secret is tried so timing does not reveal which matched; one secret (the common case) is one verify.
  let matched = false;
  for (const secret of secrets) {
    const key = keys.get(secret) ?? (await importKey(secret));
    // subtle.verify compares in constant time.
    matched = (await crypto.subtle.verify(HMAC, key, signature, bytes)) || matched;
  }
  return matched;
}

/** The HMAC of `rawBody` keyed with `secret`, as lowercase hex: the {@link SIGNATURE_HEADER} value. */
export async function signWebhook(rawBody: RawBody, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    HMAC,
    keys.get(secret) ?? (await importKey(secret)),
    bytesOf(asBinary(rawBody)),
  );
  return Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** True when `signature` is the HMAC of the exact bytes of `rawBody` under `secret` (or any of several). Never rejects. */
export async function verifySignature(
  rawBody: RawBody,
  signature: string,
  secret: SecretInput,
): Promise<boolean> {
  try {
    const request = prepare(rawBody, signature, secret);
    return (
      !('reason' in request) &&
      (await matchesAny(bytesOf(request.binary), hexToBytes(request.signature), request.secrets))
    );
  } catch {
    return false;
  }
}

/**
 * Verifies a webhook request: the signature over the exact raw body, then
 * {@link SENT_AT_FIELD} within ±`toleranceSeconds` (default {@link DEFAULT_TOLERANCE_SECONDS}), then parses and validates it.
 * Never rejects; a failure carries a typed `reason` and a `message` that says what to fix.
 */
export async function verifyWebhook(
  rawBody: RawBody,
  signatureOrHeaders: SignatureInput,
  secretOrSecrets: SecretInput,
  options: VerifyOptions = {},
): Promise<WebhookVerificationResult> {
  try {
    const request = prepare(rawBody, signatureOrHeaders, secretOrSecrets);
    if ('reason' in request) return request;
    const { binary, secrets } = request;
    const bytes = bytesOf(binary);
    const signature = hexToBytes(request.signature);
    if (!(await matchesAny(bytes, signature, secrets))) {
      return mismatch(secrets, await matchesAny(bytes, signature, trimmedSecrets(secrets)));
    }
    return checkPayload(binary, options);
  } catch (error) {
    return unexpected(error);
  }
}

/** `verifyWebhook` for those who prefer exceptions: rejects with a `WebhookVerificationError` carrying the `reason`. */
export async function verifyWebhookOrThrow(
  rawBody: RawBody,
  signatureOrHeaders: SignatureInput,
  secretOrSecrets: SecretInput,
  options: VerifyOptions = {},
): Promise<Extract<WebhookVerificationResult, { ok: true }>> {
  const result = await verifyWebhook(rawBody, signatureOrHeaders, secretOrSecrets, options);
  if (!result.ok) throw new WebhookVerificationError(result);
  return result;
}

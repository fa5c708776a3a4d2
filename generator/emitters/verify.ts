/**
 * The outgoing facts (`src/facts.ts`): every fact the verification and
 * receiver code relies on (header names, algorithm, signature length, the
 * `sent_at` window, the retry span that sizes the idempotency TTL, the delivery
 * method) is read from `api.outgoing` here, checked, and rendered as constants.
 * The code itself is runtime source (templates/typescript/runtime/).
 */
import { render } from '../templates.js';
import type { ApiFacts, SpecModel } from '../model.js';
import type { Emitter } from './emitter.js';

/** The spec names the algorithm the vendor's way; each runtime has its own name for it. */
const ALGORITHMS: Record<string, { node: string; web: string }> = {
  'HMAC-SHA256': { node: 'sha256', web: 'SHA-256' },
  'HMAC-SHA512': { node: 'sha512', web: 'SHA-512' },
};

/**
 * Idempotency records outlive the retry span by this margin, so a last retry
 * that arrives late (backoff jitter, clock skew, the replay window) still
 * finds the first delivery's record.
 */
const IDEMPOTENCY_MARGIN_HOURS = 5;

/** `X-Chameleon-Signature` → `signature`, `User-Agent` → `userAgent`. */
function headerKey(name: string): string {
  const words = name.replace(/^X-Chameleon-/i, '').split('-');
  return words
    .map((word, index) =>
      index === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase(),
    )
    .join('');
}

function findHeader(api: ApiFacts, pattern: RegExp, what: string): string {
  const header = api.outgoing.headers.find((candidate) => pattern.test(candidate.name));
  if (!header) throw new Error(`spec/api.json: outgoing.headers lists no ${what} header`);
  return header.name;
}

/** Everything templates/typescript/facts.ts.hbs reads. */
export function verifyContext(model: SpecModel) {
  const { api } = model;
  const { signature, replayWindow, delivery, method } = api.outgoing;
  const algorithm = ALGORITHMS[signature.algorithm];
  if (!algorithm)
    throw new Error(`spec/api.json: signature algorithm ${signature.algorithm} has no runtime mapping`);
  if (signature.encoding !== 'hex-lowercase')
    throw new Error(`spec/api.json: signature encoding ${signature.encoding} is not supported`);
  if (signature.signedContent !== 'raw-body')
    throw new Error(`spec/api.json: signed content ${signature.signedContent} is not supported`);
  if (!['both', 'past'].includes(replayWindow.direction))
    throw new Error(`spec/api.json: replay direction ${replayWindow.direction} is not supported`);
  return {
    api,
    headers: api.outgoing.headers.map((header) => ({ ...header, key: headerKey(header.name) })),
    idHeader: findHeader(api, /-Id$/i, 'webhook id'),
    signature,
    nodeAlgorithm: algorithm.node,
    webHash: algorithm.web,
    digestBytes: signature.hexLength / 2,
    replay: replayWindow,
    checksFuture: replayWindow.direction === 'both',
    delivery,
    method,
    idempotencyTtlHours: delivery.retrySpanHours + IDEMPOTENCY_MARGIN_HOURS,
    idempotencyMarginHours: IDEMPOTENCY_MARGIN_HOURS,
  };
}

export const verifyEmitter: Emitter = {
  name: 'verify',
  emit(model) {
    return [
      { path: 'typescript/src/facts.ts', contents: render('typescript/facts.ts', verifyContext(model)) },
    ];
  },
};

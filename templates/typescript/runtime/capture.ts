/**
 * Capture: a receiver can record the deliveries it verified, as JSON lines, so
 * that `npm run spec:learn` can propose a spec change from what Chameleon
 * really sends (see docs/review-workflow.md).
 *
 * ```ts
 * createNodeHandler({ secret, on, capture: { record: { sample: 0.05 }, write: captureFile('captures.jsonl') } });
 * ```
 *
 * - What: every verified delivery (`all`), a random share (`{ sample: rate }`) or only the
 *   non-conforming ones (`nonconforming`, the default). Unauthenticated requests are never recorded.
 * - A line is the body as received, its issues and the time. Personal data is redacted by
 *   default (see {@link redactPersonalData}); `keepPersonalData: true` keeps the body byte for
 *   byte. Headers are never written, so neither the signature nor any secret can be.
 * - Capture never changes the answer: it runs after verification, its errors go to `onError`,
 *   the write is not awaited, and a backlog past `maxPending` lines drops lines, not deliveries.
 */
import type { ValidationIssue } from './validate.js';
import type { RawBody, WebhookVerificationResult } from './verification.js';

/** Which verified deliveries are recorded. */
export type CaptureSelection = 'all' | 'nonconforming' | { sample: number };

/** Receives one JSON line (with its `\n`); the Node build's {@link captureFile} appends it to a file. */
export type CaptureWriter = (line: string) => void | Promise<void>;

export interface CaptureOptions {
  /** Where lines go: `captureFile(path)` in Node, any function in the Web build (a queue, R2, KV, …). */
  write: CaptureWriter;
  /** Which deliveries (default `nonconforming`). */
  record?: CaptureSelection;
  /** Keep names, emails and custom properties (default false: they are redacted). */
  keepPersonalData?: boolean;
  /** Lines written but not yet settled beyond which new ones are dropped (default 1000). */
  maxPending?: number;
  /** Sees capture's own failures (a writer that throws, a dropped line); the delivery is unaffected. */
  onError?: (error: unknown) => void;
  /** The source of randomness for `sample` (tests). */
  random?: () => number;
}

/** One line of a capture file. */
export interface CaptureRecord {
  /** When the receiver verified it (ISO 8601). */
  received_at: string;
  id: string;
  kind: string;
  conforming: boolean;
  /** How it departs from the spec (empty when it conforms). */
  issues: ValidationIssue[];
  /** The body as received: the raw text with `keepPersonalData`, else the JSON with personal values replaced. */
  body: string;
  /** JSON Pointers of the values redaction replaced. */
  redacted: string[];
}

/** Objects that describe a person or their company: every key but the technical ones is theirs. */
const PERSON_HOLDERS = new Set(['profile', 'profiles', 'user', 'users', 'company', 'companies']);
/** Keys of a person holder that are Chameleon's bookkeeping, not the person's data. */
const TECHNICAL_KEY = /^(id|[a-z_]+_(id|ids|at|count)|browser_[a-z]+|percent)$/;
/** Keys that hold personal data wherever they are. */
const PERSONAL_KEY = /e-?mail|phone|first_?name|last_?name|full_?name|street|postal|input_text|other_text/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CHAMELEON_ID = /^[0-9a-f]{24}$/;
const DATE_TIME = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d/;

export const REDACTED_TEXT = '[redacted]';
export const REDACTED_EMAIL = 'redacted@example.com';

function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A value replaced by one of the same shape, so what spec:learn infers (type, integer or not,
 * ID, date-time, email) is what the original would have taught: Chameleon IDs and timestamps
 * stay, other strings become `[redacted]` (emails `redacted@example.com`), numbers 0 or 0.5.
 */
function replacement(value: unknown, pointer: string, redacted: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => replacement(item, `${pointer}/${i}`, redacted));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      out[key] = replacement(inner, `${pointer}/${escapeSegment(key)}`, redacted);
    return out;
  }
  if (typeof value === 'string') {
    if (CHAMELEON_ID.test(value) || DATE_TIME.test(value)) return value;
    redacted.push(pointer);
    return EMAIL.test(value) ? REDACTED_EMAIL : REDACTED_TEXT;
  }
  if (typeof value === 'number') {
    redacted.push(pointer);
    return Number.isInteger(value) ? 0 : 0.5;
  }
  return value; // booleans and null say nothing about a person
}

function redactWithin(value: unknown, pointer: string, inPerson: boolean, redacted: string[]): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => redactWithin(item, `${pointer}/${i}`, inPerson, redacted));
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && EMAIL.test(value)) {
      redacted.push(pointer);
      return REDACTED_EMAIL;
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  const isFormAnswer = 'field' in record && 'value' in record;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) {
    const at = `${pointer}/${escapeSegment(key)}`;
    if (PERSON_HOLDERS.has(key)) out[key] = redactWithin(inner, at, true, redacted);
    else if (
      PERSONAL_KEY.test(key) ||
      (isFormAnswer && key === 'value') ||
      (inPerson && !TECHNICAL_KEY.test(key))
    )
      out[key] = replacement(inner, at, redacted);
    else out[key] = redactWithin(inner, at, inPerson, redacted);
  }
  return out;
}

/**
 * The body with personal data replaced: in profiles, users and companies every value but IDs,
 * timestamps, counts and browser facts (names, emails, `uid` and custom properties); elsewhere
 * keys that name personal data (email, phone, names, free-text answers, form answers) and any
 * string that is an email address. Returns the pointers it replaced.
 */
export function redactPersonalData(body: unknown): { body: unknown; redacted: string[] } {
  const redacted: string[] = [];
  return { body: redactWithin(body, '', false, redacted), redacted };
}

const UTF8 = new TextDecoder();

function textOf(rawBody: RawBody): string {
  if (typeof rawBody === 'string') return rawBody;
  if (rawBody instanceof ArrayBuffer) return UTF8.decode(new Uint8Array(rawBody));
  return UTF8.decode(new Uint8Array(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength));
}

type Verified = Extract<WebhookVerificationResult, { ok: true }>;

function selected(selection: CaptureSelection, conforming: boolean, random: () => number): boolean {
  if (selection === 'all') return true;
  if (selection === 'nonconforming') return !conforming;
  return random() < selection.sample;
}

/** The line for one delivery (exported for tests and tools that replay a capture). */
export function captureLine(
  result: Verified,
  rawBody: RawBody,
  keepPersonalData: boolean,
  now = new Date(),
): string {
  const kept = keepPersonalData ? undefined : redactPersonalData(result.webhook);
  const record: CaptureRecord = {
    received_at: now.toISOString(),
    id: result.id,
    kind: result.webhook.kind,
    conforming: result.conforming,
    issues: result.conforming ? [] : result.issues,
    body: kept ? JSON.stringify(kept.body) : textOf(rawBody),
    redacted: kept ? kept.redacted : [],
  };
  return `${JSON.stringify(record)}\n`;
}

/**
 * The receiver's capture step: `(result, rawBody) => void`, called once per verified delivery.
 * It never throws and never waits for the writer. Undefined when capture is off.
 */
export function createCapture(options: CaptureOptions | undefined) {
  if (!options || typeof options.write !== 'function') return undefined;
  const selection = options.record ?? 'nonconforming';
  const random = options.random ?? Math.random;
  const maxPending = options.maxPending ?? 1000;
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // The observer's own failure changes nothing.
    }
  };
  let pending = 0;
  return function capture(result: Verified, rawBody: RawBody): void {
    try {
      if (!selected(selection, result.conforming, random)) return;
      if (pending >= maxPending) {
        report(new Error(`capture: ${pending} lines still being written; this delivery is not recorded`));
        return;
      }
      const line = captureLine(result, rawBody, options.keepPersonalData === true);
      pending++;
      Promise.resolve()
        .then(() => options.write(line))
        .catch(report)
        .finally(() => pending--);
    } catch (error) {
      report(error);
    }
  };
}

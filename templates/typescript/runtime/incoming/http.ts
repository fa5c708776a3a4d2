// One POST to an incoming endpoint, with the retry policy: 429 (waiting as long as
// Chameleon asks) and 5xx and network failures are retried with exponential backoff
// and jitter inside a bounded budget; every other status is final. An attempt whose
// answer was lost after the request may have reached Chameleon (a reset, a timeout, a
// gateway's 502/504) is ambiguous: it may have been stored. It is retried only when the
// caller says a repeat is harmless (`retryAmbiguous`: upserts), so an event is never
// sent twice without the caller knowing. Uses only `fetch`, so it runs on Node 20,
// Workers, Deno, Bun and browsers.
// Loaded on the client's first send (see sending.ts), so it imports nothing the client's eager half
// does: the header name travels in the Transport.

export interface RetryOptions {
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** The first backoff delay; each retry doubles it (default 1000 ms). */
  baseDelayMs?: number;
  /**
   * The longest single wait (default 60,000 ms). Backoff is capped at it; when
   * Chameleon asks to wait longer (429), the request gives up instead.
   */
  maxDelayMs?: number;
}

/** Why something was not accepted. */
export type FailureReason =
  /** The identifiers the endpoint needs are missing; nothing was sent. */
  | 'missing-identifier'
  /** 401: Chameleon did not recognize the account secret. */
  | 'unauthorized'
  /** 403: the account secret is wrong. */
  | 'forbidden'
  /** 404: the endpoint or record does not exist. */
  | 'not-found'
  /** 413, or one item alone is over the batch limit. */
  | 'too-large'
  /** 422, 409 or another 4xx: Chameleon refused the content. */
  | 'rejected'
  /** 429 beyond the retry budget. */
  | 'rate-limited'
  /** 5xx beyond the retry budget. */
  | 'server-error'
  /** No connection could be made (refused, no such host) beyond the retry budget: nothing reached Chameleon. */
  | 'network-error'
  /**
   * The request was sent, then its answer was lost (connection reset, timeout, 502/504), and it was
   * not retried, or no retry got an answer: Chameleon may or may not have stored it. Review it before
   * sending it again.
   */
  | 'unknown-outcome'
  /** The item cannot be read or turned into JSON (a getter that throws, a BigInt without normalization). */
  | 'invalid-item'
  /** Not sent because an earlier request of the same run failed for good. */
  | 'not-sent';

/**
 * Failures no later request of the same run can escape (the secret, the endpoint, the server, the
 * network): a run stops at the first, and what it had not sent yet is `not-sent`.
 */
export const STOPS_THE_RUN: ReadonlySet<FailureReason> = /* @__PURE__ */ new Set<FailureReason>([
  'unauthorized',
  'forbidden',
  'not-found',
  'rate-limited',
  'server-error',
  'network-error',
]);

export type SendOutcome =
  | {
      ok: true;
      status: number;
      body: unknown;
      attempts: number;
      /** An earlier attempt was ambiguous and was retried: Chameleon may have stored the body twice. */
      duplicatePossible: boolean;
    }
  | { ok: false; reason: FailureReason; status?: number; message: string; body?: unknown; attempts: number };

/** 401 and 403: the account secret is not accepted; no later request can succeed. */
export function isCredentialFailure(reason: FailureReason): boolean {
  return reason === 'unauthorized' || reason === 'forbidden';
}

export interface Transport {
  fetch: typeof fetch;
  baseUrl: string;
  accountSecret: string;
  /** The header that carries the secret (`ACCOUNT_SECRET_HEADER` of facts.ts). */
  secretHeader: string;
  secretInPath: boolean;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

interface Attempt {
  outcome: SendOutcome;
  retryable: boolean;
  /** The request may have reached Chameleon and been stored, but no answer says so. */
  ambiguous: boolean;
  /** How long Chameleon asked to wait before the next attempt, when it did. */
  waitMs?: number;
}

const RATE_LIMIT_WAIT_HEADERS = ['X-Ratelimit-Wait', 'Retry-After', 'X-Retry-After'];

/** The URL of `path` (`secretPath` when the secret travels in the path). */
export function endpointUrl(transport: Transport, path: string, secretPath: string): string {
  const base = transport.baseUrl.replace(/\/+$/, '');
  if (!transport.secretInPath) return base + path;
  return base + secretPath.replace('{accountSecret}', encodeURIComponent(transport.accountSecret));
}

function requestHeaders(transport: Transport): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (!transport.secretInPath) headers[transport.secretHeader] = transport.accountSecret;
  return headers;
}

/** Seconds as a number or an HTTP date, from a header value or a body `wait`. */
function parseWaitMs(value: unknown, now: number): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function waitOf(response: Response, body: unknown): number | undefined {
  for (const header of RATE_LIMIT_WAIT_HEADERS) {
    const waitMs = parseWaitMs(response.headers.get(header), Date.now());
    if (waitMs !== undefined) return waitMs;
  }
  return parseWaitMs((body as { wait?: unknown } | null)?.wait, Date.now());
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Chameleon's error bodies are `{ code, messages: [...] }`. */
function errorMessage(status: number, body: unknown): string {
  if (status === 401 || status === 403) return `HTTP ${status}: Chameleon did not accept the Account Secret`;
  const messages = (body as { messages?: unknown } | null)?.messages;
  const detail = Array.isArray(messages)
    ? messages.join('; ')
    : typeof body === 'string'
      ? body.slice(0, 200)
      : '';
  return detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
}

/**
 * Errors (`error.cause.code`) raised before a request could reach the server: a retry
 * cannot store anything twice. Any other failure may come after the body was sent.
 */
const NOTHING_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A gateway answering for Chameleon: it may have passed the request on before losing the answer. */
const AMBIGUOUS_STATUSES: ReadonlySet<number> = new Set([502, 504]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function reasonFor(status: number): FailureReason {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 413) return 'too-large';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  return 'rejected';
}

async function attemptOnce(
  transport: Transport,
  url: string,
  body: string,
  attempts: number,
): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), transport.timeoutMs);
  try {
    const response = await transport.fetch(url, {
      method: 'POST',
      headers: requestHeaders(transport),
      body,
      signal: controller.signal,
    });
    const responseBody = await readBody(response);
    const { status } = response;
    if (status >= 200 && status < 300)
      return {
        outcome: { ok: true, status, body: responseBody, attempts, duplicatePossible: false },
        retryable: false,
        ambiguous: false,
      };
    const outcome: SendOutcome = {
      ok: false,
      reason: reasonFor(status),
      status,
      message: errorMessage(status, responseBody),
      body: responseBody,
      attempts,
    };
    const waitMs = status === 429 ? waitOf(response, responseBody) : undefined;
    return {
      outcome,
      retryable: status === 429 || status >= 500,
      ambiguous: AMBIGUOUS_STATUSES.has(status),
      ...(waitMs === undefined ? {} : { waitMs }),
    };
  } catch (error) {
    const code = errorCode(error);
    const message = controller.signal.aborted
      ? `No answer within ${transport.timeoutMs} ms`
      : `Request failed: ${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ''}`;
    const ambiguous = controller.signal.aborted || code === undefined || !NOTHING_SENT_CODES.has(code);
    return {
      outcome: { ok: false, reason: ambiguous ? 'unknown-outcome' : 'network-error', message, attempts },
      retryable: true,
      ambiguous,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Exponential backoff with equal jitter: half the delay is fixed, half random. */
function backoffMs(transport: Transport, attempt: number): number {
  const { baseDelayMs, maxDelayMs } = transport.retry;
  const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return delay / 2 + (delay / 2) * transport.random();
}

/** A failure after an ambiguous attempt: whatever the last answer, the body may be stored. */
function unknownOutcome(outcome: SendOutcome & { ok: false }, notRetried: boolean): SendOutcome {
  if (notRetried) {
    return {
      ...outcome,
      reason: 'unknown-outcome',
      message: `${outcome.message}; not retried, as a repeat could store it twice`,
    };
  }
  return {
    ...outcome,
    reason: 'unknown-outcome',
    message: `${outcome.message}; an earlier attempt got no answer, so it may be stored`,
  };
}

/**
 * POSTs `body` (JSON text) to `url`, retrying inside the budget; never throws. An
 * ambiguous attempt is retried only when `retryAmbiguous` (the body is an upsert, or the
 * caller accepts duplicates); otherwise it ends the request as `unknown-outcome`.
 */
export async function send(
  transport: Transport,
  url: string,
  body: string,
  retryAmbiguous: boolean,
): Promise<SendOutcome> {
  let ambiguousBefore = false;
  for (let attempt = 1; ; attempt++) {
    const { outcome, retryable, ambiguous, waitMs } = await attemptOnce(transport, url, body, attempt);
    if (outcome.ok) return { ...outcome, duplicatePossible: ambiguousBefore };
    const last = !retryable || attempt >= transport.retry.maxAttempts || (ambiguous && !retryAmbiguous);
    const tooLong = waitMs !== undefined && waitMs > transport.retry.maxDelayMs;
    if (last || tooLong) {
      const failure = tooLong
        ? {
            ...outcome,
            message: `${outcome.message} (Chameleon asked to wait ${Math.ceil(waitMs / 1000)} s, beyond the retry budget of ${transport.retry.maxDelayMs} ms)`,
          }
        : outcome;
      if (!ambiguous && !ambiguousBefore) return failure;
      return unknownOutcome(failure, ambiguous && !retryAmbiguous);
    }
    ambiguousBefore ||= ambiguous;
    await transport.sleep(waitMs ?? backoffMs(transport, attempt));
  }
}

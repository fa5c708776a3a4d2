// One POST to an incoming endpoint, with the retry policy: 429 (waiting as long as
// Chameleon asks) and 5xx and network failures are retried with exponential backoff
// and jitter inside a bounded budget; every other status is final. Uses only `fetch`,
// so it runs on Node 20, Workers, Deno, Bun and browsers.
import { ACCOUNT_SECRET_HEADER } from './facts.js';

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
  /** No HTTP answer (connection failure or timeout) beyond the retry budget. */
  | 'network-error'
  /** Not sent because an earlier request of the same run failed for good. */
  | 'not-sent';

export type SendOutcome =
  | { ok: true; status: number; body: unknown; attempts: number }
  | { ok: false; reason: FailureReason; status?: number; message: string; body?: unknown; attempts: number };

export interface Transport {
  fetch: typeof fetch;
  baseUrl: string;
  accountSecret: string;
  secretInPath: boolean;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

interface Attempt {
  outcome: SendOutcome;
  retryable: boolean;
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
  if (!transport.secretInPath) headers[ACCOUNT_SECRET_HEADER] = transport.accountSecret;
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
  const messages = (body as { messages?: unknown } | null)?.messages;
  const detail = Array.isArray(messages)
    ? messages.join('; ')
    : typeof body === 'string'
      ? body.slice(0, 200)
      : '';
  return detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
}

function reasonFor(status: number): FailureReason {
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
      return { outcome: { ok: true, status, body: responseBody, attempts }, retryable: false };
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
      ...(waitMs === undefined ? {} : { waitMs }),
    };
  } catch (error) {
    const message = controller.signal.aborted
      ? `No answer within ${transport.timeoutMs} ms`
      : `Request failed: ${error instanceof Error ? error.message : String(error)}`;
    return { outcome: { ok: false, reason: 'network-error', message, attempts }, retryable: true };
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

/** POSTs `body` (JSON text) to `url`, retrying inside the budget; never throws. */
export async function send(transport: Transport, url: string, body: string): Promise<SendOutcome> {
  for (let attempt = 1; ; attempt++) {
    const { outcome, retryable, waitMs } = await attemptOnce(transport, url, body, attempt);
    if (outcome.ok || !retryable || attempt >= transport.retry.maxAttempts) return outcome;
    if (waitMs !== undefined && waitMs > transport.retry.maxDelayMs) {
      return {
        ...outcome,
        message: `${outcome.message} (Chameleon asked to wait ${Math.ceil(waitMs / 1000)} s, beyond the retry budget of ${transport.retry.maxDelayMs} ms)`,
      };
    }
    await transport.sleep(waitMs ?? backoffMs(transport, attempt));
  }
}

/**
 * `chameleon-webhooks send`: exercises your endpoint the way Chameleon does.
 * It takes a fixture (or a file), gives it a fresh `id` and {@link SENT_AT_FIELD}, signs
 * the exact bytes it sends, and POSTs them with Chameleon's headers and its
 * timeout ({@link DELIVERY_TIMEOUT_SECONDS}). With `--retries` it replays the delivery
 * policy on failure ({@link RETRY_DELAYS_SECONDS}): every attempt keeps the webhook's id
 * and carries a fresh {@link SENT_AT_FIELD} and signature.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createFixture, newWebhookId } from '../fixtures.js';
import { signedRequest } from '../signed-request.js';
import { isTopic, TOPIC_INFO, WEBHOOK_TOPICS } from '../topics.js';
import { LEGACY_SECRET_ENV, SECRET_ENV, SENT_AT_FIELD, WEBHOOK_METHOD } from '../facts.js';
import { secretFromEnv } from '../verification.js';
import { WEBHOOK_HEADERS } from '../headers.js';
import type { AnyChameleonWebhook } from '../types.js';
import {
  DELIVERY_RETRIES,
  DELIVERY_TIMEOUT_SECONDS,
  RETRY_DELAYS_SECONDS,
  RETRY_SPAN_HOURS,
} from './facts.js';

export { DELIVERY_TIMEOUT_SECONDS, RETRY_DELAYS_SECONDS };

/** The first wait of `--retries`, in whole minutes, for the help text. */
const FIRST_RETRY_MINUTES = Math.round((RETRY_DELAYS_SECONDS[0] ?? 0) / 60);
/** The whole retry span at `--time-scale 0.001`, in minutes, for the help text's example. */
const THOUSANDTH_SPAN_MINUTES = ((RETRY_SPAN_HOURS * 3600 * 0.001) / 60).toFixed(1);

/** Exit codes, for scripts. */
export const SEND_EXIT = {
  /** Every webhook got a 2xx. */
  delivered: 0,
  /** The endpoint answered, but not with a 2xx (after the retries, with --retries). */
  rejected: 1,
  /** Bad arguments, an unknown topic, or a file that is not a webhook. */
  usage: 2,
  /** The endpoint could not be reached, or did not answer within the timeout. */
  unreachable: 3,
} as const;

export const SEND_USAGE = `Usage:
  chameleon-webhooks send <topic> --url URL [--secret SECRET] [options]
  chameleon-webhooks send --file payload.json --url URL [--secret SECRET] [options]
  chameleon-webhooks send --all --url URL [--secret SECRET] [options]
  chameleon-webhooks send --list

Signs a webhook with your Webhook Secret and POSTs it to URL with the headers
Chameleon sends (${Object.values(WEBHOOK_HEADERS).join(', ')}).
The payload is the topic's documented example, or --file, with a fresh id and
${SENT_AT_FIELD}. The body is pretty-printed JSON by default: a receiver that verifies a
re-serialised body instead of the raw bytes fails, as it would in production.

Options:
  --url URL           your endpoint (http or https)
  --secret SECRET     the Webhook Secret (default: $${SECRET_ENV}, or $${LEGACY_SECRET_ENV})
  --file FILE         send this JSON payload instead of a fixture (its kind is kept
                      unless a topic is given too)
  --all               send one webhook of every topic
  --list              list the topics and exit
  --retries           on a non-2xx answer or no answer, retry as Chameleon does:
                      ${DELIVERY_RETRIES} retries over ${RETRY_SPAN_HOURS} hours, doubling from about ${FIRST_RETRY_MINUTES} minutes
  --time-scale N      multiply the waits between retries by N (e.g. 0.001 turns
                      ${RETRY_SPAN_HOURS} hours into about ${THOUSANDTH_SPAN_MINUTES} minutes); default 1
  --compact           send compact JSON instead of pretty-printed
  -h, --help          show this help

Exit status: 0 delivered, 1 answered but not 2xx, 2 usage error (unknown
topic, bad file, missing option), 3 endpoint unreachable or timed out.`;

/** Where the command writes and how it reaches the network and the clock; a test passes its own. */
export interface SendIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  sleep: (milliseconds: number) => Promise<void>;
}

function processIo(): SendIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    fetch: globalThis.fetch,
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
  };
}

/** A problem with the command line or its inputs: exit code 2. */
class UsageError extends Error {}

interface SendOptions {
  url: URL;
  secret: string;
  retries: number;
  timeScale: number;
  compact: boolean;
}

type Payload = AnyChameleonWebhook;

/** What one POST came back with. */
interface AttemptResult {
  status?: number;
  statusText?: string;
  /** Set when there was no answer (refused, DNS, timeout). */
  error?: string;
  /** The start of the receiver's body when it refused the delivery: it usually says why. */
  body?: string;
  milliseconds: number;
}

type Outcome = 'delivered' | 'rejected' | 'unreachable';

/** The most of a refusing receiver's body that `send` prints. */
const BODY_EXCERPT_CHARS = 500;

/** `http://` for this machine and bare IPs (a local receiver rarely has TLS), `https://` for the rest. */
function suggestedScheme(value: string): string {
  return /^(localhost|127\.|\[::1\]|\d+\.\d+\.\d+\.\d+)/i.test(value) ? 'http://' : 'https://';
}

function readUrl(value: string | undefined): URL {
  if (!value)
    throw new UsageError('--url is required (your endpoint, e.g. --url http://localhost:3000/webhooks)');
  // `localhost:4100` parses as a URL whose scheme is "localhost:": say what was meant instead.
  if (!/^[a-z][a-z\d+.-]*:\/\//i.test(value))
    throw new UsageError(`--url "${value}" has no scheme: did you mean ${suggestedScheme(value)}${value}?`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be http or https, not ${url.protocol}`);
  return url;
}

function readTimeScale(value: string | undefined): number {
  if (value === undefined) return 1;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new UsageError(`--time-scale must be a positive number, not "${value}"`);
  return scale;
}

/** The known topic closest to a misspelt one, for the error message. */
function closestTopic(wanted: string): string | undefined {
  const distance = (a: string, b: string) => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const current = [i];
      for (let j = 1; j <= b.length; j++) {
        current[j] = Math.min(
          previous[j]! + 1,
          current[j - 1]! + 1,
          previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      previous = current;
    }
    return previous[b.length]!;
  };
  const ranked = WEBHOOK_TOPICS.map((topic) => ({ topic, score: distance(wanted, topic) })).sort(
    (x, y) => x.score - y.score,
  );
  const best = ranked[0];
  return best && best.score <= Math.max(3, wanted.length / 3) ? best.topic : undefined;
}

function checkTopic(topic: string): void {
  if (isTopic(topic)) return;
  const suggestion = closestTopic(topic);
  throw new UsageError(
    `unknown topic "${topic}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; run \`chameleon-webhooks send --list\``,
  );
}

/** A webhook read from a file: a JSON object with a non-empty `kind` and an object `data`. */
async function readPayloadFile(file: string): Promise<Payload> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file ${file} is not JSON: ${(error as Error).message}`);
  }
  const webhook = parsed as Record<string, unknown> | null;
  if (webhook === null || typeof webhook !== 'object' || Array.isArray(webhook))
    throw new UsageError(`--file ${file} must hold a JSON object (a webhook)`);
  if (typeof webhook.kind !== 'string' || webhook.kind === '')
    throw new UsageError(`--file ${file} has no "kind" (the webhook's topic)`);
  if (webhook.data === null || typeof webhook.data !== 'object' || Array.isArray(webhook.data))
    throw new UsageError(`--file ${file} has no "data" object`);
  return webhook as unknown as Payload;
}

function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}

function describeFailure(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${DELIVERY_TIMEOUT_SECONDS} s`;
  return err.cause?.code ?? err.cause?.message ?? err.message;
}

/** One delivery of `payload` with a fresh {@link SENT_AT_FIELD} and signature. */
async function attempt(payload: Payload, options: SendOptions, io: SendIo): Promise<AttemptResult> {
  const fresh = { ...payload, [SENT_AT_FIELD]: new Date().toISOString() } as Payload;
  const { body, headers } = signedRequest(fresh, options.secret, { compact: options.compact });
  const started = performance.now();
  try {
    const response = await io.fetch(options.url, {
      method: WEBHOOK_METHOD,
      body,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_SECONDS * 1000),
    });
    const text = await response.text();
    const refused = response.status < 200 || response.status >= 300;
    return {
      status: response.status,
      statusText: response.statusText,
      milliseconds: performance.now() - started,
      ...(refused && text.trim() !== '' && { body: text.trim().slice(0, BODY_EXCERPT_CHARS) }),
    };
  } catch (error) {
    return { error: describeFailure(error), milliseconds: performance.now() - started };
  }
}

/** Sends one webhook, with Chameleon's retries when asked; reports every attempt. */
async function deliver(payload: Payload, options: SendOptions, io: SendIo): Promise<Outcome> {
  const attempts = options.retries + 1;
  let outcome: Outcome = 'unreachable';
  for (let index = 0; index < attempts; index++) {
    const result = await attempt(payload, options, io);
    const took = `${Math.round(result.milliseconds)} ms`;
    const answer = result.error
      ? `no answer (${result.error})`
      : `${result.status} ${result.statusText ?? ''}`.trim();
    io.stdout.write(`${payload.kind} ${payload.id} attempt ${index + 1}/${attempts}: ${answer} in ${took}\n`);
    if (result.body !== undefined) io.stdout.write(`  the receiver answered: ${result.body}\n`);
    if (result.status !== undefined && result.status >= 200 && result.status < 300) return 'delivered';
    outcome = result.error ? 'unreachable' : 'rejected';
    const delay = RETRY_DELAYS_SECONDS[index];
    if (index + 1 < attempts && delay !== undefined) {
      const scaled = delay * options.timeScale;
      const note = options.timeScale === 1 ? '' : ` (×${options.timeScale}: ${formatDuration(scaled)})`;
      io.stdout.write(`  retry ${index + 1}/${options.retries} in ${formatDuration(delay)}${note}\n`);
      await io.sleep(scaled * 1000);
    }
  }
  return outcome;
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        secret: { type: 'string' },
        file: { type: 'string' },
        all: { type: 'boolean' },
        list: { type: 'boolean' },
        retries: { type: 'boolean' },
        'time-scale': { type: 'string' },
        compact: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function listTopics(io: SendIo): number {
  const width = Math.max(...WEBHOOK_TOPICS.map((topic) => topic.length));
  for (const topic of WEBHOOK_TOPICS)
    io.stdout.write(`${topic.padEnd(width)}  ${TOPIC_INFO[topic].description.split('\n')[0]}\n`);
  return SEND_EXIT.delivered;
}

/** The webhooks to send, in order, from the topic, --file or --all. */
async function payloadsFor(
  positionals: string[],
  values: ReturnType<typeof parse>['values'],
): Promise<Payload[]> {
  if (positionals.length > 1)
    throw new UsageError(`one topic at a time (got ${positionals.join(', ')}); use --all for every topic`);
  const [topic] = positionals;
  if (topic !== undefined) checkTopic(topic);
  if (values.all) {
    if (topic !== undefined || values.file)
      throw new UsageError('--all sends every topic: give no topic and no --file');
    return WEBHOOK_TOPICS.map((kind) => createFixture(kind) as Payload);
  }
  if (values.file) {
    const fromFile = await readPayloadFile(values.file);
    return [{ ...fromFile, id: newWebhookId(), ...(topic !== undefined ? { kind: topic } : {}) } as Payload];
  }
  if (topic === undefined) throw new UsageError('name a topic (see --list), or use --file or --all');
  return [createFixture(topic as Parameters<typeof createFixture>[0]) as Payload];
}

async function run(args: readonly string[], io: SendIo): Promise<number> {
  const { values, positionals } = parse(args);
  if (values.help) {
    io.stdout.write(`${SEND_USAGE}\n`);
    return SEND_EXIT.delivered;
  }
  if (values.list) return listTopics(io);
  const payloads = await payloadsFor(positionals, values);
  const secret = values.secret ?? secretFromEnv(io.env);
  if (!secret) throw new UsageError(`--secret is required (or set ${SECRET_ENV})`);
  const options: SendOptions = {
    url: readUrl(values.url),
    secret,
    retries: values.retries ? RETRY_DELAYS_SECONDS.length : 0,
    timeScale: readTimeScale(values['time-scale']),
    compact: values.compact ?? false,
  };
  let worst: Outcome = 'delivered';
  for (const payload of payloads) {
    const outcome = await deliver(payload, options, io);
    if (outcome === 'unreachable') return SEND_EXIT.unreachable;
    if (outcome === 'rejected') worst = outcome;
  }
  return SEND_EXIT[worst];
}

/** Runs `chameleon-webhooks send …`; resolves to the exit code (see `SEND_EXIT`). */
export async function runSend(args: readonly string[], io: Partial<SendIo> = {}): Promise<number> {
  const full = { ...processIo(), ...io };
  try {
    return await run(args, full);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    full.stderr.write(`chameleon-webhooks send: ${error.message}\n`);
    return SEND_EXIT.usage;
  }
}

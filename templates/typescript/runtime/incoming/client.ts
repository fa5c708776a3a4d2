// The incoming client: sends profiles, companies and events to Chameleon, checks
// identifiers before sending, normalizes properties as Chameleon will, and accounts
// for every item. Imports nothing from `node:`: it runs wherever `fetch` does.
import type { BatchProgress, BatchReport, BatchRequest, BatchRun, PreparedItem } from './batch.js';
import {
  ACCOUNT_SECRET_HEADER,
  INCOMING_BASE_URL,
  INCOMING_ENDPOINTS,
  INCOMING_LIMITS,
  type BatchModel,
  type IncomingModel,
} from './facts.js';
import type { FailureReason, RetryOptions, Transport } from './http.js';
import {
  normalizeName,
  normalizeProperties,
  utf8ByteLength,
  type NormalizationWarning,
} from './normalize.js';
import { loadOnce } from '../load-once.js';
import type { IncomingCompany, IncomingEvent, IncomingProfile } from '../types.js';

export type { BatchProgress, BatchReport, IndexedWarning, ReturnedItem } from './batch.js';
export type { FailureReason, RetryOptions } from './http.js';

/** Any key besides the documented ones is a custom property, stored under its normalized name. */
export type CustomProperties = { [key: string]: unknown };
export type ProfileInput = IncomingProfile & CustomProperties;
export type CompanyInput = IncomingCompany & CustomProperties;
export type EventInput = IncomingEvent & CustomProperties;

export interface IncomingClientOptions {
  /** The Account Secret from Chameleon's dashboard. */
  accountSecret: string;
  /** Default {@link INCOMING_BASE_URL}. */
  baseUrl?: string;
  /** Default: the global `fetch` (Node 20+, Workers, Deno, Bun, browsers). */
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /**
   * Put the secret in the URL path instead of the {@link ACCOUNT_SECRET_HEADER} header. Off by
   * default: a secret in a URL ends up in proxy and access logs.
   */
  secretInPath?: boolean;
  /** Normalize custom properties (and event names) before sending, as Chameleon will (default true). */
  normalize?: boolean;
  /**
   * Send an event again when an attempt's answer was lost (reset, timeout, 502/504), accepting that
   * Chameleon may then store it twice (at-least-once). Off by default: such an event is returned as
   * `unknown-outcome` for you to review. Profiles and companies are upserts and always retried.
   */
  retryAmbiguous?: boolean;
  /** Time allowed for each HTTP request (default 30,000 ms). */
  timeoutMs?: number;
  /** Largest batch body in bytes (default and maximum `INCOMING_LIMITS.batchBytes`, Chameleon's limit). */
  maxBatchBytes?: number;
  /** Most items per batch request (default `INCOMING_LIMITS.suggestedBatchItems`, the size Chameleon suggests). */
  maxBatchItems?: number;
  /** Waits between retries; replace it in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); replace it in tests. */
  random?: () => number;
}

/** A single request Chameleon accepted. */
export interface SendResult {
  /** The Chameleon ID of the record or event (`{ profile: { id } }` and the like), when the answer has one. */
  id?: string;
  status: number;
  /** What normalization changed beyond renaming keys. */
  warnings: NormalizationWarning[];
  /** Chameleon's answer, parsed. */
  response: unknown;
  /** Present (true) when an earlier attempt's answer was lost and `retryAmbiguous` sent the event again. */
  duplicatePossible?: true;
}

export interface BatchOptions {
  /** What Chameleon does with an item whose record does not exist: `create` (its default) or `ignore`. */
  onModelMissing?: 'create' | 'ignore';
  /** Called after each request with the running totals. */
  onProgress?: (progress: BatchProgress) => void;
}

/** A single request that was not accepted, or could not be sent. */
export class IncomingRequestError extends Error {
  override readonly name = 'IncomingRequestError';
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly status?: number,
    readonly body?: unknown,
    readonly attempts = 0,
  ) {
    super(message);
  }
}

export interface IncomingClient {
  readonly profiles: {
    /** Creates or updates one User Profile (needs `uid`, `email` or `id`); throws IncomingRequestError unless accepted. */
    upsert(profile: ProfileInput): Promise<SendResult>;
    /** Creates or updates many; never throws for an item: each is accepted or returned in the report. */
    batch(profiles: readonly ProfileInput[], options?: BatchOptions): Promise<BatchReport<ProfileInput>>;
  };
  readonly companies: {
    /** Creates or updates one Company (needs `uid` or `id`); throws IncomingRequestError unless accepted. */
    upsert(company: CompanyInput): Promise<SendResult>;
    batch(companies: readonly CompanyInput[], options?: BatchOptions): Promise<BatchReport<CompanyInput>>;
  };
  readonly events: {
    /**
     * Records one event (needs `name` and a user: `uid`, `id` or `email`); throws IncomingRequestError
     * unless accepted, with reason `unknown-outcome` when the request was sent and its answer lost.
     */
    track(event: EventInput): Promise<SendResult>;
    /**
     * Records many events, one request each, in order (events have no batch endpoint). Never throws for
     * an item: each is accepted or returned in the report; a failure for good stops the run.
     */
    trackMany(events: readonly EventInput[], options?: BatchOptions): Promise<BatchReport<EventInput>>;
  };
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function listKeys(keys: readonly string[]): string {
  const quoted = keys.map((key) => `\`${key}\``);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : (quoted[0] ?? '');
}

/** HTTP and batching, loaded on the first send (sending.ts says why). */
const loadSending = /* @__PURE__ */ loadOnce(() => import('./sending.js'));

/** "A profile", "An event": the start of a message about one item of `model`. */
const ONE_ITEM: { readonly [Model in IncomingModel]: string } = {
  profiles: 'A profile',
  companies: 'A company',
  events: 'An event',
};

/** Why `body` cannot be sent to the `model` endpoint, or undefined when its identifiers are there. */
export function missingIdentifier(
  model: IncomingModel,
  body: Readonly<Record<string, unknown>>,
): string | undefined {
  const { required, identifierSets } = INCOMING_ENDPOINTS[model];
  const absent = required.filter((key) => !isPresent(body[key]));
  if (absent.length) return `${ONE_ITEM[model]} needs ${absent.map((key) => `\`${key}\``).join(' and ')}.`;
  if (!identifierSets.length || identifierSets.some((set) => set.every((key) => isPresent(body[key]))))
    return undefined;
  return `${ONE_ITEM[model]} needs ${listKeys(identifierSets.map((set) => set.join(' + ')))}.`;
}

interface Prepared {
  json: string;
  warnings: NormalizationWarning[];
}

interface Unsendable {
  reason: 'missing-identifier' | 'invalid-item';
  message: string;
}

/** Identifier check, then normalization; says why when the item cannot be sent. Never throws. */
function prepare(
  model: IncomingModel,
  item: Readonly<Record<string, unknown>>,
  normalize: boolean,
): Prepared | Unsendable {
  try {
    return prepareOrThrow(model, item, normalize);
  } catch (error) {
    // A getter that throws, or a value JSON.stringify refuses (a BigInt when normalize is off).
    const detail = error instanceof Error ? error.message : String(error);
    return { reason: 'invalid-item', message: `${ONE_ITEM[model]} could not be read as JSON: ${detail}` };
  }
}

function prepareOrThrow(
  model: IncomingModel,
  item: Readonly<Record<string, unknown>>,
  normalize: boolean,
): Prepared | Unsendable {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return { reason: 'invalid-item', message: `${ONE_ITEM[model]} must be an object.` };
  const missing = missingIdentifier(model, item);
  if (missing) return { reason: 'missing-identifier', message: missing };
  if (!normalize) return { json: JSON.stringify(item), warnings: [] };
  const { properties, warnings } = normalizeProperties(item, {
    keepKeys: INCOMING_ENDPOINTS[model].knownKeys,
  });
  if (model === 'events' && typeof properties.name === 'string') {
    properties.name = normalizeName(properties.name);
    if (properties.name === '')
      return {
        reason: 'missing-identifier',
        message: 'The event `name` has no letter or digit, so Chameleon cannot store it.',
      };
  }
  return { json: JSON.stringify(properties), warnings };
}

function recordIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  for (const value of Object.values(body)) {
    const id = (value as { id?: unknown } | null)?.id;
    if (typeof id === 'string') return id;
  }
  return undefined;
}

function transportOf(options: IncomingClientOptions): Transport {
  if (!options.accountSecret) throw new TypeError('createIncomingClient: accountSecret is required');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function')
    throw new TypeError('createIncomingClient: no global fetch here; pass options.fetch');
  return {
    fetch: fetchImpl,
    baseUrl: options.baseUrl ?? INCOMING_BASE_URL,
    accountSecret: options.accountSecret,
    secretHeader: ACCOUNT_SECRET_HEADER,
    secretInPath: options.secretInPath ?? false,
    retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, ...options.retry },
    timeoutMs: options.timeoutMs ?? 30_000,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}

function emptyReport<Item>(total: number): BatchReport<Item> {
  return {
    total,
    accepted: [],
    returned: [],
    duplicatesPossible: [],
    batchIds: [],
    requests: 0,
    warnings: [],
  };
}

/** One request per item, in order; every item ends accepted or returned. */
async function trackEach<Item extends Record<string, unknown>>(
  items: readonly Item[],
  sendItem: (item: Item, onAttempts: (attempts: number) => void) => Promise<SendResult>,
  options: BatchOptions = {},
): Promise<BatchReport<Item>> {
  const { returnItem, STOPS_THE_RUN } = await loadSending();
  const run: BatchRun<Item> = { report: emptyReport(items.length), itemAt: (index) => items[index]! };
  const { report } = run;
  let stoppedBy: string | undefined;
  for (let index = 0; index < items.length; index++) {
    if (stoppedBy) {
      returnItem(run, index, 'not-sent', `Not sent: an earlier request failed for good (${stoppedBy}).`);
      continue;
    }
    try {
      const result = await sendItem(items[index]!, (attempts) => (report.requests += attempts));
      report.accepted.push(index);
      if (result.duplicatePossible) report.duplicatesPossible.push(index);
      report.warnings.push(...result.warnings.map((warning) => ({ ...warning, index })));
    } catch (error) {
      if (!(error instanceof IncomingRequestError)) throw error;
      returnItem(run, index, error.reason, error.message, error.status);
      if (STOPS_THE_RUN.has(error.reason)) stoppedBy = error.message;
    }
    const done = report.accepted.length + report.returned.length;
    options.onProgress?.({
      total: items.length,
      done,
      accepted: report.accepted.length,
      returned: report.returned.length,
    });
  }
  return report;
}

/** Creates a client for Chameleon's incoming endpoints. */
export function createIncomingClient(options: IncomingClientOptions): IncomingClient {
  const transport = transportOf(options);
  const normalize = options.normalize ?? true;
  const maxBytes = Math.min(options.maxBatchBytes ?? INCOMING_LIMITS.batchBytes, INCOMING_LIMITS.batchBytes);
  const maxItems = Math.max(1, options.maxBatchItems ?? INCOMING_LIMITS.suggestedBatchItems);

  // Profiles and companies are upserts: sending one again after a lost answer changes nothing.
  const retryAmbiguous = (model: IncomingModel) => model !== 'events' || options.retryAmbiguous === true;

  async function sendOne(
    model: IncomingModel,
    item: Record<string, unknown>,
    onAttempts?: (attempts: number) => void,
  ): Promise<SendResult> {
    const prepared = prepare(model, item, normalize);
    if ('reason' in prepared) throw new IncomingRequestError(prepared.reason, prepared.message);
    const endpoint = INCOMING_ENDPOINTS[model];
    const { endpointUrl, send } = await loadSending();
    const outcome = await send(
      transport,
      endpointUrl(transport, endpoint.path, endpoint.secretPath),
      prepared.json,
      retryAmbiguous(model),
    );
    onAttempts?.(outcome.attempts);
    if (!outcome.ok)
      throw new IncomingRequestError(
        outcome.reason,
        outcome.message,
        outcome.status,
        outcome.body,
        outcome.attempts,
      );
    const id = recordIdOf(outcome.body);
    return {
      ...(id === undefined ? {} : { id }),
      status: outcome.status,
      warnings: prepared.warnings,
      response: outcome.body,
      ...(outcome.duplicatePossible ? { duplicatePossible: true as const } : {}),
    };
  }

  async function sendMany<Item extends Record<string, unknown>>(
    model: BatchModel,
    items: readonly Item[],
    batchOptions: BatchOptions = {},
  ): Promise<BatchReport<Item>> {
    const endpoint = INCOMING_ENDPOINTS[model];
    const { bodyOverhead, endpointUrl, returnItem, sendBatches } = await loadSending();
    const run: BatchRun<Item> = {
      report: emptyReport(items.length),
      itemAt: (index) => items[index]!,
    };
    const request: BatchRequest = {
      url: endpointUrl(transport, endpoint.batchPath!, endpoint.secretBatchPath!),
      key: endpoint.batchKey!,
      extra: batchOptions.onModelMissing ? { on_model_missing: batchOptions.onModelMissing } : {},
      maxBytes,
      maxItems,
      ...(batchOptions.onProgress ? { onProgress: batchOptions.onProgress } : {}),
    };
    const room = maxBytes - bodyOverhead(request);
    const ready: PreparedItem[] = [];
    for (let index = 0; index < items.length; index++) {
      const prepared = prepare(model, items[index]!, normalize);
      if ('reason' in prepared) {
        returnItem(run, index, prepared.reason, prepared.message);
        continue;
      }
      run.report.warnings.push(...prepared.warnings.map((warning) => ({ ...warning, index })));
      const bytes = utf8ByteLength(prepared.json);
      if (bytes > room) {
        returnItem(run, index, 'too-large', `The item is ${bytes} bytes; a batch holds at most ${maxBytes}.`);
        continue;
      }
      ready.push({ index, json: prepared.json, bytes });
    }
    await sendBatches(transport, request, ready, run);
    run.report.accepted.sort((a, b) => a - b);
    run.report.returned.sort((a, b) => a.index - b.index);
    return run.report;
  }

  return {
    profiles: {
      upsert: (profile) => sendOne('profiles', profile),
      batch: (profiles, batchOptions) => sendMany('profiles', profiles, batchOptions),
    },
    companies: {
      upsert: (company) => sendOne('companies', company),
      batch: (companies, batchOptions) => sendMany('companies', companies, batchOptions),
    },
    events: {
      track: (event) => sendOne('events', event),
      trackMany: (events, batchOptions) =>
        trackEach(events, (event, onAttempts) => sendOne('events', event, onAttempts), batchOptions),
    },
  };
}

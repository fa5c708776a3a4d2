/**
 * The incoming client against a local server that behaves as Chameleon documents:
 * every item ends accepted or returned, none lost, none stored twice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createIncomingClient,
  IncomingRequestError,
  type BatchReport,
  type IncomingClientOptions,
} from '../generated/typescript/src/incoming/client.js';
import { SPEC_DIR } from './helpers.js';
import { startFakeChameleon, type FakeChameleon, type ScriptedFailure } from './incoming-server.js';

const api = JSON.parse(readFileSync(path.join(SPEC_DIR, 'api.json'), 'utf8'));
const BATCH_BYTES: number = api.incoming.limits.batchBytes;
const SECRET_HEADER: string = api.incoming.secretHeader.toLowerCase();

let server: FakeChameleon;
let sleeps: number[];

beforeEach(async () => {
  server = await startFakeChameleon();
  sleeps = [];
});
afterEach(() => server.close());

function client(options: Partial<IncomingClientOptions> = {}) {
  return createIncomingClient({
    accountSecret: server.secret,
    baseUrl: server.baseUrl,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 },
    ...options,
  });
}

const profiles = (count: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: count }, (_, index) => ({ uid: `u${index}`, planName: 'Growth', ...extra }));

/** Every index is accepted or returned, exactly once. */
function expectAccounted(report: BatchReport<unknown>, total: number): void {
  const seen = [...report.accepted, ...report.returned.map((item) => item.index)].sort((a, b) => a - b);
  expect(seen).toEqual(Array.from({ length: total }, (_, index) => index));
}

function storedUids(model = 'profiles'): string[] {
  return (server.stored.get(model) ?? []).map((item) => String(item.uid));
}

describe('single requests', () => {
  it('sends the secret in the header, normalizes properties, and returns the record id', async () => {
    const result = await client().profiles.upsert({
      uid: '92340834',
      email: 'jane@example.com',
      planName: 'Growth',
    });
    expect(result).toEqual({ id: 'id-1', status: 200, warnings: [], response: { profile: { id: 'id-1' } } });
    const [request] = server.requests;
    expect(request?.path).toBe(api.incoming.endpoints[0].path);
    expect(request?.headers[SECRET_HEADER]).toBe(server.secret);
    expect(request?.body).toEqual({ uid: '92340834', email: 'jane@example.com', plan_name: 'Growth' });
  });

  it('puts the secret in the path only when asked', async () => {
    await client({ secretInPath: true }).companies.upsert({ uid: 'acme', companyName: 'Acme' });
    const [request] = server.requests;
    expect(request?.path).toBe(`/v3/observe/hooks/${server.secret}/companies`);
    expect(request?.headers[SECRET_HEADER]).toBeUndefined();
    expect(request?.body).toEqual({ uid: 'acme', company_name: 'Acme' });
  });

  it('normalizes the event name and reports what normalization lost', async () => {
    const result = await client().events.track({
      uid: '92340834',
      name: 'Imported Leads',
      count: 12,
      bio: 'x'.repeat(800),
    });
    expect(server.requests[0]?.body).toEqual({
      uid: '92340834',
      name: 'imported_leads',
      count: 12,
      bio: 'x'.repeat(768),
    });
    expect(result.warnings).toEqual([{ path: '/bio', kind: 'truncated', message: expect.any(String) }]);
  });

  it.each([
    ['profiles', { email: '' }, /`uid`, `email` or `id`/],
    ['companies', { name: 'Acme' }, /`uid` or `id`/],
    ['events', { uid: 'u1' }, /`name`/],
    ['events', { name: 'Signed up' }, /`uid`, `id` or `email`/],
  ] as const)('checks the identifiers of %s before sending: %j', async (model, body, message) => {
    const resources = client() as unknown as Record<
      string,
      Record<string, (body: unknown) => Promise<unknown>>
    >;
    const call = model === 'events' ? resources.events!.track!(body) : resources[model]!.upsert!(body);
    await expect(call).rejects.toThrow(message);
    await expect(call).rejects.toMatchObject({ reason: 'missing-identifier' });
    expect(server.requests).toEqual([]);
  });

  it('never retries 403, 404 or 422', async () => {
    await expect(client({ accountSecret: 'wrong' }).profiles.upsert({ uid: 'u1' })).rejects.toMatchObject({
      reason: 'forbidden',
      status: 403,
      attempts: 1,
    });
    server.failures.push({ status: 422, body: { code: 422, messages: ['timestamp is invalid'] } });
    const error = await client()
      .profiles.upsert({ uid: 'u1' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IncomingRequestError);
    expect(error).toMatchObject({
      reason: 'rejected',
      status: 422,
      message: 'HTTP 422: timestamp is invalid',
    });
    server.failures.push({ status: 404 });
    await expect(client().events.track({ uid: 'u1', name: 'x' })).rejects.toMatchObject({
      reason: 'not-found',
      attempts: 1,
    });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([]);
  });

  it('waits as long as a 429 asks (X-Ratelimit-Wait, Retry-After), then succeeds', async () => {
    server.failures.push(
      { status: 429, headers: { 'X-Ratelimit-Wait': '2' } },
      { status: 429, headers: { 'Retry-After': '1.5' } },
    );
    server.failures.push({ status: 429, body: { code: 429, messages: ['slow down'], wait: 3 } });
    const result = await client().profiles.upsert({ uid: 'u1' });
    expect(result.status).toBe(200);
    expect(sleeps).toEqual([2000, 1500, 3000]);
    expect(storedUids()).toEqual(['u1']);
  });

  it('gives up at once when a 429 asks to wait beyond the budget', async () => {
    server.failures.push({ status: 429, headers: { 'X-Ratelimit-Wait': '600' } });
    await expect(client().profiles.upsert({ uid: 'u1' })).rejects.toMatchObject({
      reason: 'rate-limited',
      attempts: 1,
      message: /600 s/,
    });
    expect(sleeps).toEqual([]);
  });

  it('retries 5xx with exponential backoff and jitter inside the budget', async () => {
    server.failures.push({ status: 500 }, { status: 503 }, { status: 504 });
    await client({ random: () => 0 }).profiles.upsert({ uid: 'u1' });
    expect(sleeps).toEqual([50, 100, 200]); // half of 100·2^n fixed, the other half jitter (0 here)
    sleeps = [];
    server.failures.push(...Array.from({ length: 10 }, () => ({ status: 500 })));
    await expect(client({ random: () => 1 }).profiles.upsert({ uid: 'u2' })).rejects.toMatchObject({
      reason: 'server-error',
      attempts: 4,
    });
    expect(sleeps).toEqual([100, 200, 400]);
    expect(storedUids()).toEqual(['u1']);
  });

  it('retries a failure with no answer for an upsert, then says its outcome is unknown', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(client({ fetch: failing }).profiles.upsert({ uid: 'u1' })).rejects.toMatchObject({
      reason: 'unknown-outcome',
      attempts: 4,
    });
  });

  it('retries an event when nothing reached the server (connection refused) and calls it a network error', async () => {
    const closed = await startFakeChameleon();
    await closed.close();
    await expect(
      client({ baseUrl: closed.baseUrl }).events.track({ uid: 'u1', name: 'x' }),
    ).rejects.toMatchObject({ reason: 'network-error', attempts: 4, message: /ECONNREFUSED/ });
  });

  it('stops at a 401 without retrying and names the Account Secret', async () => {
    await server.close();
    server = await startFakeChameleon({ wrongSecretStatus: 401 });
    await expect(
      client({ accountSecret: 'wrong' }).events.track({ uid: 'u1', name: 'x' }),
    ).rejects.toMatchObject({ reason: 'unauthorized', status: 401, attempts: 1, message: /Account Secret/ });
    expect(server.requests).toHaveLength(1);
  });
});

describe('batches', () => {
  it('sends one 202 batch with on_model_missing and returns per-item 422s by index', async () => {
    const items = [
      { uid: 'a' },
      { id: 'only-an-id' },
      { email: 'c@example.com', Plan: 'x' },
      { name: 'no identifier' },
    ];
    const report = await client().profiles.batch(items, { onModelMissing: 'ignore' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.path).toBe(api.incoming.endpoints[0].batchPath);
    expect(server.requests[0]?.body).toMatchObject({ on_model_missing: 'ignore' });
    expect(report.accepted).toEqual([0, 2]);
    expect(report.returned).toEqual([
      { index: 1, item: items[1], reason: 'rejected', status: 422, message: 'needs uid or email' },
      {
        index: 3,
        item: items[3],
        reason: 'missing-identifier',
        message: expect.stringContaining('`uid`, `email` or `id`'),
      },
    ]);
    expect(report.batchIds).toEqual(['batch-1']);
    expectAccounted(report, items.length);
  });

  it(`splits batches to stay within ${BATCH_BYTES} bytes`, async () => {
    const bio = 'b'.repeat(700);
    const items = Array.from({ length: 30_000 }, (_, index) => ({ uid: `user-${index}`, bio }));
    const report = await client({ maxBatchItems: 1_000_000 }).profiles.batch(items);
    expect(server.requests.length).toBeGreaterThan(1);
    for (const request of server.requests) {
      expect(request.status).toBe(202);
      expect(request.bytes).toBeLessThanOrEqual(BATCH_BYTES);
    }
    expect(report.accepted).toHaveLength(items.length);
    expect(storedUids()).toEqual(items.map((item) => item.uid));
  });

  it('splits by item count too', async () => {
    const report = await client({ maxBatchItems: 3 }).companies.batch(
      Array.from({ length: 7 }, (_, index) => ({ uid: `c${index}` })),
    );
    expect(
      server.requests.map((request) => (request.body as { companies: unknown[] }).companies.length),
    ).toEqual([3, 3, 1]);
    expect(report.accepted).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('halves a batch on 413 until it fits, and returns an item too large alone', async () => {
    await server.close();
    server = await startFakeChameleon({ batchLimitBytes: 2_000 });
    const items = [
      ...profiles(40),
      { uid: 'huge', bio: 'x'.repeat(700), notes: 'y'.repeat(700), more: 'z'.repeat(700) },
    ];
    const report = await client().profiles.batch(items);
    expect(server.requests.some((request) => request.status === 413)).toBe(true);
    expect(report.accepted).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(report.returned).toEqual([
      expect.objectContaining({ index: 40, reason: 'too-large', status: 413 }),
    ]);
    expect(storedUids()).toEqual(items.slice(0, 40).map((item) => item.uid));
  });

  it('returns what was not sent when a request fails for good, and stores nothing twice', async () => {
    server.failWhen = ({ count }) => (count >= 2 ? { status: 503 } : undefined);
    const report = await client({ maxBatchItems: 10 }).profiles.batch(profiles(35));
    expect(report.accepted).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(report.returned.map(({ index, reason }) => [index, reason])).toEqual([
      ...Array.from({ length: 10 }, (_, offset) => [20 + offset, 'server-error']),
      ...Array.from({ length: 5 }, (_, offset) => [30 + offset, 'not-sent']),
    ]);
    expect(report.requests).toBe(2 + 4);
    expect(storedUids()).toEqual(profiles(20).map((item) => item.uid));
  });

  it('stops at a 403 without retrying and returns every item', async () => {
    const report = await client({ accountSecret: 'wrong', maxBatchItems: 2 }).profiles.batch(profiles(5));
    expect(server.requests).toHaveLength(1);
    expect(report.accepted).toEqual([]);
    expect(report.returned.map((item) => item.reason)).toEqual([
      'forbidden',
      'forbidden',
      'not-sent',
      'not-sent',
      'not-sent',
    ]);
  });

  it('reports progress after each request and indexes warnings', async () => {
    const progress: number[] = [];
    const report = await client({ maxBatchItems: 2 }).profiles.batch(profiles(3, { tags: [1, null] }), {
      onProgress: ({ done }) => progress.push(done),
    });
    expect(progress).toEqual([2, 3]);
    expect(report.warnings.map(({ index, kind }) => [index, kind])).toEqual([
      [0, 'null-in-array'],
      [1, 'null-in-array'],
      [2, 'null-in-array'],
    ]);
  });

  it('accounts for every item, whatever the server does (property test)', async () => {
    const failure: fc.Arbitrary<ScriptedFailure | undefined> = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom<ScriptedFailure>(
        { status: 500 },
        { status: 503 },
        { status: 429, headers: { 'X-Ratelimit-Wait': '1' } },
        { status: 429, headers: { 'Retry-After': '9999' } },
        { status: 422 },
        { status: 413 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ uid: fc.string({ minLength: 1, maxLength: 5 }) }),
            fc.record({ name: fc.string() }),
          ),
          { maxLength: 25 },
        ),
        fc.array(failure, { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        async (items, failures, maxBatchItems) => {
          server.requests.length = 0;
          server.stored.clear();
          // One scripted answer per request, in order; undefined answers normally.
          const script = [...failures];
          server.failWhen = () => script.shift();
          const tagged = items.map((item, index) => ({ ...item, seq: index }));
          const report = await client({ maxBatchItems }).profiles.batch(tagged);
          expectAccounted(report, items.length);
          const stored = (server.stored.get('profiles') ?? []).map((item) => item.seq as number);
          // Stored exactly once each, and stored means accepted.
          expect(new Set(stored).size).toBe(stored.length);
          expect([...stored].sort((a, b) => a - b)).toEqual(report.accepted);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** A seeded generator (mulberry32), so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Answers lost after storing, on about `rate` of the requests: reset, no answer, a late answer. */
function lostAnswers(rate: number, seed: number): () => ScriptedFailure | undefined {
  const random = seeded(seed);
  const faults: ScriptedFailure[] = [{ fault: 'reset' }, { fault: 'hang' }, { fault: 'late', delayMs: 600 }];
  return () => (random() < rate ? faults[Math.floor(random() * faults.length)] : undefined);
}

function storedCounts(model: string, key: string): Map<unknown, number> {
  const counts = new Map<unknown, number>();
  for (const item of server.stored.get(model) ?? []) counts.set(item[key], (counts.get(item[key]) ?? 0) + 1);
  return counts;
}

describe('answers lost after Chameleon stored the request', () => {
  it('retries upsert batches (a repeat is harmless) and never calls a stored item failed', async () => {
    server.failWhen = lostAnswers(0.3, 7);
    const items = profiles(600);
    const report = await client({
      maxBatchItems: 20,
      timeoutMs: 300,
      retry: { maxAttempts: 10 },
    }).profiles.batch(items);
    expectAccounted(report, items.length);
    expect(server.requests.some((request) => request.status === 0)).toBe(true);
    expect(report.accepted).toHaveLength(items.length);
    expect(report.duplicatesPossible).toEqual([]);
    expect(new Set(storedUids())).toEqual(new Set(items.map((item) => item.uid)));
  });

  it('sends an event once: a lost answer is returned as unknown-outcome, never sent again', async () => {
    server.failWhen = lostAnswers(0.3, 11);
    const events = Array.from({ length: 40 }, (_, index) => ({
      uid: `u${index}`,
      name: 'Signed up',
      seq: index,
    }));
    const report = await client({ timeoutMs: 300 }).events.trackMany(events);
    expectAccounted(report, events.length);
    const counts = storedCounts('events', 'seq');
    expect(Math.max(...counts.values())).toBe(1); // no event stored twice
    const unknown = report.returned.filter((item) => item.reason === 'unknown-outcome');
    expect(unknown.length).toBeGreaterThan(5);
    expect(unknown.length).toBe(report.returned.length);
    for (const index of report.accepted) expect(counts.get(index)).toBe(1);
    // Every unknown one was in fact stored here: the report must not have called it failed.
    for (const { index } of unknown) expect(counts.get(index)).toBe(1);
    expect(report.duplicatesPossible).toEqual([]);
    expect(server.requests).toHaveLength(events.length);
  });

  it('with retryAmbiguous, accepts every event and lists the ones that may be stored twice', async () => {
    server.failWhen = lostAnswers(0.3, 13);
    const events = Array.from({ length: 30 }, (_, index) => ({
      uid: `u${index}`,
      name: 'Signed up',
      seq: index,
    }));
    const report = await client({
      timeoutMs: 300,
      retryAmbiguous: true,
      retry: { maxAttempts: 10 },
    }).events.trackMany(events);
    expect(report.accepted).toHaveLength(events.length);
    const twice = [...storedCounts('events', 'seq')].filter(([, count]) => count > 1).map(([seq]) => seq);
    expect(twice.length).toBeGreaterThan(0);
    for (const seq of twice) expect(report.duplicatesPossible).toContain(seq);
  });

  it('a single event whose answer is lost throws unknown-outcome after one attempt', async () => {
    server.failures.push({ fault: 'reset' });
    await expect(client().events.track({ uid: 'u1', name: 'x' })).rejects.toMatchObject({
      reason: 'unknown-outcome',
      attempts: 1,
      message: /not retried/,
    });
    expect(server.stored.get('events')).toHaveLength(1);
    server.failures.push({ status: 504 });
    await expect(client().events.track({ uid: 'u2', name: 'x' })).rejects.toMatchObject({
      reason: 'unknown-outcome',
      status: 504,
    });
  });
});

describe('bad items', () => {
  it('returns an item with a throwing getter or a BigInt in the report instead of throwing', async () => {
    const throwing = { uid: 'bad' } as Record<string, unknown>;
    Object.defineProperty(throwing, 'plan', {
      enumerable: true,
      get: () => {
        throw new Error('no plan');
      },
    });
    const items = [{ uid: 'a' }, throwing, { uid: 'b' }];
    const report = await client().profiles.batch(items);
    expect(report.accepted).toEqual([0, 2]);
    expect(report.returned).toEqual([
      {
        index: 1,
        item: throwing,
        reason: 'invalid-item',
        message: 'A profile could not be read as JSON: no plan',
      },
    ]);
    const raw = await client({ normalize: false }).companies.batch([{ uid: 'c', seats: 10n }, { uid: 'd' }]);
    expect(raw.accepted).toEqual([1]);
    expect(raw.returned[0]).toMatchObject({ index: 0, reason: 'invalid-item', message: /BigInt/ });
  });

  it('words its messages for one item of the model', async () => {
    const report = await client().events.trackMany([{ uid: 'u1' } as never, { name: 'x' } as never]);
    expect(report.returned.map((item) => item.message)).toEqual([
      'An event needs `name`.',
      'An event needs `uid`, `id` or `email`.',
    ]);
    await expect(client().profiles.upsert({})).rejects.toThrow('A profile needs `uid`, `email` or `id`.');
    await expect(client().companies.upsert({})).rejects.toThrow(/^A company needs/);
  });
});

describe('package entries', () => {
  it('exports the client and normalization from both entries, as the issue shows', async () => {
    for (const entry of ['index.js', 'web.js']) {
      const module = await import(`../generated/typescript/src/${entry}`);
      expect(typeof module.createIncomingClient).toBe('function');
      expect(module.normalizeProperties({ planName: 'Growth' })).toEqual({
        properties: { plan_name: 'Growth' },
        warnings: [],
      });
    }
  });

  it('keeps node: out of the incoming modules (they are part of the web entry)', async () => {
    const dir = path.join(SPEC_DIR, '../generated/typescript/src/incoming');
    for (const name of ['client.ts', 'http.ts', 'batch.ts', 'facts.ts', 'normalize.ts', 'csv.ts']) {
      expect(readFileSync(path.join(dir, name), 'utf8')).not.toMatch(/from ['"]node:/);
    }
  });
});

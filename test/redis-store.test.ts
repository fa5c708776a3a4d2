/**
 * createRedisIdempotencyStore against a real redis-server (test/redis-server.ts), with both clients
 * it accepts, ioredis and node-redis: exactly once across receivers sharing Redis, owner tokens,
 * lease renewal under a slow handler, and a stalled or unreachable Redis (SIGSTOP, a dead port),
 * which answers 503 within the deadline and loses nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHandler, type ReceiverOptions } from '../generated/typescript/src/index.js';
import {
  createRedisIdempotencyStore,
  type RedisClientLike,
  type RedisIdempotencyStoreOptions,
} from '../generated/typescript/src/redis.js';
import { freePort, socketWrites, startRedis, type RedisServer } from './redis-server.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Connect = (url: string) => Promise<RedisClientLike>;

/** Calls of each command since `CONFIG RESETSTAT`, from `INFO commandstats`. */
async function commandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  return Object.fromEntries(
    [...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map(([, name, calls]) => [name!, Number(calls)]),
  );
}

const CLIENTS: Array<[string, Connect]> = [
  [
    'ioredis',
    async (url) => {
      const client = new Redis(url);
      client.on('error', () => undefined);
      cleanups.push(() => client.disconnect());
      return client;
    },
  ],
  [
    'node-redis',
    async (url) => {
      const client = createClient({ url });
      client.on('error', () => undefined);
      await client.connect();
      cleanups.push(() => client.destroy());
      return client;
    },
  ],
];

async function serve(options: Partial<ReceiverOptions>): Promise<string> {
  const server: Server = createServer(createNodeHandler({ secret: SECRET, now: NOW, ...options }));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function post(url: string, d: Delivery): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

let prefixes = 0;
const freshPrefix = () => `test-${process.pid}-${++prefixes}:`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(CLIENTS)('createRedisIdempotencyStore with %s', (_name, connect) => {
  async function store(options: Partial<RedisIdempotencyStoreOptions> = {}) {
    const logs: string[] = [];
    const prefix = options.prefix ?? freshPrefix();
    const created = createRedisIdempotencyStore({
      client: await connect(redis.url),
      log: (message) => logs.push(message),
      ...options,
      prefix,
    });
    return { store: created, logs, prefix };
  }

  it('claims the deliveries of one event-loop turn together, each with its own answer (one write on ioredis)', async () => {
    const client = await connect(redis.url);
    const shared = createRedisIdempotencyStore({ client, prefix: freshPrefix() });
    await shared.begin('warm-up', 'owner-0'); // Redis holds the scripts: each call below is one EVALSHA
    const ids = Array.from({ length: 30 }, (_, index) => `id-${index}`);
    let claims: string[] = [];
    const burst = async () => {
      claims = await Promise.all([
        ...ids.map((id) => shared.begin(id, 'owner-1')),
        ...ids.slice(0, 10).map((id) => shared.begin(id, 'owner-2')),
      ]);
    };
    const stream = (client as { stream?: unknown }).stream;
    if (stream) expect(await socketWrites(stream, burst)).toBe(1);
    else await burst(); // node-redis writes a turn's commands together itself
    expect(claims).toEqual([...ids.map(() => 'claimed'), ...ids.slice(0, 10).map(() => 'in-progress')]);
  });

  it('sends its scripts by hash, and in full again once Redis lost them', async () => {
    const admin = new Redis(redis.url);
    cleanups.push(() => admin.disconnect());
    const { store: shared } = await store();
    expect(await shared.begin('a', 'owner-1')).toBe('claimed');
    await shared.complete('a', 'owner-1'); // Redis holds both scripts now
    await admin.config('RESETSTAT');
    expect(await shared.begin('b', 'owner-1')).toBe('claimed');
    await shared.complete('b', 'owner-1');
    expect(await commandCalls(admin)).toMatchObject({ evalsha: 2 });
    expect((await commandCalls(admin)).eval).toBeUndefined();
    await admin.script('FLUSH'); // as after a restart
    expect(await shared.begin('b', 'owner-2')).toBe('done');
    expect(await shared.begin('c', 'owner-2')).toBe('claimed');
    expect(await commandCalls(admin)).toMatchObject({ evalsha: 4, eval: 1 });
  });

  it('fails every claim of a turn within the bound while Redis is stalled, and frees each once it is back', async () => {
    const { store: stalled, logs } = await store({ commandTimeoutMs: 300 });
    await stalled.begin('warm-up', 'owner-0');
    const ids = Array.from({ length: 10 }, (_, index) => `stalled-${index}`);
    const started = Date.now();
    redis.pause();
    let outcomes: PromiseSettledResult<string>[];
    try {
      outcomes = await Promise.allSettled(ids.map((id) => stalled.begin(id, 'owner-1')));
    } finally {
      redis.resume();
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(ids.map(() => 'rejected'));
    expect(
      logs.filter((line) => /cannot claim webhook stalled-\d+: Redis did not answer/.test(line)),
    ).toHaveLength(10);
    // The claims land once Redis wakes up and are released as they land: nothing stays blocked.
    await sleep(200);
    expect(await Promise.all(ids.map((id) => stalled.begin(id, 'owner-2')))).toEqual(
      ids.map(() => 'claimed'),
    );
  });

  it('runs each handler once across three receivers sharing Redis, under concurrent copies', async () => {
    const { prefix } = await store();
    const handled = new Map<string, number>();
    const urls = await Promise.all(
      [0, 1, 2].map(async () =>
        serve({
          idempotency: (await store({ prefix })).store,
          on: {
            'tour.completed': async (webhook) => {
              handled.set(webhook.id, (handled.get(webhook.id) ?? 0) + 1);
              await sleep(20);
            },
          },
        }),
      ),
    );
    const ids = Array.from({ length: 50 }, (_, index) => chameleonId(0xa11 + index));
    const copies = ids.flatMap((id) => [0, 1, 2, 3].map((copy) => ({ id, url: urls[copy % 3]! })));
    const answers = await Promise.all(
      copies.map(({ id, url }) => post(url, delivery({ kind: 'tour.completed', id }))),
    );
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    expect([...handled.keys()].sort()).toEqual([...ids].sort());
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
    // Every later copy, to any receiver, is acknowledged as a duplicate without running.
    const replays = await Promise.all(
      ids.map((id, index) => post(urls[index % 3]!, delivery({ kind: 'tour.completed', id }))),
    );
    expect(replays.every((answer) => answer.status === 200 && answer.body.duplicate === true)).toBe(true);
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
  });

  it('lets only the owner of a claim complete, renew or release it', async () => {
    const { store: shared, logs } = await store({ leaseMs: 200 });
    expect(await shared.begin('a', 'owner-1')).toBe('claimed');
    expect(await shared.begin('a', 'owner-2')).toBe('in-progress');
    await shared.fail('a', 'owner-2');
    expect(await shared.renew!('a', 'owner-2')).toBe(false);
    expect(await shared.begin('a', 'owner-3')).toBe('in-progress');
    expect(await shared.renew!('a', 'owner-1')).toBe(true);
    await sleep(250); // owner-1 stopped renewing: its lease ran out
    expect(await shared.begin('a', 'owner-2')).toBe('claimed');
    await shared.fail('a', 'owner-1'); // the stale owner cannot release owner-2's claim
    await shared.complete('a', 'owner-1'); // nor record it as done
    expect(await shared.begin('a', 'owner-3')).toBe('in-progress');
    expect(logs.join('\n')).toMatch(/finished after another attempt took over its lease/);
    await shared.complete('a', 'owner-2');
    expect(await shared.begin('a', 'owner-3')).toBe('done');
  });

  it('renews the lease while a slow handler runs, so another receiver never runs it too', async () => {
    const { prefix } = await store();
    let runs = 0;
    const options = async (): Promise<Partial<ReceiverOptions>> => ({
      idempotency: (await store({ prefix, leaseMs: 300 })).store,
      on: {
        ping: async () => {
          runs += 1;
          await sleep(1200); // four leases
        },
      },
    });
    const [first, second] = [await serve(await options()), await serve(await options())];
    const d = delivery({ id: chameleonId(0x5105) });
    const slow = post(first, d);
    await sleep(500);
    expect((await post(second, d)).status).toBe(409);
    await sleep(400);
    expect((await post(second, d)).status).toBe(409);
    expect((await slow).status).toBe(200);
    expect(await post(second, d)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(runs).toBe(1);
  });

  it('answers 503 within the deadline while Redis is stalled, logs why, and runs the retry once it is back', async () => {
    const { store: stalled, logs } = await store({ commandTimeoutMs: 300 });
    let runs = 0;
    const url = await serve({
      idempotency: stalled,
      on: {
        ping: () => {
          runs += 1;
        },
      },
    });
    const d = delivery({ id: chameleonId(0x5751) });
    redis.pause();
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(url, d);
    } finally {
      redis.resume();
    }
    expect(answer).toMatchObject({ status: 503, body: { error: 'store-unavailable' } });
    expect(answer.ms).toBeLessThan(2000);
    expect(runs).toBe(0);
    expect(logs.join('\n')).toMatch(/cannot claim webhook .*did not answer EVALSHA within 300 ms.*503/);
    // The claim sent before the stall lands when Redis wakes up, and is released as it lands: the
    // retry (Chameleon's comes minutes later) is not blocked for a lease.
    await sleep(200);
    expect((await post(url, d)).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('acknowledges a handled webhook when recording it stalls, and records it once Redis is back', async () => {
    const { store: stalling, logs } = await store({ commandTimeoutMs: 300 });
    let runs = 0;
    const url = await serve({
      idempotency: stalling,
      on: {
        ping: () => {
          runs += 1;
          redis.pause(); // Redis stalls while the handler runs: the success cannot be recorded
        },
      },
    });
    const d = delivery({ id: chameleonId(0x5752) });
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(url, d);
    } finally {
      redis.resume();
    }
    expect(answer).toMatchObject({ status: 200, body: { ok: true } });
    expect(answer.body.duplicate).toBeUndefined();
    expect(logs.join('\n')).toMatch(/was handled, but recording it failed.*retrying in the background/);
    await sleep(800); // the background retry (after 250 ms) records it
    expect(await post(url, d)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(runs).toBe(1);
  });
});

describe('createRedisIdempotencyStore with Redis unreachable', () => {
  it('answers 503 within the deadline, running nothing', async () => {
    const port = await freePort();
    const client = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    cleanups.push(() => client.disconnect());
    const logs: string[] = [];
    let runs = 0;
    const url = await serve({
      idempotency: createRedisIdempotencyStore({ client, commandTimeoutMs: 300, log: (m) => logs.push(m) }),
      on: {
        ping: () => {
          runs += 1;
        },
      },
    });
    const answer = await post(url, delivery({ id: chameleonId(0xdead) }));
    expect(answer).toMatchObject({ status: 503, body: { error: 'store-unavailable' } });
    expect(answer.ms).toBeLessThan(2000);
    expect(logs[0]).toMatch(/cannot claim webhook/);
    expect(runs).toBe(0);
  });

  it('refuses a client it cannot drive', () => {
    expect(() => createRedisIdempotencyStore({ client: {} as RedisClientLike })).toThrow(
      /ioredis|node-redis/,
    );
  });
});

/**
 * The scale-out rows of `npm run bench -- receive` (alone: `npm run bench -- receive-redis`): the node
 * receiver with the Redis idempotency store, and the node receiver handing off to BullMQ, each against
 * bare node:http measured in the same run, on a real redis-server started for the run (loopback, no
 * persistence). Every request is a fresh signed delivery with its own id. Each server runs in its own
 * child process, apart from autocannon. Prints req/s, p99 and the ratios; asserts nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { bullmqEntry, nodeEntry, redisEntry } from './package.js';
import { startRedis } from '../test/redis-server.js';
import {
  bareNode,
  best,
  exitOnRequest,
  CONNECTIONS,
  measureChild,
  ROUNDS,
  SECONDS,
  SECRET,
  tourCompleted,
  type Measured,
} from './signed-load.js';

const SELF = fileURLToPath(import.meta.url);

const ROWS = [
  { name: 'receiver + Redis store / bare node:http', kind: 'redis-store', target: undefined },
  { name: 'receiver + BullMQ enqueue / bare node:http', kind: 'bullmq', target: 0.5 },
] as const;
const P99_TARGET_MS = 20;

/** A server child's handler, from the built package's entries (bench/package.ts). */
async function handlerOf(kind: string, port: number) {
  const [{ createNodeHandler }, { createRedisIdempotencyStore }, { createBullmqSink }] = await Promise.all([
    nodeEntry(),
    redisEntry(),
    bullmqEntry(),
  ]);
  const connection = { host: '127.0.0.1', port };
  if (kind === 'node') return bareNode;
  if (kind === 'redis-store') {
    const idempotency = createRedisIdempotencyStore({ client: new Redis(connection) });
    return createNodeHandler({ secret: SECRET, idempotency, on: { 'tour.completed': () => {} } });
  }
  const handoff = createBullmqSink({ connection: { ...connection, maxRetriesPerRequest: null } });
  return createNodeHandler({ secret: SECRET, handoff });
}

/** Requests/s and p99 against one server of this file; ids start with a random prefix, new to Redis. */
function measure(kind: string, redisPort: number, payload: Record<string, unknown>): Promise<Measured> {
  const prefix = Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0');
  return measureChild(
    SELF,
    { BENCH_REDIS_SERVER: kind, BENCH_REDIS_PORT: String(redisPort) },
    payload,
    prefix,
  );
}

export async function run(): Promise<void> {
  const redis = await startRedis();
  const flush = new Redis({ host: '127.0.0.1', port: redis.port });
  try {
    const payload = await tourCompleted();
    console.log(
      `\nscale-out receivers under load (redis-server ${redis.port} on loopback; autocannon, ${CONNECTIONS} connections, ${SECONDS} s runs, best of ${ROUNDS} alternating rounds, unique signed ids)`,
    );
    const results = new Map<string, Measured>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ['node', ...ROWS.map((row) => row.kind)]) {
        results.set(kind, best(results.get(kind), await measure(kind, redis.port, payload)));
        await flush.flushall();
      }
    }
    const bare = results.get('node')!;
    for (const row of ROWS) {
      const ours = results.get(row.kind)!;
      const ratio = ours.rps / bare.rps;
      const target = row.target
        ? ` (target ≥ ${row.target}×: ${ratio >= row.target ? 'met' : 'MISSED'}, p99 < ${P99_TARGET_MS} ms: ${ours.p99 < P99_TARGET_MS ? 'met' : 'MISSED'})`
        : '';
      console.log(
        `  ${row.name.padEnd(42)} ${ours.rps.toFixed(0).padStart(7)} / ${bare.rps.toFixed(0).padStart(7)} req/s = ${ratio.toFixed(2)}×${target}; p99 ${ours.p99} ms vs ${bare.p99} ms`,
      );
    }
  } finally {
    flush.disconnect();
    await redis.stop();
  }
}

if (process.env.BENCH_REDIS_SERVER) {
  const server = createServer(
    await handlerOf(process.env.BENCH_REDIS_SERVER, Number(process.env.BENCH_REDIS_PORT)),
  );
  exitOnRequest();
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

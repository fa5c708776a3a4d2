/**
 * The scale-out rows of `npm run bench -- receive` (alone: `npm run bench -- receive-redis`): the node
 * receiver with the Redis idempotency store, and the node receiver handing off to BullMQ, each against
 * bare node:http measured in the same run, on a real redis-server started for the run (loopback, no
 * persistence). Every request is a fresh signed delivery with its own id. Each server runs in its own
 * child process, apart from autocannon. Prints req/s, p99 and the ratios; asserts nothing.
 */
import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { createBullmqSink } from '../generated/typescript/src/bullmq.js';
import { createNodeHandler, signWebhook } from '../generated/typescript/src/index.js';
import { createRedisIdempotencyStore } from '../generated/typescript/src/redis.js';
import { startRedis } from '../test/redis-server.js';

const SECRET = 'bench-webhook-secret-0123456789';
const CONNECTIONS = 50;
const SECONDS = 4;
const ROUNDS = 3;
const SELF = fileURLToPath(import.meta.url);

const ROWS = [
  { name: 'receiver + Redis store / bare node:http', kind: 'redis-store', target: undefined },
  { name: 'receiver + BullMQ enqueue / bare node:http', kind: 'bullmq', target: 0.5 },
] as const;
const P99_TARGET_MS = 20;

function bareNode(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
}

function handlerOf(kind: string, port: number) {
  const connection = { host: '127.0.0.1', port };
  if (kind === 'node') return bareNode;
  if (kind === 'redis-store') {
    const idempotency = createRedisIdempotencyStore({ client: new Redis(connection) });
    return createNodeHandler({ secret: SECRET, idempotency, on: { 'tour.completed': () => {} } });
  }
  const handoff = createBullmqSink({ connection: { ...connection, maxRetriesPerRequest: null } });
  return createNodeHandler({ secret: SECRET, handoff });
}

interface Measured {
  rps: number;
  p99: number;
}

async function measure(kind: string, redisPort: number, payload: Record<string, unknown>): Promise<Measured> {
  const child = fork(SELF, [], {
    env: { ...process.env, BENCH_REDIS_SERVER: kind, BENCH_REDIS_PORT: String(redisPort) },
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
  let counter = 0;
  const round = Math.floor(Math.random() * 0xffffff);
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            counter += 1;
            const id = `${round.toString(16).padStart(6, '0')}${counter.toString(16).padStart(18, '0')}`;
            const body = JSON.stringify({ ...payload, id, sent_at: new Date().toISOString() });
            return {
              ...request,
              body,
              headers: {
                'content-type': 'application/json',
                'x-chameleon-signature': signWebhook(body, SECRET),
              },
            };
          },
        },
      ],
    });
    if (result.non2xx || result.errors)
      console.log(`  ! ${kind}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
    return { rps: result.requests.average, p99: result.latency.p99 };
  } finally {
    child.kill();
  }
}

async function tourCompleted(): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  const schema = JSON.parse(
    await readFile(new URL('../spec/topics/tour.completed.json', import.meta.url), 'utf8'),
  );
  return schema.examples[0];
}

const best = (a: Measured | undefined, b: Measured): Measured => (!a || b.rps > a.rps ? b : a);

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
    handlerOf(process.env.BENCH_REDIS_SERVER, Number(process.env.BENCH_REDIS_PORT)),
  );
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

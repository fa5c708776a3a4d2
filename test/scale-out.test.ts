/**
 * The multi-process proofs, against a real redis-server: 3 receiver processes, 5,000 distinct ids,
 * each sent as 4 concurrent copies spread over the receivers (a copy that is not acknowledged is
 * sent again, as Chameleon would).
 * - Queue mode: the receivers hand off to BullMQ, 2 worker processes run the handler, and one is
 *   SIGKILLed mid-run and replaced. Every id is handled; an id runs twice only when the killed
 *   worker had started it (counted, printed, and checked against that rule).
 * - Store mode: the receivers run the handler in process with the Redis store: exactly once per id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { Queue } from 'bullmq';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { startRedis, type RedisServer } from './redis-server.js';
import { chameleonId, exampleOf, hmacHex, SECRET } from './verify-deliveries.js';

const IDS = 5000;
const COPIES = 4;
const SCRIPTS = path.join(ROOT, 'test', 'scale-out');

let redis: RedisServer;
let client: Redis;
let bundles: string;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis({ host: '127.0.0.1', port: redis.port });
  // One bundle per script (packages left to node_modules, hence a folder inside the repository): each of
  // the nine processes starts in about half the CPU time tsx takes, which a shared machine feels.
  await mkdir(path.join(ROOT, '.tmp'), { recursive: true });
  bundles = await mkdtemp(path.join(ROOT, '.tmp', 'scale-out-'));
  await build({
    entryPoints: ['receiver.ts', 'worker.ts'].map((script) => path.join(SCRIPTS, script)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: bundles,
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
  if (bundles) await rm(bundles, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
  await client.flushall();
});

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGKILL');
  return exited;
}

/** Starts a test/scale-out script (its bundle); resolves with what it printed after READY. */
function start(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; ready: string }> {
  const child = spawn(process.execPath, [path.join(bundles, script.replace(/\.ts$/, '.mjs'))], {
    cwd: ROOT,
    env: { ...process.env, ...env, REDIS_PORT: String(redis.port), SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /READY ?(\S*)/.exec(stdout);
      if (match) resolve({ child, ready: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before READY:\n${stderr}`)));
  });
}

const EXAMPLE = exampleOf('tour.completed');

function signedBody(id: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ ...EXAMPLE, id, sent_at: new Date().toISOString() });
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-chameleon-signature': hmacHex(body, SECRET) },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function post(port: number, id: string): Promise<number> {
  const { body, headers } = signedBody(id);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Every id as {@link COPIES} copies, each to a different receiver, interleaved so copies of an id
 * are in flight together; a copy answered other than 2xx is sent again after a pause, as Chameleon
 * retries. Resolves with the count of each first answer.
 */
async function deliverAll(
  ports: number[],
  onProgress?: (sent: number) => void,
): Promise<Map<number, number>> {
  const copies = Array.from({ length: IDS * COPIES }, (_, index) => ({
    id: chameleonId(0x5ca1e0000 + Math.floor(index / COPIES)),
    port: ports[index % ports.length]!,
  }));
  const statuses = new Map<number, number>();
  let next = 0;
  const lane = async () => {
    while (next < copies.length) {
      const copy = copies[next++]!;
      onProgress?.(next);
      for (let attempt = 0; ; attempt++) {
        const status = await post(copy.port, copy.id);
        if (attempt === 0) statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 200 && status < 300) break;
        if (attempt === 50) throw new Error(`${copy.id} was never acknowledged (last ${status})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  return statuses;
}

async function startReceivers(mode: 'store' | 'queue'): Promise<number[]> {
  const started = await Promise.all([0, 1, 2].map(() => start('receiver.ts', { MODE: mode })));
  return started.map(({ ready }) => Number(ready));
}

async function waitFor(what: string, condition: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// 20,000 requests and 5,000 jobs per proof: about 30 s on an idle 2-core machine, several times
// that when the machine is shared, hence the generous bound.
describe('scale-out across processes, on a real redis-server', { timeout: 240_000 }, () => {
  it('queue mode: 3 receivers, 2 workers, one SIGKILLed mid-run; every id handled, twice only if cut short', async () => {
    const [ports, firstWorker] = await Promise.all([
      startReceivers('queue'),
      start('worker.ts', {}),
      start('worker.ts', {}),
    ]);
    const killed = firstWorker.child.pid!;
    let replacement: Promise<unknown> | undefined;
    const statuses = await deliverAll(ports, (sent) => {
      // A third of the way in, the first worker dies mid-run; a new one takes its place.
      if (sent === Math.floor((IDS * COPIES) / 3) && !replacement) {
        process.kill(killed, 'SIGKILL');
        replacement = start('worker.ts', {});
      }
    });
    await replacement;
    const queue = new Queue('chameleon-webhooks', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await waitFor(
        'every job to complete',
        async () => {
          console.error(
            `completed ${await queue.getCompletedCount()} ${JSON.stringify(await queue.getJobCounts())}`,
          );
          return (await queue.getCompletedCount()) === IDS;
        },
        45_000,
      );
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await queue.close();
    }

    const starts = new Map<string, string[]>();
    const ends = new Map<string, string[]>();
    for (const line of await client.lrange('log', 0, -1)) {
      const [event, pid, id] = line.split(' ') as [string, string, string];
      const map = event === 'start' ? starts : ends;
      map.set(id, [...(map.get(id) ?? []), pid]);
    }
    const twice = [...starts].filter(([, pids]) => pids.length > 1);
    const cutShort = twice.filter(([id]) => (ends.get(id) ?? []).length < starts.get(id)!.length);
    console.log(
      `queue proof: ${IDS} ids x ${COPIES} copies; first answers ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `handled ${ends.size}; run twice ${twice.length} (cut short by the kill ${cutShort.length}, ` +
        `finished but not yet recorded complete ${twice.length - cutShort.length})`,
    );
    expect(ends.size).toBe(IDS); // none lost
    expect(starts.size).toBe(IDS);
    for (const [id, pids] of twice) {
      // Run twice only because the killed worker had it: once there, once (to the end) elsewhere.
      expect(pids, id).toHaveLength(2);
      expect(pids[0], id).toBe(String(killed));
      expect(ends.get(id)!.at(-1), id).not.toBe(String(killed));
    }
    // No more than the killed worker had in hand: its concurrency.
    expect(twice.length).toBeLessThanOrEqual(10);
    // Each copy was acknowledged in the end (deliverAll retries); a first answer other than 200 can only
    // be an enqueue that overran its bound on a busy machine (500) or the ack deadline (503).
    expect([...statuses.keys()].filter((status) => ![200, 500, 503].includes(status))).toEqual([]);
  });

  it('store mode: 3 receivers sharing the Redis store run the handler exactly once per id', async () => {
    const ports = await startReceivers('store');
    const statuses = await deliverAll(ports);
    const runs = new Map<string, number>();
    for (const line of await client.lrange('runs', 0, -1)) {
      const id = line.split(' ')[1]!;
      runs.set(id, (runs.get(id) ?? 0) + 1);
    }
    console.log(
      `store proof: ${IDS} ids x ${COPIES} copies; first answers ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `handled ${runs.size}, more than once ${[...runs.values()].filter((count) => count > 1).length}`,
    );
    expect(runs.size).toBe(IDS);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    // 409: another receiver held the id; 503: the ack deadline or a Redis command overran on a busy machine.
    expect([...statuses.keys()].filter((status) => ![200, 409, 503].includes(status))).toEqual([]);
  });
});

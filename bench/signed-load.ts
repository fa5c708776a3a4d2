/**
 * What the receiver benchmarks share (`bench/receive.ts`, `bench/receive-redis.ts`): a server in a child
 * process, loaded by autocannon with a fresh signed delivery and a unique id per request, and the bare
 * node:http server they are measured against. Asserts nothing.
 */
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import autocannon from 'autocannon';
import { signWebhook } from '../generated/typescript/src/index.js';
import { ensureBuilt } from './package.js';

export const SECRET = 'bench-webhook-secret-0123456789';
export const CONNECTIONS = 50;
export const SECONDS = 4;
/** Rounds alternate bare and ours; each keeps its best round, since noise only ever slows a run down. */
export const ROUNDS = 3;

export interface Measured {
  rps: number;
  p99: number;
}

/** In a server child: exits when the bench says so (`measureChild` with BENCH_CPU_PROFILE), so its profile is written. */
export function exitOnRequest(): void {
  process.on('message', (message) => message === 'exit' && process.exit(0));
}

export const best = (a: Measured | undefined, b: Measured): Measured => (!a || b.rps > a.rps ? b : a);

/** The spec's tour.completed example, about 1 KB once signed fields are added. */
export async function tourCompleted(): Promise<Record<string, unknown>> {
  const schema = JSON.parse(
    await readFile(new URL('../spec/topics/tour.completed.json', import.meta.url), 'utf8'),
  );
  return schema.examples[0];
}

/** node:http reading the body and answering 200, verifying nothing: the floor every receiver is held to. */
export function bareNode(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
}

/**
 * Forks `script` with `env` (it must `process.send({ port })` once listening), loads it for SECONDS with
 * CONNECTIONS, then kills it. Ids are `prefix` (hex) and a counter, 24 hex in all.
 */
export async function measureChild(
  script: string,
  env: Record<string, string>,
  payload: Record<string, unknown>,
  prefix = '',
): Promise<Measured> {
  // BENCH_CPU_PROFILE=dir writes each server's CPU profile there (it exits on its own to write it).
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  await ensureBuilt();
  const child = fork(script, [], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx', ...profile],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${JSON.stringify(env)} server exited (${code})`)));
  });
  let counter = 0;
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
            const id = prefix + counter.toString(16).padStart(24 - prefix.length, '0');
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
      console.log(`  ! ${JSON.stringify(env)}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
    return { rps: result.requests.average, p99: result.latency.p99 };
  } finally {
    if (profileDir) child.send('exit');
    else child.kill();
  }
}

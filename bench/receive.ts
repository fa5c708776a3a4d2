/**
 * Receivers under load (`npm run bench -- receive`): each of our receivers against its bare server
 * (the same framework reading the body and answering 200 without verifying), side by side in one run.
 * Every request is a fresh signed delivery with its own id, and our receivers start with their
 * idempotency store already at its cap (100 000 ids), so every new id evicts one: the steady state of a
 * long-running server. Each server runs in its own child process, apart from autocannon. Prints req/s,
 * p99 latency and each ratio against the target; asserts nothing (speed is never a test).
 */
import { fork } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve as serveHono } from '@hono/node-server';
import autocannon from 'autocannon';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import {
  createFastifyPlugin,
  createHonoHandler,
  createNodeHandler,
  MemoryIdempotencyStore,
  signWebhook,
} from '../generated/typescript/src/index.js';

const SECRET = 'bench-webhook-secret-0123456789';
const CONNECTIONS = 50;
const SECONDS = 4;
/** Rounds alternate bare and ours; each keeps its best round, since noise only ever slows a run down. */
const ROUNDS = 3;
const STORE_CAP = 100_000;
const SELF = fileURLToPath(import.meta.url);

/** One comparison: our receiver on a framework against that framework bare. */
export interface ReceiveRow {
  name: string;
  bare: string;
  ours: string;
  target: number;
}

const ROWS: ReceiveRow[] = [
  { name: 'node receiver / bare node:http', bare: 'node', ours: 'node-ours', target: 0.7 },
  { name: 'Fastify plugin / bare Fastify', bare: 'fastify', ours: 'fastify-ours', target: 0.7 },
  { name: 'Hono handler / bare Hono', bare: 'hono', ours: 'hono-ours', target: 0.7 },
  { name: 'Express / bare Express', bare: 'express', ours: 'express-ours', target: 0.8 },
];

/** A store at its cap before the first request, as after a day of traffic. */
function fullStore(): MemoryIdempotencyStore {
  const store = new MemoryIdempotencyStore({ maxEntries: STORE_CAP });
  for (let index = 0; index < STORE_CAP; index++) {
    const id = `f${index.toString(16).padStart(23, '0')}`;
    store.begin(id);
    store.complete(id);
  }
  return store;
}

const receiverOptions = () => ({
  secret: SECRET,
  idempotency: fullStore(),
  on: { 'tour.completed': () => {} },
});

function bareNode(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
}

/** Starts `kind` on a loopback port; resolves with the port. */
async function serve(kind: string): Promise<number> {
  const listen = (server: import('node:http').Server) =>
    new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  switch (kind) {
    case 'node':
      return listen(createServer(bareNode));
    case 'node-ours':
      return listen(createServer(createNodeHandler(receiverOptions())));
    case 'express': {
      const app = express();
      app.post('/', express.raw({ type: '*/*' }), (_req, res) => void res.json({ ok: true }));
      return listen(createServer(app));
    }
    case 'express-ours': {
      const app = express();
      app.post('/', createNodeHandler(receiverOptions()));
      return listen(createServer(app));
    }
    case 'fastify':
    case 'fastify-ours': {
      const app = Fastify();
      if (kind === 'fastify') {
        app.removeAllContentTypeParsers();
        app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
        app.post('/', async () => ({ ok: true }));
      } else {
        await app.register(createFastifyPlugin(receiverOptions()));
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    }
    case 'hono':
    case 'hono-ours': {
      const app = new Hono();
      if (kind === 'hono') {
        app.post('/', async (context) => {
          await context.req.arrayBuffer();
          return context.json({ ok: true });
        });
      } else {
        app.post('/', createHonoHandler(receiverOptions()));
      }
      return new Promise((resolve) => {
        serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
      });
    }
    default:
      throw new Error(`unknown server ${kind}`);
  }
}

interface Measured {
  rps: number;
  p99: number;
}

/** Requests/s and p99 against one server in a child process: every request a fresh signed delivery. */
async function measure(kind: string, payload: Record<string, unknown>): Promise<Measured> {
  const child = fork(SELF, [], {
    env: { ...process.env, BENCH_RECEIVE_SERVER: kind },
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
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
            const body = JSON.stringify({
              ...payload,
              id: counter.toString(16).padStart(24, '0'),
              sent_at: new Date().toISOString(),
            });
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

/** The spec's tour.completed example, about 1 KB once signed fields are added. */
async function tourCompleted(): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  const schema = JSON.parse(
    await readFile(new URL('../spec/topics/tour.completed.json', import.meta.url), 'utf8'),
  );
  return schema.examples[0];
}

const best = (a: Measured | undefined, b: Measured): Measured => (!a || b.rps > a.rps ? b : a);

export async function run(rows: ReceiveRow[] = ROWS): Promise<void> {
  const payload = await tourCompleted();
  console.log(
    `\nreceivers under load (autocannon, ${CONNECTIONS} connections, ${SECONDS} s runs, best of ${ROUNDS} alternating rounds, unique signed ids, store at its ${STORE_CAP.toLocaleString('en')}-id cap)`,
  );
  const results = new Map<string, Measured>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      for (const kind of [row.bare, row.ours])
        results.set(kind, best(results.get(kind), await measure(kind, payload)));
    }
  }
  for (const row of rows) {
    const bare = results.get(row.bare)!;
    const ours = results.get(row.ours)!;
    const ratio = ours.rps / bare.rps;
    console.log(
      `  ${row.name.padEnd(34)} ${ours.rps.toFixed(0).padStart(7)} / ${bare.rps.toFixed(0).padStart(7)} req/s = ${ratio.toFixed(2)}× ` +
        `(target ≥ ${row.target}×: ${ratio >= row.target ? 'met' : 'MISSED'}); p99 ${ours.p99} ms vs ${bare.p99} ms`,
    );
  }
}

if (process.env.BENCH_RECEIVE_SERVER)
  serve(process.env.BENCH_RECEIVE_SERVER).then((port) => process.send!({ port }));

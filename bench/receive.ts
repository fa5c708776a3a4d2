/**
 * Receivers under load (`npm run bench -- receive`): each of our receivers against its bare server
 * (the same framework reading the body and answering 200 without verifying), side by side in one run.
 * Every request is a fresh signed delivery with its own id, and our receivers start with their
 * idempotency store already at its cap (100 000 ids), so every new id evicts one: the steady state of a
 * long-running server. Each server runs in its own child process, apart from autocannon. Prints req/s,
 * p99 latency and each ratio against the target; asserts nothing (speed is never a test).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve as serveHono } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type { MemoryIdempotencyStore } from '../generated/typescript/src/index.js';
import { nodeEntry } from './package.js';
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

/** The built package (bench/package.ts), as a server child loads it. */
type Package = Awaited<ReturnType<typeof nodeEntry>>;

/** A store at its cap before the first request, as after a day of traffic. */
function fullStore(pkg: Package): MemoryIdempotencyStore {
  const store = new pkg.MemoryIdempotencyStore({ maxEntries: STORE_CAP });
  for (let index = 0; index < STORE_CAP; index++) {
    const id = `f${index.toString(16).padStart(23, '0')}`;
    store.begin(id);
    store.complete(id);
  }
  return store;
}

const receiverOptions = (pkg: Package) => ({
  secret: SECRET,
  idempotency: fullStore(pkg),
  on: { 'tour.completed': () => {} },
});

/** Starts `kind` on a loopback port; resolves with the port. */
async function serve(kind: string): Promise<number> {
  const pkg = await nodeEntry();
  const listen = (server: import('node:http').Server) =>
    new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  switch (kind) {
    case 'node':
      return listen(createServer(bareNode));
    case 'node-ours':
      return listen(createServer(pkg.createNodeHandler(receiverOptions(pkg))));
    case 'express': {
      const app = express();
      app.post('/', express.raw({ type: '*/*' }), (_req, res) => void res.json({ ok: true }));
      return listen(createServer(app));
    }
    case 'express-ours': {
      const app = express();
      app.post('/', pkg.createNodeHandler(receiverOptions(pkg)));
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
        await app.register(pkg.createFastifyPlugin(receiverOptions(pkg)));
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
        app.post('/', pkg.createHonoHandler(receiverOptions(pkg)));
      }
      return new Promise((resolve) => {
        serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
      });
    }
    default:
      throw new Error(`unknown server ${kind}`);
  }
}

/** Requests/s and p99 against one server of this file in a child process. */
const measure = (kind: string, payload: Record<string, unknown>) =>
  measureChild(SELF, { BENCH_RECEIVE_SERVER: kind }, payload);

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
  serve(process.env.BENCH_RECEIVE_SERVER).then((port) => {
    exitOnRequest();
    process.send!({ port });
  });

/**
 * The receiver in each framework, over real loopback servers: Express (raw, and
 * the clear error after express.json()), Fastify, Hono on Node, Koa (alone, after a
 * body parser that kept the raw text, after one that did not), and the Web
 * build's Fetch handler as Next.js route handlers and Workers call it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFastifyPlugin,
  createHonoHandler,
  createKoaMiddleware,
  createNodeHandler,
} from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Starts an Express app on a random loopback port. */
async function listen(app: express.Express): Promise<string> {
  const server: Server = app.listen(0, '127.0.0.1');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string, d: Delivery): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json() };
}

/** The checks every adapter must pass: a good delivery once, a duplicate, a forged one, a stale one. */
async function exercise(url: string, handled: string[]): Promise<void> {
  const good = delivery({ kind: 'tour.completed', id: chameleonId(0xabc) });
  expect(await post(url, good)).toMatchObject({ status: 200, body: { ok: true } });
  expect(await post(url, good)).toMatchObject({ status: 200, body: { duplicate: true } });
  const forged = { ...good, headers: { ...good.headers, 'x-chameleon-signature': 'b'.repeat(64) } };
  expect(await post(url, forged)).toEqual({ status: 400, body: { error: 'unauthenticated' } });
  expect(await post(url, delivery({ id: chameleonId(0xabd), age: 600 }))).toMatchObject({
    status: 400,
    body: { error: 'too-old' },
  });
  expect(handled).toEqual([chameleonId(0xabc)]);
}

function options(handled: string[]) {
  return {
    secret: SECRET,
    now: NOW,
    on: { 'tour.completed': (w: { id: string }) => void handled.push(w.id) },
  };
}

describe('Express', () => {
  it('receives with createNodeHandler mounted before any body parser', async () => {
    const handled: string[] = [];
    const app = express();
    app.post('/webhooks', createNodeHandler(options(handled)));
    app.use(express.json());
    await exercise(`${await listen(app)}/webhooks`, handled);
  });

  it('receives after express.raw()', async () => {
    const handled: string[] = [];
    const app = express();
    app.post('/webhooks', express.raw({ type: 'application/json' }), createNodeHandler(options(handled)));
    await exercise(`${await listen(app)}/webhooks`, handled);
  });

  it('names express.json() when it consumed the body first', async () => {
    const app = express();
    app.use(express.json());
    const rejected: Array<{ reason: string; message: string }> = [];
    app.post(
      '/webhooks',
      createNodeHandler({ secret: SECRET, now: NOW, onRejected: (f) => void rejected.push(f) }),
    );
    const response = await post(`${await listen(app)}/webhooks`, delivery());
    // The caller gets a generic 500 (Chameleon retries once it is fixed); the cause goes to onRejected.
    expect(response).toEqual({ status: 500, body: { error: 'receiver-misconfigured' } });
    expect(rejected.map((f) => f.reason)).toEqual(['body-not-raw']);
    expect(rejected[0]!.message).toMatch(/express\.json\(\)/);
  });
});

describe('Fastify', () => {
  it('receives through createFastifyPlugin on its own prefix, next to JSON routes', async () => {
    const handled: string[] = [];
    const app = Fastify();
    app.post('/json', async (request) => ({ echoed: request.body }));
    await app.register(createFastifyPlugin({ ...options(handled), maxBodyBytes: 100_000 }), {
      prefix: '/webhooks',
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    await exercise(`${url}/webhooks`, handled);
    // The plugin's raw-body parser stays inside its prefix: other routes still get parsed JSON.
    const echoed = await fetch(`${url}/json`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await echoed.json()).toEqual({ echoed: { a: 1 } });
    const big = delivery({ id: chameleonId(0xbee), edit: (p) => (p.pad = 'x'.repeat(200_000)) });
    expect(
      (await fetch(`${url}/webhooks`, { method: 'POST', body: big.body, headers: big.headers })).status,
    ).toBe(413);
    expect((await fetch(`${url}/webhooks`)).status).toBe(405);
  });
});

describe('Hono', () => {
  it('receives through createHonoHandler on @hono/node-server', async () => {
    const handled: string[] = [];
    const app = new Hono();
    app.post('/webhooks', createHonoHandler(options(handled)));
    const url = await new Promise<string>((resolve) => {
      const server = serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      closers.push(() => new Promise((done) => server.close(done)));
    });
    await exercise(`${url}/webhooks`, handled);
  });
});

/** Starts a Koa app on a random loopback port. */
async function listenKoa(app: Koa): Promise<string> {
  const server: Server = app.listen(0, '127.0.0.1');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** What koa-bodyparser does: reads the body, keeps the text as `rawBody` (optionally) and the parsed JSON. */
function bodyParser(keepRaw: boolean): Koa.Middleware {
  return async (ctx, next) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request = ctx.request as typeof ctx.request & { body?: unknown; rawBody?: string };
    request.body = JSON.parse(text);
    if (keepRaw) request.rawBody = text;
    await next();
  };
}

describe('Koa', () => {
  it('receives through createKoaMiddleware on its path; other paths go on to the next middleware', async () => {
    const handled: string[] = [];
    const app = new Koa();
    const seen: number[] = [];
    app.use(async (ctx, next) => {
      await next();
      seen.push(ctx.status); // Koa's own middleware sees the webhook's answer
    });
    app.use(createKoaMiddleware(options(handled), { path: '/webhooks' }));
    app.use((ctx) => {
      ctx.body = { other: ctx.path };
    });
    const url = await listenKoa(app);
    await exercise(`${url}/webhooks`, handled);
    expect(seen).toEqual([200, 200, 400, 400]);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ other: '/health' });
    expect((await fetch(`${url}/webhooks`)).status).toBe(405);
  });

  it('takes the raw text a body parser kept, and names the parser that kept none', async () => {
    const handled: string[] = [];
    const keeps = new Koa();
    keeps.use(bodyParser(true));
    keeps.use(createKoaMiddleware(options(handled)));
    await exercise(await listenKoa(keeps), handled);

    const rejected: string[] = [];
    const drops = new Koa();
    drops.use(bodyParser(false));
    drops.use(
      createKoaMiddleware({ secret: SECRET, now: NOW, onRejected: (f) => void rejected.push(f.message) }),
    );
    const response = await post(await listenKoa(drops), delivery());
    expect(response).toEqual({ status: 500, body: { error: 'receiver-misconfigured' } });
    expect(rejected[0]).toMatch(/koa-bodyparser/);
  });
});

describe('Fetch handler of the Web build (Next.js route handlers, Workers)', () => {
  it('answers Requests the way a route handler or a Worker passes them', async () => {
    const handled: string[] = [];
    // Next.js: `export const POST = createFetchHandler({ … })`; a Worker: `fetch(request, env) { return handle(request) }`.
    const POST = web.createFetchHandler({ ...options(handled), maxBodyBytes: 10_000 });
    const call = async (d: Delivery, init: RequestInit = {}) => {
      const response = await POST(
        new Request('https://example.com/api/webhooks', {
          method: 'POST',
          body: d.body,
          headers: d.headers,
          ...init,
        }),
      );
      return { status: response.status, body: await response.json() };
    };
    const good = delivery({ kind: 'tour.completed', id: chameleonId(0xcafe) });
    expect(await call(good)).toMatchObject({ status: 200, body: { ok: true, id: chameleonId(0xcafe) } });
    expect(await call(good)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect((await call(delivery({ age: -400 }))).body.error).toBe('too-new');
    const big = delivery({ edit: (p) => (p.pad = 'x'.repeat(20_000)) });
    expect((await call(big)).status).toBe(413);
    // A streamed body with no declared length is counted as it arrives.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('z'.repeat(5000)));
        controller.close();
      },
    });
    expect((await call(good, { body: stream, duplex: 'half' } as RequestInit)).status).toBe(413);
    const get = await POST(new Request('https://example.com/api/webhooks'));
    expect(get.status).toBe(405);
    expect(handled).toEqual([chameleonId(0xcafe)]);
  });
});

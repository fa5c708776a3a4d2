/**
 * The Octokit-style registry (`createWebhooks`): listeners added by topic, by list and with '*', from
 * anywhere and at any time, removed again, their errors seen by every `onError`; every receiver (Node,
 * Fetch of both builds, Koa) takes the registry in place of its options.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import * as node from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(server: Server): Promise<string> {
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function post(url: string, d: Delivery): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json() };
}

const completed = (n: number) => delivery({ kind: 'tour.completed', id: chameleonId(n) });

describe('createWebhooks', () => {
  it('runs the listeners of the topic, of a list naming it, then of "*", each once per delivery', async () => {
    const webhooks = node.createWebhooks({ secret: SECRET, now: NOW });
    const calls: string[] = [];
    const url = await listen(createServer(node.createNodeHandler(webhooks)));
    // Registered after the handler was made, as modules imported later would.
    webhooks
      .on('tour.completed', (webhook) => void calls.push(`tour ${webhook.data.tour.id}`))
      .on(['tour.completed', 'tour.started'], (webhook) => void calls.push(`list ${webhook.kind}`))
      .on('*', (webhook) => void calls.push(`any ${webhook.kind}`));
    expect(await post(url, completed(1))).toMatchObject({ status: 200, body: { ok: true } });
    expect(await post(url, completed(1))).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await post(url, delivery({ kind: 'ping', id: chameleonId(2) }))).toMatchObject({ status: 200 });
    const tourId = JSON.parse(completed(1).body).data.tour.id;
    expect(calls).toEqual([`tour ${tourId}`, 'list tour.completed', 'any tour.completed', 'any ping']);
  });

  it('gives "*" the webhooks of topics added after this version', async () => {
    const seen: string[] = [];
    const webhooks = node.createWebhooks({ secret: SECRET, now: NOW }).on('*', (w) => void seen.push(w.kind));
    const handle = node.createFetchHandler(webhooks);
    const d = delivery({ id: chameleonId(3), edit: (p) => (p.kind = 'tour.teleported') });
    const response = await handle(
      new Request('http://x/', { method: 'POST', body: d.body, headers: d.headers }),
    );
    expect(response.status).toBe(200);
    expect(seen).toEqual(['tour.teleported']);
  });

  it('stops calling a removed listener, and keeps the others', async () => {
    const calls: string[] = [];
    const first = () => void calls.push('first');
    const second = () => void calls.push('second');
    const webhooks = node.createWebhooks({ secret: SECRET, now: NOW }).on('tour.completed', first);
    webhooks.on('tour.completed', second).on('*', first);
    webhooks.removeListener('tour.completed', first).removeListener('*', first);
    const url = await listen(createServer(node.createNodeHandler(webhooks)));
    await post(url, completed(4));
    expect(calls).toEqual(['second']);
  });

  it('answers 500 when a listener throws, tells every onError, and runs them all again on the retry', async () => {
    const errors: unknown[] = [];
    let attempts = 0;
    const fromOptions: unknown[] = [];
    const webhooks = node.createWebhooks({
      secret: SECRET,
      now: NOW,
      onError: (e) => void fromOptions.push(e),
    });
    webhooks
      .on('tour.completed', () => {
        attempts += 1;
        if (attempts === 1) throw new Error('database down');
      })
      .on('*', () => {
        if (attempts === 1) throw new Error('queue down');
      })
      .onError(() => {
        throw new Error('a broken error handler');
      })
      .onError((error, webhook) => void errors.push([error, webhook.id]));
    const url = await listen(createServer(node.createNodeHandler(webhooks)));
    expect(await post(url, completed(5))).toEqual({
      status: 500,
      body: { error: 'handler-failed', id: chameleonId(5) },
    });
    const [aggregate, id] = errors[0] as [AggregateError, string];
    expect(id).toBe(chameleonId(5));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors.map((e: Error) => e.message)).toEqual(['database down', 'queue down']);
    expect(fromOptions).toEqual([aggregate]);
    expect(await post(url, completed(5))).toMatchObject({ status: 200, body: { ok: true } });
    expect(attempts).toBe(2);
  });

  it('rethrows a single failure as it is', async () => {
    const errors: unknown[] = [];
    const webhooks = node.createWebhooks({ secret: SECRET, now: NOW }).onError((e) => void errors.push(e));
    webhooks.on('ping', () => Promise.reject(new RangeError('one')));
    const url = await listen(createServer(node.createNodeHandler(webhooks)));
    expect((await post(url, delivery({ id: chameleonId(6) }))).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
  });

  it('refuses a topic it does not know where it is registered', () => {
    const webhooks = node.createWebhooks({ secret: SECRET });
    // @ts-expect-error not a topic
    expect(() => webhooks.on('tour.complete', () => undefined)).toThrow(/"tour.complete" is not a topic/);
    // @ts-expect-error not a topic
    expect(() => webhooks.on(['ping', 'pong'], () => undefined)).toThrow(/"pong"/);
    expect(() => webhooks.on([], () => undefined)).toThrow(TypeError);
  });

  it('is taken by the Web build, Koa and the verification options alike', async () => {
    const seen: string[] = [];
    const webhooks = web.createWebhooks({ secret: ['new-secret', SECRET], now: NOW });
    webhooks.on('tour.completed', (w) => void seen.push(`web ${w.id}`));
    const handle = web.createFetchHandler(webhooks);
    const d = completed(7);
    const forged = { ...d, headers: { ...d.headers, 'x-chameleon-signature': 'c'.repeat(64) } };
    const request = (x: Delivery) =>
      new Request('http://x/', { method: 'POST', body: x.body, headers: x.headers });
    expect((await handle(request(d))).status).toBe(200);
    expect((await handle(request(forged))).status).toBe(400);

    const koaHooks = node.createWebhooks({ secret: SECRET, now: NOW });
    koaHooks.on('tour.completed', (w) => void seen.push(`koa ${w.id}`));
    const app = new Koa();
    app.use(node.createKoaMiddleware(koaHooks, { path: '/hooks' }));
    const url = await listen(createServer(app.callback()));
    expect((await post(`${url}hooks`, completed(8))).status).toBe(200);
    expect(seen).toEqual([`web ${chameleonId(7)}`, `koa ${chameleonId(8)}`]);
  });
});

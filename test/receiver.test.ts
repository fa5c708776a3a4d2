/**
 * The Node receiver over a real loopback server: exactly-once handling under
 * concurrent duplicate deliveries, and the right status for every bad request.
 * Also the idempotency store and runner on their own.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNodeHandler,
  createOncePerId,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  MemoryIdempotencyStore,
  type AnyChameleonWebhook,
  type ReceiverOptions,
} from '../generated/typescript/src/index.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SPEC_DIR } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(options: Partial<ReceiverOptions>): Promise<string> {
  const server = createServer(createNodeHandler({ secret: SECRET, now: NOW, ...options }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function post(url: string, d: Delivery): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json() };
}

describe('createNodeHandler over loopback', () => {
  it('handles every id exactly once across concurrent and repeated deliveries, losing none', async () => {
    const handled = new Map<string, number>();
    const url = await serve({
      on: {
        'tour.completed': async (webhook) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          handled.set(webhook.id, (handled.get(webhook.id) ?? 0) + 1);
        },
      },
    });
    const ids = Array.from({ length: 40 }, (_, index) => chameleonId(0x5fb70dcb00 + index));
    // Every id three times: two concurrent copies now and one replay after all have settled.
    const first = await Promise.all(
      [...ids, ...ids].map((id) => post(url, delivery({ kind: 'tour.completed', id }))),
    );
    const replays = await Promise.all(
      ids.map((id) => post(url, delivery({ kind: 'tour.completed', id, age: 30 }))),
    );
    expect(first.every((r) => r.status === 200)).toBe(true);
    expect(replays.every((r) => r.status === 200 && r.body.duplicate === true)).toBe(true);
    expect([...handled.keys()].sort()).toEqual([...ids].sort());
    expect([...handled.values()].every((count) => count === 1)).toBe(true);
    expect(first.filter((r) => r.body.duplicate).length).toBe(ids.length);
  });

  it('answers 500 when the handler throws, and runs it again on the retry', async () => {
    let attempts = 0;
    const errors: unknown[] = [];
    const url = await serve({
      on: {
        ping: () => {
          attempts += 1;
          if (attempts === 1) throw new Error('database down');
        },
      },
      onError: (error) => errors.push(error),
    });
    const d = delivery({ id: chameleonId(1) });
    expect((await post(url, d)).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect((await post(url, d)).status).toBe(200);
    expect((await post(url, d)).body).toMatchObject({ ok: true, duplicate: true });
    expect(attempts).toBe(2);
  });

  it('gives concurrent duplicates of a failing delivery the same 500, running the handler once', async () => {
    let attempts = 0;
    const url = await serve({
      on: {
        ping: async () => {
          attempts += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('boom');
        },
      },
    });
    const d = delivery({ id: chameleonId(2) });
    const statuses = (await Promise.all([post(url, d), post(url, d), post(url, d)])).map((r) => r.status);
    expect(statuses).toEqual([500, 500, 500]);
    expect(attempts).toBe(1);
  });

  it('dispatches on the topic, then onAny; an unknown topic goes to onUnknownTopic and is acknowledged', async () => {
    const seen: string[] = [];
    const url = await serve({
      on: { ping: (webhook) => void seen.push(`ping:${webhook.data.account.id}`) },
      onAny: (webhook: AnyChameleonWebhook) => void seen.push(`any:${webhook.kind}`),
      onUnknownTopic: (webhook) => void seen.push(`unknown:${webhook.kind}`),
    });
    expect((await post(url, delivery({ id: chameleonId(3) }))).status).toBe(200);
    const later = delivery({ id: chameleonId(4), edit: (p) => (p.kind = 'tour.teleported') });
    expect((await post(url, later)).status).toBe(200);
    expect(seen).toEqual([
      'ping:58918bc07de121000432e9c0',
      'any:ping',
      'unknown:tour.teleported',
      'any:tour.teleported',
    ]);
  });

  it('rejects bad requests with the right status and a JSON reason', async () => {
    const rejected: string[] = [];
    let ran = 0;
    const url = await serve({
      maxBodyBytes: 4096,
      on: { ping: () => void ran++ },
      onRejected: (f) => rejected.push(f.reason),
    });
    const good = delivery({ id: chameleonId(5) });
    const cases: Array<[string, Delivery, number, string]> = [
      [
        'bad signature',
        { ...good, headers: { ...good.headers, 'x-chameleon-signature': 'a'.repeat(64) } },
        400,
        'unauthenticated',
      ],
      ['no signature', { ...good, headers: { 'content-type': 'application/json' } }, 400, 'unauthenticated'],
      ['stale', delivery({ id: chameleonId(6), age: 301 }), 400, 'too-old'],
      ['future', delivery({ id: chameleonId(7), age: -301 }), 400, 'too-new'],
      [
        'body not the one signed',
        {
          body: '{"id":',
          headers: { 'x-chameleon-signature': delivery().headers['x-chameleon-signature']! },
        },
        400,
        'unauthenticated',
      ],
      [
        'invalid payload',
        delivery({ id: chameleonId(8), edit: (p) => delete p.data }),
        400,
        'invalid-payload',
      ],
      [
        'oversized',
        delivery({ id: chameleonId(9), edit: (p) => (p.pad = 'x'.repeat(5000)) }),
        413,
        'body-too-large',
      ],
    ];
    for (const [name, d, status, error] of cases) {
      const response = await post(url, d);
      expect([name, response.status, response.body.error]).toEqual([name, status, error]);
    }
    const notJson = '{"id":';
    const signedNotJson = {
      body: notJson,
      headers: { 'x-chameleon-signature': (await import('./verify-deliveries.js')).hmacHex(notJson, SECRET) },
    };
    expect(await post(url, signedNotJson)).toMatchObject({ status: 400, body: { error: 'malformed-body' } });
    const get = await fetch(url);
    expect([get.status, get.headers.get('allow'), (await get.json()).error]).toEqual([
      405,
      'POST',
      'method-not-allowed',
    ]);
    expect(ran).toBe(0);
    expect(rejected).toEqual([
      'signature-mismatch',
      'missing-signature',
      'too-old',
      'too-new',
      'signature-mismatch',
      'invalid-payload',
      'malformed-body',
    ]);
    expect((await post(url, good)).status).toBe(200);
  });

  it('answers 413 from the declared length, and from the stream when the length is not declared', async () => {
    const url = await serve({ maxBodyBytes: 1000 });
    const big = 'x'.repeat(200_000);
    const declared = await fetch(url, {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('y'.repeat(10_000));
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it('with a shared store, answers 409 while another instance handles the id, then acknowledges it as done', async () => {
    const shared = new MemoryIdempotencyStore();
    let release!: () => void;
    let runs = 0;
    const slow = () => {
      runs += 1;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const instanceA = await serve({ idempotency: shared, on: { ping: slow } });
    const instanceB = await serve({ idempotency: shared, on: { ping: slow } });
    const d = delivery({ id: chameleonId(11) });
    const first = post(instanceA, d);
    while (!release) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(await post(instanceB, d)).toMatchObject({ status: 409, body: { error: 'in-progress' } });
    release();
    expect((await first).status).toBe(200);
    expect(await post(instanceB, d)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(runs).toBe(1);
  });

  it('answers a generic 500 when the secret is missing, naming the cause to onRejected only', async () => {
    const rejected: string[] = [];
    const url = await serve({
      secret: '',
      onRejected: (f) => void rejected.push(`${f.reason}: ${f.message}`),
    });
    expect(await post(url, delivery({ id: chameleonId(10) }))).toEqual({
      status: 500,
      body: { error: 'receiver-misconfigured' },
    });
    expect(rejected).toEqual([expect.stringMatching(/^missing-secret: .*CHAMELEON_VERIFICATION_SECRET/)]);
  });
});

describe('idempotency', () => {
  it('the default TTL outlives the retry span from the spec', () => {
    const api = JSON.parse(readFileSync(path.join(SPEC_DIR, 'api.json'), 'utf8'));
    expect(DEFAULT_IDEMPOTENCY_TTL_MS).toBeGreaterThan(api.outgoing.delivery.retrySpanHours * 3600_000);
  });

  it('MemoryIdempotencyStore: claim, done, lease, TTL and the size bound', () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ ttlMs: 1000, leaseMs: 100, maxEntries: 3, now: () => now });
    expect(store.begin('a')).toBe('claimed');
    expect(store.begin('a')).toBe('in-progress');
    now = 101; // the owner never reported back: the lease ran out
    expect(store.begin('a')).toBe('claimed');
    store.complete('a');
    expect(store.begin('a')).toBe('done');
    now = 1200;
    expect(store.begin('a')).toBe('claimed');
    store.fail('a');
    expect(store.begin('a')).toBe('claimed');
    for (const id of ['b', 'c', 'd']) {
      store.begin(id);
      store.complete(id);
    }
    expect(store.size).toBe(3);
    expect(store.begin('a')).toBe('claimed'); // 'a' was the oldest and was evicted
  });

  it('createOncePerId: concurrent calls share one run; a failure lets the next call run', async () => {
    const once = createOncePerId(new MemoryIdempotencyStore());
    let runs = 0;
    const task = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const outcomes = await Promise.all([once('x', task), once('x', task), once('x', task)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'ran']);
    expect(await once('x', task)).toBe('duplicate');
    expect(runs).toBe(1);
    await expect(once('y', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await once('y', task)).toBe('ran');
    const unguarded = createOncePerId(false);
    await unguarded('z', task);
    await unguarded('z', task);
    expect(runs).toBe(4);
  });

  it('reports another instance holding the claim (a shared store) as in-progress', async () => {
    const shared = new MemoryIdempotencyStore();
    const instanceA = createOncePerId(shared);
    const instanceB = createOncePerId(shared);
    let release!: () => void;
    const slow = instanceA('id', () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(await instanceB('id', async () => {})).toBe('in-progress');
    release();
    expect(await slow).toBe('ran');
    expect(await instanceB('id', async () => {})).toBe('duplicate');
  });
});

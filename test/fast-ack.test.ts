/**
 * Answering inside Chameleon's 7 s (issue 11): every receiver over real loopback HTTP answers by its
 * acknowledgement deadline whatever its handler does, and a `handoff` answers 200 as soon as the webhook is
 * kept, then runs the handlers after the answer (through `waitUntil` where the runtime has it).
 */
import type { AddressInfo } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import * as node from '../generated/typescript/src/index.js';
import type { DeliveryRecord } from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import { closeReceivers, RECEIVERS } from './receivers-over-http.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

afterEach(closeReceivers);

async function post(url: string, d: Delivery) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json(), ms: performance.now() - started };
}

/** A promise the test settles: what a handler or a sink waits on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** A tour.completed delivery whose `data.tour` is not the spec's object: authentic, not conforming. */
const nonconforming = (id: string) =>
  delivery({
    kind: 'tour.completed',
    id,
    edit: (payload) => {
      (payload.data as Record<string, unknown>).tour = 'not an object';
    },
  });

it('answers by default within 6 s, under the 7 s Chameleon waits', () => {
  expect(node.DEFAULT_ACK_DEADLINE_MS).toBeLessThan(7000);
  expect(web.DEFAULT_ACK_DEADLINE_MS).toBe(node.DEFAULT_ACK_DEADLINE_MS);
});

describe.each(RECEIVERS)('%s receiver', (_name, start) => {
  it('answers a slow handler 503 at the deadline; the retry after it finished is a duplicate', async () => {
    const slow = gate();
    let runs = 0;
    const { url } = await start({
      ackDeadlineMs: 200,
      on: {
        ping: async () => {
          runs += 1;
          await slow.opened;
        },
      },
    });
    const d = delivery({ id: chameleonId(0xac1) });
    const first = await post(url, d);
    expect(first).toMatchObject({ status: 503, body: { error: 'still-processing' } });
    expect(first.ms).toBeLessThan(2000); // the handler is still waiting: only the deadline answered
    // A retry while it runs waits on the same attempt, and gets the same deadline.
    expect(await post(url, d)).toMatchObject({ status: 503, body: { error: 'still-processing' } });
    slow.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await post(url, d)).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(runs).toBe(1);
  });

  it('with a handoff, answers 200 once kept, before the handler finishes; the handler then runs once', async () => {
    const kept: DeliveryRecord[] = [];
    const release = gate();
    const done = gate();
    const handled: string[] = [];
    const { url } = await start({
      handoff: { keep: async (record) => void kept.push(record) },
      on: {
        ping: async (webhook) => {
          await release.opened;
          handled.push(webhook.id);
          done.open();
        },
      },
    });
    const d = delivery({ id: chameleonId(0xac2) });
    const answer = await post(url, d);
    expect(answer).toMatchObject({ status: 200, body: { ok: true, queued: true, id: chameleonId(0xac2) } });
    expect(handled).toEqual([]);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ id: chameleonId(0xac2), kind: 'ping', conforming: true, issues: [] });
    expect(kept[0]!.body).toBe(d.body); // the bytes as signed, so the record can be verified again
    release.open();
    await done.opened;
    expect(handled).toEqual([chameleonId(0xac2)]);
  });

  it('answers 500 when the handoff fails and 503 when it overruns the deadline; nothing runs', async () => {
    let attempt = 0;
    const handled: string[] = [];
    const { url } = await start({
      ackDeadlineMs: 200,
      handoff: {
        keep: () => {
          attempt += 1;
          if (attempt === 1) throw new Error('queue down');
          if (attempt === 2) return new Promise(() => {}); // stalled
          return undefined;
        },
      },
      on: { ping: (webhook) => void handled.push(webhook.id) },
    });
    const d = delivery({ id: chameleonId(0xac3) });
    expect(await post(url, d)).toMatchObject({ status: 500, body: { error: 'handoff-failed' } });
    expect(await post(url, d)).toMatchObject({ status: 503, body: { error: 'still-processing' } });
    expect(handled).toEqual([]);
    expect(await post(url, d)).toMatchObject({ status: 200, body: { queued: true } });
  });

  it('hands off a non-conforming webhook with its issues, and rejects it under nonconforming: reject', async () => {
    const kept: DeliveryRecord[] = [];
    const seen = gate();
    const tolerant = await start({
      handoff: { keep: (record) => void kept.push(record) },
      onNonconforming: () => seen.open(),
    });
    const answer = await post(tolerant.url, nonconforming(chameleonId(0xac4)));
    expect(answer).toMatchObject({ status: 200, body: { queued: true, conforming: false } });
    expect(kept[0]).toMatchObject({ conforming: false, kind: 'tour.completed' });
    expect(kept[0]!.issues.length).toBeGreaterThan(0);
    await seen.opened;

    const strict = await start({
      nonconforming: 'reject',
      handoff: { keep: (record) => void kept.push(record) },
    });
    const rejected = await post(strict.url, nonconforming(chameleonId(0xac5)));
    expect(rejected).toMatchObject({ status: 400, body: { error: 'invalid-payload' } });
    expect(kept).toHaveLength(1);
  });
});

describe('waitUntil', () => {
  const options = (handled: string[], kept: DeliveryRecord[]) => ({
    secret: SECRET,
    now: NOW,
    handoff: { keep: (record: DeliveryRecord) => void kept.push(record) },
    on: {
      ping: async (webhook: { id: string }) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        handled.push(webhook.id);
      },
    },
  });
  const request = (d: Delivery) =>
    new Request('http://worker/', { method: 'POST', body: d.body, headers: d.headers });

  it.each([
    ['Web', web.createFetchHandler],
    ['Node', node.createFetchHandler],
  ])('the %s fetch handler hands the processing after a handoff to waitUntil', async (_build, create) => {
    const handled: string[] = [];
    const kept: DeliveryRecord[] = [];
    const waited: Promise<unknown>[] = [];
    const handle = create(options(handled, kept));
    const response = await handle(request(delivery({ id: chameleonId(0xa1) })), {
      waitUntil: (promise) => void waited.push(promise),
    });
    expect(response.status).toBe(200);
    expect(handled).toEqual([]);
    expect(waited).toHaveLength(1);
    await waited[0];
    expect(handled).toEqual([chameleonId(0xa1)]);
  });

  it("Hono's handler passes Hono's execution context (Workers' ctx)", async () => {
    const handled: string[] = [];
    const kept: DeliveryRecord[] = [];
    const waited: Promise<unknown>[] = [];
    const app = new Hono();
    app.post('/', web.createHonoHandler(options(handled, kept)));
    const executionCtx = {
      waitUntil: (promise: Promise<unknown>) => void waited.push(promise),
      passThroughOnException: () => {},
      props: {},
    };
    const response = await app.fetch(request(delivery({ id: chameleonId(0xa2) })), {}, executionCtx);
    expect(response.status).toBe(200);
    await Promise.all(waited);
    expect(handled).toEqual([chameleonId(0xa2)]);
    // Without one (Hono's getter throws), the handler still answers.
    const plain = await app.fetch(request(delivery({ id: chameleonId(0xa3) })));
    expect(plain.status).toBe(200);
  });
});

describe('Hono on @hono/node-server', () => {
  it("reads the Node request itself, so Hono's light request is never turned into a Web stream", async () => {
    const app = new Hono();
    const handler = node.createHonoHandler({ secret: SECRET, now: NOW, on: { ping: () => {} } });
    const bodyUsed: boolean[] = [];
    app.post('/webhooks', async (context) => {
      const response = await handler(context);
      bodyUsed.push(context.req.raw.bodyUsed);
      return response;
    });
    const server = serveHono({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await post(`http://127.0.0.1:${port}/webhooks`, delivery({ id: chameleonId(0xb1) }));
      expect(answer).toMatchObject({ status: 200, body: { ok: true } });
      expect(bodyUsed).toEqual([false]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

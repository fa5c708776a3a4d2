/**
 * Authentic is not the same as conforming (issue 11): deliveries Chameleon really sends, signed and
 * fresh but departing from our reading of its docs, are handed over with their issues instead of being
 * rejected, unless `nonconforming: 'reject'` (CI, contract tests) is asked for. Checked through
 * verifyWebhook of both builds and through every receiver over real loopback HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve as serveHono } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as node from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import type { ReceiverOptions } from '../generated/typescript/src/index.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

/** What Chameleon really sends that the spec did not expect, and the path of the issue each raises. */
const AUTHENTIC_SURPRISES: Array<[string, (payload: Record<string, any>) => void, string]> = [
  ['an upper-case Chameleon ID', (p) => (p.id = String(p.id).toUpperCase()), '/id'],
  ['a missing data.step', (p) => delete p.data.step, '/data/step'],
  [
    'a data.profile.last_seen_at in unix seconds',
    (p) => (p.data.profile.last_seen_at = 1891729319),
    '/data/profile/last_seen_at',
  ],
  [
    'a data.tour.published_at without a time zone',
    (p) => (p.data.tour.published_at = '2029-11-11T00:12:59'),
    '/data/tour/published_at',
  ],
];

/**
 * Surprises of issue 11 that spec 1.0 made conforming, following the vendor: a numeric uid (its REST
 * examples send numbers) and a fractional session count (it types the count as number).
 */
const NOW_CONFORMING: Array<[string, (payload: Record<string, any>) => void]> = [
  ['a numeric data.profile.uid', (p) => (p.data.profile.uid = 92340834)],
  ['last_seen_session_count: 83.5', (p) => (p.data.profile.last_seen_session_count = 83.5)],
  ['a custom property on data.profile', (p) => (p.data.profile.plan_name = 'enterprise')],
];

let serial = 0xabc0000;
/** A signed, fresh tour.completed with a fresh id (letters in it, so upper-casing changes it). */
function surprising(edit: (payload: Record<string, any>) => void): Delivery {
  return delivery({ kind: 'tour.completed', id: chameleonId(serial++), edit });
}

describe.each([
  ['Node build', (d: Delivery, o?: node.VerifyOptions) => node.verifyWebhook(d.body, d.headers, SECRET, o)],
  ['Web build', (d: Delivery, o?: node.VerifyOptions) => web.verifyWebhook(d.body, d.headers, SECRET, o)],
] as const)('verifyWebhook (%s)', (_build, verify) => {
  it.each(AUTHENTIC_SURPRISES)(
    "%s: returned as non-conforming with its issues; invalid-payload under nonconforming: 'reject'",
    async (_n, edit, at) => {
      const result = await verify(surprising(edit), { now: NOW });
      expect(result).toMatchObject({ ok: true, conforming: false, known: false });
      if (!result.ok || result.conforming) throw new Error('expected a non-conforming webhook');
      expect(result.webhook.kind).toBe('tour.completed');
      expect(result.issues.map((issue) => issue.path)).toContain(at);
      const strict = await verify(surprising(edit), { now: NOW, nonconforming: 'reject' });
      expect(strict).toMatchObject({ ok: false, reason: 'invalid-payload' });
      expect(!strict.ok && strict.errors?.map((issue) => issue.path)).toContain(at);
    },
  );

  it.each(NOW_CONFORMING)('%s conforms, in both modes, with no issue', async (_n, edit) => {
    for (const nonconforming of ['accept', 'reject'] as const) {
      const result = await verify(surprising(edit), { now: NOW, nonconforming });
      expect(result).toMatchObject({ ok: true, conforming: true, known: true });
    }
  });

  it('a conforming webhook says so, and an envelope without data is not authentic in either mode', async () => {
    expect(
      await verify(
        surprising(() => {}),
        { now: NOW },
      ),
    ).toMatchObject({
      ok: true,
      conforming: true,
      known: true,
    });
    for (const nonconforming of ['accept', 'reject'] as const) {
      const result = await verify(
        surprising((p) => delete p.data),
        { now: NOW, nonconforming },
      );
      expect(result).toMatchObject({ ok: false, reason: 'invalid-payload' });
    }
  });
});

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listening(server: Server): Promise<string> {
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
}

function honoServer(fetchHandler: (request: Request) => Response | Promise<Response>): Promise<string> {
  return new Promise((resolve) => {
    const server = serveHono({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}/webhooks`),
    );
    closers.push(() => new Promise((done) => server.close(done)));
  });
}

type Options = Omit<ReceiverOptions, 'secret'>;

/** Each receiver, started on a loopback port with `options`; resolves to the URL to POST to. */
const RECEIVERS: Array<[string, (options: Options) => Promise<string>]> = [
  ['node:http', (o) => listening(createServer(node.createNodeHandler({ secret: SECRET, ...o })))],
  [
    'Express',
    (o) => {
      const app = express();
      app.post('/webhooks', createNodeHandlerFor(o));
      return listening(createServer(app));
    },
  ],
  [
    'Fastify',
    async (o) => {
      const app = Fastify();
      await app.register(node.createFastifyPlugin({ secret: SECRET, ...o }), { prefix: '/webhooks' });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      return `${url}/webhooks`;
    },
  ],
  [
    'Hono',
    (o) => {
      const app = new Hono();
      app.post('/webhooks', node.createHonoHandler({ secret: SECRET, ...o }));
      return honoServer(app.fetch);
    },
  ],
  ['fetch (Web build)', (o) => honoServer(web.createFetchHandler({ secret: SECRET, ...o }))],
];

function createNodeHandlerFor(o: Options) {
  return node.createNodeHandler({ secret: SECRET, ...o });
}

async function post(url: string, d: Delivery): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: response.status, body: await response.json() };
}

const dir = mkdtempSync(path.join(tmpdir(), 'chameleon-authentic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(RECEIVERS)('%s receiver', (_name, start) => {
  it("hands every authentic surprise to onNonconforming with 200, never to the typed handler; 400 under 'reject'", async () => {
    const typed: string[] = [];
    const taken: unknown[] = [];
    const url = await start({
      now: NOW,
      on: { 'tour.completed': (webhook) => void typed.push(webhook.id) },
      onNonconforming: (webhook, issues) => void taken.push([webhook.id, issues.map((i) => i.path)]),
    });
    for (const [name, edit, at] of AUTHENTIC_SURPRISES) {
      const d = surprising(edit);
      const response = await post(url, d);
      expect([name, response.status, response.body]).toEqual([
        name,
        200,
        { ok: true, id: JSON.parse(d.body).id, conforming: false },
      ]);
      expect((taken.at(-1) as [string, string[]])[1]).toContain(at);
    }
    expect(taken).toHaveLength(AUTHENTIC_SURPRISES.length);
    expect(
      await post(
        url,
        surprising(() => {}),
      ),
    ).toMatchObject({ status: 200, body: { ok: true } });
    expect(typed).toHaveLength(1);
    const strict = await start({
      now: NOW,
      nonconforming: 'reject',
      onNonconforming: (webhook) => void taken.push(webhook.id),
    });
    for (const [name, edit] of AUTHENTIC_SURPRISES) {
      const response = await post(strict, surprising(edit));
      expect([name, response.status, response.body.error]).toEqual([name, 400, 'invalid-payload']);
    }
    expect(taken).toHaveLength(AUTHENTIC_SURPRISES.length);
  });

  it('keeps them in a JSONL sink before answering 200, and answers 500 when the sink fails', async () => {
    const file = path.join(dir, `${_name.replace(/\W/g, '')}.jsonl`);
    const url = await start({ now: NOW, nonconformingSink: node.createJsonlSink(file) });
    const sent = AUTHENTIC_SURPRISES.map(([, edit]) => surprising(edit));
    for (const d of sent) expect((await post(url, d)).status).toBe(200);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.body)).toEqual(sent.map((d) => d.body));
    expect(lines.every((line) => line.kind === 'tour.completed' && line.issues.length > 0)).toBe(true);
    const failing = await start({
      now: NOW,
      nonconformingSink: { keep: () => Promise.reject(new Error('disk full')) },
    });
    expect((await post(failing, surprising(AUTHENTIC_SURPRISES[0]![1]))).status).toBe(500);
  });
});

describe('the default sink', () => {
  it('the Node receiver keeps a non-conforming webhook in chameleon-nonconforming.jsonl when nothing else takes it', async () => {
    const file = path.resolve(node.DEFAULT_NONCONFORMING_FILE);
    rmSync(file, { force: true });
    try {
      const url = await listening(createServer(node.createNodeHandler({ secret: SECRET, now: NOW })));
      const d = surprising((p) => delete p.data.step);
      expect((await post(url, d)).status).toBe(200);
      expect(JSON.parse(readFileSync(file, 'utf8').trim())).toMatchObject({ body: d.body });
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('the Web build has none: 500 (Chameleon retries) until a sink or onNonconforming takes it', async () => {
    const errors: unknown[] = [];
    const url = await honoServer(
      web.createFetchHandler({ secret: SECRET, now: NOW, onError: (error) => void errors.push(error) }),
    );
    const d = surprising((p) => delete p.data.step);
    expect((await post(url, d)).status).toBe(500);
    expect(String(errors[0])).toMatch(/nonconformingSink or onNonconforming/);
  });
});

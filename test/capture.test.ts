/**
 * Capture: receivers record verified deliveries as JSON lines (all, a sample, or the
 * non-conforming ones), with personal data redacted by default and no header ever written,
 * and capture can neither change nor delay the answer. Over real loopback HTTP (node:http)
 * and through the Web build's fetch handler with a writer function.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as node from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import { redactPersonalData, type CaptureOptions } from '../generated/typescript/src/index.js';
import { chameleonId, delivery, NOW, SECRET, type Delivery } from './verify-deliveries.js';

const dir = mkdtempSync(path.join(tmpdir(), 'chameleon-capture-'));
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(capture: CaptureOptions): Promise<string> {
  const server = createServer(node.createNodeHandler({ secret: SECRET, now: NOW, capture }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function post(url: string, sent: Delivery): Promise<Response> {
  return fetch(url, { method: 'POST', headers: sent.headers, body: sent.body });
}

/** A tour.completed with its profile's personal data, one undocumented custom property and a chosen id. */
function tourCompleted(n: number, edit?: (payload: any) => void): Delivery {
  return delivery({
    kind: 'tour.completed',
    id: chameleonId(n),
    edit: (payload: any) => {
      payload.data.profile.plan_owner_phone = '+1 555 0100';
      payload.data.profile.favourite_color = 'teal';
      edit?.(payload);
    },
  });
}
/** Not conforming: a documented integer (milliseconds) sent as a decimal. */
const decimalCount = (payload: any) => {
  payload.data.step.follow_up_delay = 1.5;
};

async function linesOf(file: string, count: number): Promise<any[]> {
  // Writes are not awaited by the receiver: wait (bounded) until they landed.
  for (let i = 0; i < 100; i++) {
    const text = (() => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    })();
    const lines = text.split('\n').filter(Boolean);
    if (lines.length >= count) return lines.map((line) => JSON.parse(line));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} did not get ${count} lines`);
}

describe('capture to a JSONL file (node:http)', () => {
  it('nonconforming (the default) records only non-conforming deliveries, with their issues and the time', async () => {
    const file = path.join(dir, 'nonconforming.jsonl');
    const url = await serve({ write: node.captureFile(file) });
    expect((await post(url, tourCompleted(1))).status).toBe(200);
    expect((await post(url, tourCompleted(2, decimalCount))).status).toBe(200);
    const [line, ...rest] = await linesOf(file, 1);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ id: chameleonId(2), kind: 'tour.completed', conforming: false });
    expect(line.issues).toEqual([expect.objectContaining({ path: '/data/step/follow_up_delay' })]);
    expect(Date.parse(line.received_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(line.body).data.step.follow_up_delay).toBe(1.5);
  });

  it('all records every verified delivery and never a rejected one; redacts personal data; writes no header', async () => {
    const file = path.join(dir, 'all.jsonl');
    const url = await serve({ record: 'all', write: node.captureFile(file) });
    const forged = tourCompleted(3);
    forged.headers['x-chameleon-signature'] = 'f'.repeat(64);
    expect((await post(url, forged)).status).toBe(400);
    const sent = tourCompleted(4);
    expect((await post(url, sent)).status).toBe(200);
    const [line] = await linesOf(file, 1);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(line).toMatchObject({ id: chameleonId(4), conforming: true, issues: [] });
    for (const secret of [
      SECRET,
      sent.headers['x-chameleon-signature']!,
      'x-chameleon-signature',
      'jane@example.com',
      'Jane E',
      'teal',
      '555',
    ])
      expect(text).not.toContain(secret);
    const profile = JSON.parse(line.body).data.profile;
    expect(profile).toMatchObject({
      id: '5f885a88e7daf3000e3eb4f6',
      email: 'redacted@example.com',
      name: '[redacted]',
      uid: '[redacted]',
      favourite_color: '[redacted]',
      plan_owner_phone: '[redacted]',
      last_seen_at: '2029-12-11T00:21:59.109Z',
      last_seen_session_count: 83,
    });
    expect(line.redacted.sort()).toEqual(
      [
        '/data/profile/email',
        '/data/profile/favourite_color',
        '/data/profile/name',
        '/data/profile/plan_owner_phone',
        '/data/profile/uid',
      ].sort(),
    );
    // What is not personal stays as sent.
    expect(JSON.parse(line.body).data.tour.name).toBe('Usage upsell banner - A');
  });

  it('keepPersonalData writes the body byte for byte', async () => {
    const file = path.join(dir, 'keep.jsonl');
    const url = await serve({ record: 'all', keepPersonalData: true, write: node.captureFile(file) });
    const sent = tourCompleted(5);
    await post(url, sent);
    const [line] = await linesOf(file, 1);
    expect(line.body).toBe(sent.body);
    expect(line.redacted).toEqual([]);
  });

  it('a sample records about its rate', async () => {
    const file = path.join(dir, 'sample.jsonl');
    let draw = 0;
    // Deterministic draws 0, 0.1, …, 0.9: a rate of 0.3 takes exactly three in ten.
    const url = await serve({
      record: { sample: 0.3 },
      random: () => (draw++ % 10) / 10,
      write: node.captureFile(file),
    });
    for (let n = 10; n < 20; n++) expect((await post(url, tourCompleted(n))).status).toBe(200);
    const lines = await linesOf(file, 3);
    expect(lines.map((line) => line.id)).toEqual([chameleonId(10), chameleonId(11), chameleonId(12)]);
  });
});

describe('capture never costs a delivery', () => {
  it('a writer that throws, rejects or never settles: the answer is the same, and errors reach onError', async () => {
    const errors: unknown[] = [];
    const writers: CaptureOptions['write'][] = [
      () => {
        throw new Error('disk full');
      },
      () => Promise.reject(new Error('bucket gone')),
      () => new Promise(() => {}),
    ];
    for (const [index, write] of writers.entries()) {
      const handled: string[] = [];
      const server = createServer(
        node.createNodeHandler({
          secret: SECRET,
          now: NOW,
          capture: { record: 'all', write, onError: (error) => errors.push(error) },
          on: { 'tour.completed': (webhook) => void handled.push(webhook.id) },
        }),
      );
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const started = Date.now();
      const response = await post(url, tourCompleted(30 + index));
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(handled).toEqual([chameleonId(30 + index)]);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors.map((error) => (error as Error).message)).toEqual(['disk full', 'bucket gone']);
  });

  it('a backlog past maxPending drops lines, not deliveries', async () => {
    const errors: unknown[] = [];
    const url = await serve({
      record: 'all',
      maxPending: 2,
      write: () => new Promise(() => {}),
      onError: (error) => errors.push(error),
    });
    for (let n = 40; n < 44; n++) expect((await post(url, tourCompleted(n))).status).toBe(200);
    expect(errors).toHaveLength(2);
    expect(String(errors[0])).toMatch(/not recorded/);
  });
});

describe('the Web build takes a writer function', () => {
  it('records through it, redacted', async () => {
    const lines: string[] = [];
    const handle = web.createFetchHandler({
      secret: SECRET,
      now: NOW,
      capture: { record: 'all', write: (line) => void lines.push(line) },
      onNonconforming: () => {}, // the Web build has no default sink
    });
    const sent = tourCompleted(50, decimalCount);
    const response = await handle(
      new Request('http://localhost/', { method: 'POST', headers: sent.headers, body: sent.body }),
    );
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ conforming: false, id: chameleonId(50) });
    expect(lines[0]).not.toContain('jane@example.com');
  });
});

describe('redactPersonalData', () => {
  it.each([
    [
      'an email anywhere',
      { data: { note: 'a@b.co' } },
      { data: { note: 'redacted@example.com' } },
      ['/data/note'],
    ],
    [
      'free-text and form answers',
      {
        data: {
          response: { input_text: 'call me', button_text: 'Yes' },
          fields: [{ field: 'x', value: 'Jo' }],
        },
      },
      {
        data: {
          response: { input_text: '[redacted]', button_text: 'Yes' },
          fields: [{ field: 'x', value: '[redacted]' }],
        },
      },
      ['/data/response/input_text', '/data/fields/0/value'],
    ],
    [
      'custom properties keep their shape',
      { data: { company: { id: chameleonId(1), mrr: 12.5, seats: 3, tags: ['a'], active: true } } },
      { data: { company: { id: chameleonId(1), mrr: 0.5, seats: 0, tags: ['[redacted]'], active: true } } },
      ['/data/company/mrr', '/data/company/seats', '/data/company/tags/0'],
    ],
  ])('%s', (_name, body, want, pointers) => {
    expect(redactPersonalData(body)).toEqual({ body: want, redacted: pointers });
  });
});

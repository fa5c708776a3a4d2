/**
 * Verification and receiver speed, side by side in one process run
 * (`npm run bench -- verify`). Prints ops/s and ratios against the issue's
 * targets; it asserts nothing (speed is never a test).
 *
 * 1. Verify on ~1 KB and ~64 KB bodies: the floors (createHmac + timingSafeEqual
 *    inline; subtle.verify with a key imported once), our verifySignature and verifyWebhook (Node and Web builds), and the
 *    verify of @octokit/webhooks-methods, standardwebhooks and Stripe's
 *    constructEvent, each signed with its own scheme.
 * 2. The receiver under load: autocannon on loopback against createNodeHandler
 *    and a bare node:http server that reads the body and answers 200. Each
 *    server runs in a child process so it does not share a thread with autocannon.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { verify as octokitVerify, sign as octokitSign } from '@octokit/webhooks-methods';
import autocannon from 'autocannon';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import {
  createNodeHandler,
  signWebhook,
  verifySignature,
  verifyWebhook,
} from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';

const SECRET = 'bench-webhook-secret-0123456789';
const MEASURE_MS = 400;
/** Competitors are measured in interleaved rounds and keep their best round: on a shared machine, noise only ever slows a run down. */
const ROUNDS = 3;
const LOAD_SECONDS = 4;
const LOAD_ROUNDS = 2;
const SELF = fileURLToPath(import.meta.url);

let sink = 0;

/** ops/s of a sync or async check, after a warm-up; every call must say true. */
async function opsPerSecond(check: () => boolean | Promise<boolean>): Promise<number> {
  if (!(await check())) throw new Error('a competitor rejected its own valid input');
  const loop = async (ms: number) => {
    let calls = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (let index = 0; index < 100; index++) if (await check()) sink++;
      calls += 100;
    }
    return calls;
  };
  await loop(MEASURE_MS / 4);
  const started = performance.now();
  const calls = await loop(MEASURE_MS);
  return calls / ((performance.now() - started) / 1000);
}

const format = (ops: number) => (ops >= 1e6 ? `${(ops / 1e6).toFixed(2)} M` : `${(ops / 1e3).toFixed(1)} k`);

/** A tour.completed webhook padded (with an undocumented key, as Chameleon may send) to about `bytes`. */
function bodyOf(bytes: number): string {
  const schema = JSON.parse(
    readFileSync(new URL('../spec/topics/tour.completed.json', import.meta.url), 'utf8'),
  );
  const payload = { ...schema.examples[0], sent_at: new Date().toISOString() };
  const base = JSON.stringify(payload).length;
  return JSON.stringify({
    ...payload,
    data: { ...payload.data, notes: 'x'.repeat(Math.max(0, bytes - base - 12)) },
  });
}

async function verifySuite(label: string, body: string): Promise<void> {
  const signature = signWebhook(body, SECRET);
  const headers = { 'x-chameleon-signature': signature, 'x-chameleon-id': 'id' };
  const now = Date.now();
  const octokitSignature = await octokitSign(SECRET, body);
  const standardSecret = `whsec_${Buffer.from(SECRET).toString('base64')}`;
  const standard = new StandardWebhook(standardSecret);
  const standardHeaders = {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': standard.sign('msg_1', new Date(now), body),
  };
  const stripe = new Stripe('sk_test_bench');
  const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
  const encoder = new TextEncoder();
  const webKey = await crypto.subtle.importKey(
    'raw',
    encoder.encode(SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );

  const competitors: Array<[string, () => boolean | Promise<boolean>]> = [
    // The floor decodes the received hex like any real check must, then compares the raw digests.
    [
      'floor: createHmac + timingSafeEqual',
      () =>
        timingSafeEqual(createHmac('sha256', SECRET).update(body).digest(), Buffer.from(signature, 'hex')),
    ],
    ['ours: verifySignature', () => verifySignature(body, signature, SECRET)],
    // The Web floor: a key imported once, the received hex and the body decoded per call, as any real check must.
    [
      'floor web: subtle.verify (cached key)',
      () => crypto.subtle.verify('HMAC', webKey, Buffer.from(signature, 'hex'), encoder.encode(body)),
    ],
    [
      'ours: verifyWebhook (HMAC + window + parse + validate)',
      () => verifyWebhook(body, headers, SECRET, { now }).ok,
    ],
    ['ours web: verifySignature (Web Crypto)', () => web.verifySignature(body, signature, SECRET)],
    [
      'ours web: verifyWebhook (Web Crypto)',
      async () => (await web.verifyWebhook(body, headers, SECRET, { now })).ok,
    ],
    ['@octokit/webhooks-methods verify', () => octokitVerify(SECRET, body, octokitSignature)],
    ['standardwebhooks verify (+ JSON.parse)', () => standard.verify(body, standardHeaders) !== undefined],
    [
      'stripe webhooks.constructEvent (+ JSON.parse)',
      () => stripe.webhooks.constructEvent(body, stripeHeader, SECRET) !== undefined,
    ],
  ];
  console.log(`\nverify, ${label} body (${body.length} bytes; best of ${ROUNDS} interleaved rounds)`);
  const results = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, check] of competitors)
      results.set(name, Math.max(results.get(name) ?? 0, await opsPerSecond(check)));
  }
  for (const [name, ops] of results) console.log(`  ${name.padEnd(56)} ${format(ops).padStart(9)} ops/s`);
  const get = (prefix: string) => [...results].find(([name]) => name.startsWith(prefix))![1];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log(
    `  verifySignature / floor: ${ratio(get('ours: verifySignature'), get('floor:'))} (target ≥ 0.9×)`,
  );
  console.log(
    `  web verifySignature / web floor: ${ratio(get('ours web: verifySignature'), get('floor web'))} (target ≥ 0.9×)`,
  );
  console.log(
    `  verifyWebhook / standardwebhooks: ${ratio(get('ours: verifyWebhook'), get('standardwebhooks'))} (target > 1×)`,
  );
  console.log(`  verifyWebhook / stripe: ${ratio(get('ours: verifyWebhook'), get('stripe'))} (target > 1×)`);
}

/** In the child: serve `kind` on a random port and report it. */
function serveChild(kind: string): void {
  const handler =
    kind === 'ours'
      ? createNodeHandler({ secret: SECRET, on: { 'tour.completed': () => {} } })
      : (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
          req.resume();
          req.on('end', () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"ok":true}');
          });
        };
  const server = createServer(handler);
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

function startChild(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SELF, [], {
    env: { ...process.env, BENCH_VERIFY_SERVER: kind },
    execArgv: ['--import', 'tsx'],
  });
  return new Promise((resolve) =>
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port })),
  );
}

/** Requests/s against one server: every request a fresh, signed delivery with its own id. */
async function load(kind: string, body: string): Promise<number> {
  const { child, port } = await startChild(kind);
  const payload = JSON.parse(body);
  let counter = 0;
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections: 16,
      duration: LOAD_SECONDS,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            counter += 1;
            const fresh = JSON.stringify({
              ...payload,
              id: counter.toString(16).padStart(24, '0'),
              sent_at: new Date().toISOString(),
            });
            return {
              ...request,
              body: fresh,
              headers: {
                'content-type': 'application/json',
                'x-chameleon-signature': signWebhook(fresh, SECRET),
              },
            };
          },
        },
      ],
    });
    if (result.non2xx) console.log(`  ! ${kind}: ${result.non2xx} non-2xx responses`);
    return result.requests.average;
  } finally {
    child.kill();
  }
}

async function receiverSuite(): Promise<void> {
  const body = bodyOf(1024);
  console.log(
    `\nreceiver under load (autocannon, 16 connections, ${LOAD_SECONDS} s runs, best of ${LOAD_ROUNDS} alternating, ~1 KB signed deliveries, unique ids)`,
  );
  let bare = 0;
  let ours = 0;
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    bare = Math.max(bare, await load('bare', body));
    ours = Math.max(ours, await load('ours', body));
  }
  console.log(`  bare node:http 200                 ${bare.toFixed(0).padStart(8)} req/s`);
  console.log(`  createNodeHandler (verify+dedupe)  ${ours.toFixed(0).padStart(8)} req/s`);
  console.log(`  createNodeHandler / bare: ${(ours / bare).toFixed(2)}× (target ≥ 0.7×)`);
}

export async function run(): Promise<void> {
  await verifySuite('~1 KB', bodyOf(1024));
  await verifySuite('~64 KB', bodyOf(64 * 1024));
  await receiverSuite();
  if (sink < 0) console.log(sink);
}

if (process.env.BENCH_VERIFY_SERVER) serveChild(process.env.BENCH_VERIFY_SERVER);

/**
 * Verification speed, side by side in one process run (`npm run bench -- verify`). Prints ops/s and
 * ratios against the targets; it asserts nothing (speed is never a test).
 *
 * Verify on ~1 KB and ~64 KB bodies: the floors (createHmac + timingSafeEqual inline; subtle.verify
 * with a key imported once), our verifySignature and verifyWebhook (Node and Web builds), and the
 * verify of @octokit/webhooks-methods, standardwebhooks and Stripe's constructEvent, each signed with
 * its own scheme. The receivers under load are `npm run bench -- receive`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verify as octokitVerify, sign as octokitSign } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { signWebhook, verifySignature, verifyWebhook } from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';

const SECRET = 'bench-webhook-secret-0123456789';
const MEASURE_MS = 400;
/** Competitors are measured in interleaved rounds and keep their best round: on a shared machine, noise only ever slows a run down. */
const ROUNDS = 3;

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

export async function run(): Promise<void> {
  await verifySuite('~1 KB', bodyOf(1024));
  await verifySuite('~64 KB', bodyOf(64 * 1024));
  if (sink < 0) console.log(sink);
}

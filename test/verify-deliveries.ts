/**
 * Signed deliveries for the verify and receiver tests: a spec example with a
 * chosen id and `sent_at`, its raw body and the headers Chameleon would send.
 * The signature is made with `node:crypto` directly, not with the code under test.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SPEC_DIR } from './helpers.js';

export const SECRET = 'test-webhook-secret-7f3a';
/** A fixed receiver clock: deliveries are "sent" relative to it. */
export const NOW = Date.parse('2029-12-11T00:30:00.000Z');

export function exampleOf(kind: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(path.join(SPEC_DIR, 'topics', `${kind}.json`), 'utf8'));
  return structuredClone(schema.examples[0]);
}

export function hmacHex(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryOptions {
  kind?: string;
  id?: string;
  /** Seconds between `sent_at` and NOW (positive: in the past). */
  age?: number;
  secret?: string;
  edit?: (payload: Record<string, unknown>) => void;
  /** Pretty-print the body, as a re-serialising receiver would not. */
  pretty?: boolean;
}

/** A 24-hex Chameleon id from a number. */
export function chameleonId(n: number): string {
  return n.toString(16).padStart(24, '0');
}

export function delivery(options: DeliveryOptions = {}): Delivery {
  const payload = exampleOf(options.kind ?? 'ping');
  if (options.id) payload.id = options.id;
  payload.sent_at = new Date(NOW - (options.age ?? 0) * 1000).toISOString();
  options.edit?.(payload);
  const body = options.pretty === false ? JSON.stringify(payload) : JSON.stringify(payload, null, 2);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Chameleon Webhooks/v3 (chameleon.io; integral)',
      'x-chameleon-id': String(payload.id),
      'x-chameleon-signature': hmacHex(body, options.secret ?? SECRET),
    },
  };
}

/** One verifyWebhook call and the verdict expected from it. */
export interface VerdictCase {
  name: string;
  rawBody: unknown;
  signatureOrHeaders: unknown;
  secret: unknown;
  options?: { toleranceSeconds?: number | false; now?: number };
  expected: string; // 'ok' or a failure reason
}

const at = { now: NOW };

/** A case for every verdict verifyWebhook can give, shared by the Node and Web build tests. */
export function verdictCases(): VerdictCase[] {
  const good = delivery({ kind: 'tour.completed' });
  const sig = good.headers['x-chameleon-signature']!;
  const bytes = new TextEncoder().encode(good.body);
  const signed = (body: string, secret = SECRET) => ({
    ...good.headers,
    'x-chameleon-signature': hmacHex(body, secret),
  });
  const cases: VerdictCase[] = [
    {
      name: 'string body + Node headers',
      rawBody: good.body,
      signatureOrHeaders: good.headers,
      secret: SECRET,
      options: at,
      expected: 'ok',
    },
    {
      name: 'Buffer body',
      rawBody: Buffer.from(good.body),
      signatureOrHeaders: good.headers,
      secret: SECRET,
      options: at,
      expected: 'ok',
    },
    {
      name: 'Uint8Array body',
      rawBody: bytes,
      signatureOrHeaders: sig,
      secret: SECRET,
      options: at,
      expected: 'ok',
    },
    {
      name: 'ArrayBuffer body',
      rawBody: bytes.slice().buffer,
      signatureOrHeaders: sig,
      secret: SECRET,
      options: at,
      expected: 'ok',
    },
    {
      name: 'Headers object',
      rawBody: good.body,
      signatureOrHeaders: new Headers(good.headers),
      secret: SECRET,
      options: at,
      expected: 'ok',
    },
    {
      name: 'mixed-case record',
      rawBody: good.body,
      signatureOrHeaders: { 'X-Chameleon-Signature': sig },
      secret: SECRET,
      options: at,
      expected: 'ok',
    },
    // The vendor compares the lowercase hex digest exactly (as the shared fixture vectors do).
    {
      name: 'uppercase hex signature',
      rawBody: good.body,
      signatureOrHeaders: sig.toUpperCase(),
      secret: SECRET,
      options: at,
      expected: 'signature-mismatch',
    },
    {
      name: 'rotation: second secret',
      rawBody: good.body,
      signatureOrHeaders: sig,
      secret: ['old-secret', SECRET],
      options: at,
      expected: 'ok',
    },
    {
      name: 'empty secret',
      rawBody: good.body,
      signatureOrHeaders: sig,
      secret: '',
      options: at,
      expected: 'missing-secret',
    },
    {
      name: 'no secrets',
      rawBody: good.body,
      signatureOrHeaders: sig,
      secret: [],
      options: at,
      expected: 'missing-secret',
    },
    {
      name: 'undefined secret',
      rawBody: good.body,
      signatureOrHeaders: sig,
      secret: undefined,
      options: at,
      expected: 'missing-secret',
    },
    {
      name: 'parsed object body',
      rawBody: JSON.parse(good.body),
      signatureOrHeaders: sig,
      secret: SECRET,
      options: at,
      expected: 'body-not-raw',
    },
    {
      name: '"[object Object]" body',
      rawBody: '[object Object]',
      signatureOrHeaders: sig,
      secret: SECRET,
      options: at,
      expected: 'body-not-raw',
    },
    {
      name: 'undefined body',
      rawBody: undefined,
      signatureOrHeaders: sig,
      secret: SECRET,
      options: at,
      expected: 'body-not-raw',
    },
    {
      name: 'no signature header',
      rawBody: good.body,
      signatureOrHeaders: { 'content-type': 'application/json' },
      secret: SECRET,
      options: at,
      expected: 'missing-signature',
    },
    {
      name: 'empty signature',
      rawBody: good.body,
      signatureOrHeaders: '',
      secret: SECRET,
      options: at,
      expected: 'missing-signature',
    },
    {
      name: 'null headers',
      rawBody: good.body,
      signatureOrHeaders: null,
      secret: SECRET,
      options: at,
      expected: 'missing-signature',
    },
    {
      name: 'signature array',
      rawBody: good.body,
      signatureOrHeaders: { 'x-chameleon-signature': [sig, sig] },
      secret: SECRET,
      options: at,
      expected: 'repeated-signature',
    },
    {
      name: 'signature joined by Node',
      rawBody: good.body,
      signatureOrHeaders: `${sig}, ${sig}`,
      secret: SECRET,
      options: at,
      expected: 'repeated-signature',
    },
    {
      name: 'signature in two cases',
      rawBody: good.body,
      signatureOrHeaders: { 'x-chameleon-signature': sig, 'X-Chameleon-Signature': sig },
      secret: SECRET,
      options: at,
      expected: 'repeated-signature',
    },
    {
      name: 'sha256= prefix',
      rawBody: good.body,
      signatureOrHeaders: `sha256=${sig}`,
      secret: SECRET,
      options: at,
      expected: 'malformed-signature',
    },
    {
      name: 'short signature',
      rawBody: good.body,
      signatureOrHeaders: sig.slice(0, 63),
      secret: SECRET,
      options: at,
      expected: 'malformed-signature',
    },
    {
      name: 'non-hex signature',
      rawBody: good.body,
      signatureOrHeaders: `${sig.slice(0, 63)}g`,
      secret: SECRET,
      options: at,
      expected: 'malformed-signature',
    },
    {
      name: 'wrong secret',
      rawBody: good.body,
      signatureOrHeaders: sig,
      secret: 'another-secret',
      options: at,
      expected: 'signature-mismatch',
    },
    {
      name: 're-serialised body',
      rawBody: JSON.stringify(JSON.parse(good.body)),
      signatureOrHeaders: sig,
      secret: SECRET,
      options: at,
      expected: 'signature-mismatch',
    },
    {
      name: 'secret with a newline',
      rawBody: good.body,
      signatureOrHeaders: sig,
      secret: `${SECRET}\n`,
      options: at,
      expected: 'signature-mismatch',
    },
    {
      name: 'not JSON',
      rawBody: '{"kind":',
      signatureOrHeaders: signed('{"kind":'),
      secret: SECRET,
      options: at,
      expected: 'malformed-body',
    },
    {
      name: 'JSON array',
      rawBody: '[1]',
      signatureOrHeaders: signed('[1]'),
      secret: SECRET,
      options: at,
      expected: 'malformed-body',
    },
    {
      name: 'empty body',
      rawBody: '',
      signatureOrHeaders: signed(''),
      secret: SECRET,
      options: at,
      expected: 'malformed-body',
    },
    {
      name: 'invalid UTF-8',
      rawBody: new Uint8Array([0x7b, 0xff, 0x7d]),
      signatureOrHeaders: hmacHex(new Uint8Array([0x7b, 0xff, 0x7d]), SECRET),
      secret: SECRET,
      options: at,
      expected: 'malformed-body',
    },
  ];
  const variant = (name: string, options: DeliveryOptions, expected: string, verifyOptions = at) => {
    const d = delivery(options);
    cases.push({
      name,
      rawBody: d.body,
      signatureOrHeaders: d.headers,
      secret: SECRET,
      options: verifyOptions,
      expected,
    });
  };
  variant('no sent_at', { edit: (p) => delete p.sent_at }, 'missing-sent-at');
  variant('sent_at not ISO', { edit: (p) => (p.sent_at = 'yesterday') }, 'unparsable-sent-at');
  variant('sent_at a number', { edit: (p) => (p.sent_at = 1_900_000_000) }, 'unparsable-sent-at');
  variant('sent_at 301 s ago', { age: 301 }, 'too-old');
  variant('sent_at 301 s ahead', { age: -301 }, 'too-new');
  variant('sent_at 300 s ago', { age: 300 }, 'ok');
  variant('sent_at 300 s ahead', { age: -300 }, 'ok');
  variant('a day old, window off', { age: 86_400 }, 'ok', { ...at, toleranceSeconds: false } as typeof at);
  variant('60 s old, 30 s window', { age: 60 }, 'too-old', { ...at, toleranceSeconds: 30 } as typeof at);
  variant('kind the spec does not know', { edit: (p) => (p.kind = 'tour.teleported') }, 'ok');
  variant('data missing', { edit: (p) => delete p.data }, 'invalid-payload');
  variant('id not a string', { kind: 'tour.completed', edit: (p) => (p.id = 42) }, 'invalid-payload');
  return cases;
}

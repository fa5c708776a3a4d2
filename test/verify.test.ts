/** Node build of the signature verification: known answers, every failure reason, properties. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  signWebhook,
  verifySignature,
  verifyWebhook,
  verifyWebhookOrThrow,
  WebhookVerificationError,
  VERIFICATION_FAILURES,
  WEBHOOK_HEADERS,
  SIGNATURE_HEADER,
  ID_HEADER,
  readHeader,
  DEFAULT_TOLERANCE_SECONDS,
  secretFromEnv,
} from '../generated/typescript/src/index.js';
import { delivery, hmacHex, NOW, SECRET, verdictCases } from './verify-deliveries.js';
import { ROOT, SPEC_DIR } from './helpers.js';

interface Vector {
  name: string;
  secret: string;
  body: string;
  signature: string;
}
const { vectors } = JSON.parse(readFileSync(path.join(ROOT, 'test/verify.vectors.json'), 'utf8')) as {
  vectors: Vector[];
};
const api = JSON.parse(readFileSync(path.join(SPEC_DIR, 'api.json'), 'utf8'));

const call = (c: ReturnType<typeof verdictCases>[number]) =>
  verifyWebhook(c.rawBody as string, c.signatureOrHeaders as string, c.secret as string, c.options);

describe('facts come from the spec', () => {
  it('header names and the tolerance are the spec values', () => {
    expect(SIGNATURE_HEADER).toBe(api.outgoing.signature.header);
    expect(ID_HEADER).toBe('X-Chameleon-Id');
    expect(WEBHOOK_HEADERS.signature).toBe(api.outgoing.signature.header);
    expect(Object.values(WEBHOOK_HEADERS)).toEqual(api.outgoing.headers.map((h: { name: string }) => h.name));
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(api.outgoing.replayWindow.toleranceSeconds);
  });
});

describe('known-answer vectors (computed with Python hmac)', () => {
  it.each(vectors)('$name', (vector) => {
    const bytes = new TextEncoder().encode(vector.body);
    expect(signWebhook(vector.body, vector.secret)).toBe(vector.signature);
    expect(signWebhook(Buffer.from(vector.body), vector.secret)).toBe(vector.signature);
    expect(signWebhook(bytes.slice().buffer, vector.secret)).toBe(vector.signature);
    expect(verifySignature(vector.body, vector.signature, vector.secret)).toBe(true);
    expect(verifySignature(bytes, vector.signature, vector.secret)).toBe(true);
    expect(verifySignature(vector.body, vector.signature, `${vector.secret}x`)).toBe(false);
  });

  it('a body that differs from its re-serialised JSON only verifies as sent', () => {
    const pretty = vectors.find((v) => v.name.startsWith('pretty'))!;
    const escaped = vectors.find((v) => v.name.startsWith('escaped'))!;
    for (const vector of [pretty, escaped]) {
      const reserialised = JSON.stringify(JSON.parse(vector.body));
      expect(reserialised).not.toBe(vector.body);
      expect(verifySignature(reserialised, vector.signature, vector.secret)).toBe(false);
    }
  });
});

describe('verifyWebhook verdicts', () => {
  it.each(verdictCases())('$name → $expected', (c) => {
    const result = call(c);
    expect(result.ok ? 'ok' : result.reason).toBe(c.expected);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it('returns the typed webhook and the id of the signed body', () => {
    const d = delivery({ kind: 'tour.completed', id: '5fb70dcbc39330000325a8ff' });
    const result = verifyWebhook(d.body, { ...d.headers, 'x-chameleon-id': 'not-the-body-id' }, SECRET, {
      now: NOW,
    });
    expect(result.ok && result.known).toBe(true);
    if (!result.ok || !result.known) return;
    expect(result.id).toBe('5fb70dcbc39330000325a8ff');
    expect(result.webhook.kind).toBe('tour.completed');
    if (result.webhook.kind === 'tour.completed') expect(typeof result.webhook.data.tour.id).toBe('string');
  });

  it('reports undocumented properties as warnings, read lazily, and serialises whole', () => {
    const d = delivery({
      kind: 'tour.completed',
      edit: (p) => ((p.data as Record<string, unknown>).surprise = 1),
    });
    const result = verifyWebhook(d.body, d.headers, SECRET, { now: NOW });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      expect.objectContaining({ path: '/data/surprise', kind: 'unknown-property' }),
    ]);
    const json = JSON.parse(JSON.stringify(result));
    expect(Object.keys(json).sort()).toEqual(['conforming', 'id', 'known', 'ok', 'warnings', 'webhook']);
    expect(json.id).toBe(result.id);
    expect(json.warnings).toHaveLength(1);
  });

  it('passes a topic added later through as unknown', () => {
    const d = delivery({ edit: (p) => (p.kind = 'tour.teleported') });
    const result = verifyWebhook(d.body, d.headers, SECRET, { now: NOW });
    expect(result).toMatchObject({ ok: true, known: false, webhook: { kind: 'tour.teleported' } });
  });

  it('explains the common mistakes in the message', () => {
    const d = delivery();
    const parsed = verifyWebhook(JSON.parse(d.body), d.headers, SECRET, { now: NOW });
    expect(parsed.ok || parsed.message).toMatch(/before express\.json\(\)/);
    const spaced = verifyWebhook(d.body, d.headers, ` ${SECRET}\n`, { now: NOW });
    expect(spaced.ok || spaced.message).toMatch(/matches once the secret is trimmed/);
    const otherSpaced = verifyWebhook(d.body, d.headers, 'wrong secret ', { now: NOW });
    expect(otherSpaced.ok || otherSpaced.message).toMatch(/A secret has surrounding whitespace/);
    const prefixed = verifyWebhook(d.body, `sha256=${d.headers['x-chameleon-signature']}`, SECRET, {
      now: NOW,
    });
    expect(prefixed.ok || prefixed.message).toMatch(/Drop "sha256="/);
    const invalid = verifyWebhook(
      delivery({ edit: (p) => delete p.data }).body,
      delivery({ edit: (p) => delete p.data }).headers,
      SECRET,
      { now: NOW },
    );
    expect(
      invalid.ok === false && invalid.reason === 'invalid-payload' && invalid.errors?.length,
    ).toBeTruthy();
  });

  it('never leaks the secret into a message', () => {
    for (const c of verdictCases()) {
      const result = call(c);
      if (!result.ok) expect(result.message).not.toContain(SECRET);
    }
  });

  it('has a one-line default message for every reason', () => {
    for (const message of Object.values(VERIFICATION_FAILURES)) expect(message).toMatch(/^[^\n]{10,}$/);
  });

  it('takes the clock as a Date, a number or a function', () => {
    const d = delivery({ age: 0 });
    for (const now of [NOW, new Date(NOW), () => NOW, () => new Date(NOW)]) {
      expect(verifyWebhook(d.body, d.headers, SECRET, { now }).ok).toBe(true);
    }
    expect(verifyWebhook(d.body, d.headers, SECRET).ok).toBe(false); // the real clock is years before 2029
  });

  it('verifyWebhookOrThrow throws a WebhookVerificationError with the reason', () => {
    const d = delivery();
    expect(verifyWebhookOrThrow(d.body, d.headers, SECRET, { now: NOW }).id).toBe(JSON.parse(d.body).id);
    try {
      verifyWebhookOrThrow(d.body, d.headers, 'wrong', { now: NOW });
      expect.fail('did not throw');
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect((error as WebhookVerificationError).reason).toBe('signature-mismatch');
    }
  });

  it('secretFromEnv reads CHAMELEON_VERIFICATION_SECRET, then the old CHAMELEON_WEBHOOK_SECRET', () => {
    expect(secretFromEnv({ CHAMELEON_VERIFICATION_SECRET: 'new', CHAMELEON_WEBHOOK_SECRET: 'old' })).toBe(
      'new',
    );
    expect(secretFromEnv({ CHAMELEON_VERIFICATION_SECRET: '', CHAMELEON_WEBHOOK_SECRET: 'old' })).toBe('old');
    expect(secretFromEnv({ CHAMELEON_WEBHOOK_SECRET: 'old' })).toBe('old');
    expect(secretFromEnv({ CHAMELEON_VERIFICATION_SECRET: 7 })).toBeUndefined();
    expect(secretFromEnv({})).toBeUndefined();
    const missing = verifyWebhook('{}', 'f'.repeat(64), secretFromEnv({}) ?? '');
    expect(!missing.ok && missing.message).toMatch(/CHAMELEON_VERIFICATION_SECRET/);
  });

  it('survives huge and deeply nested bodies', () => {
    const deep = `{"sent_at":"2029-12-11T00:30:00.000Z","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const result = verifyWebhook(deep, hmacHex(deep, SECRET), SECRET, { now: NOW });
    expect(result.ok).toBe(false);
    const huge = JSON.stringify({ ...JSON.parse(delivery().body), pad: 'x'.repeat(5_000_000) });
    expect(verifyWebhook(huge, hmacHex(huge, SECRET), SECRET, { now: NOW }).ok).toBe(true);
  });
});

describe('readHeader', () => {
  it('ignores case and reports repeats', () => {
    expect(readHeader({ 'X-Chameleon-Id': 'a' }, 'x-chameleon-id')).toBe('a');
    expect(readHeader(new Headers({ 'x-chameleon-id': 'a' }), 'X-Chameleon-Id')).toBe('a');
    expect(readHeader({ a: ['1', '2'] }, 'A')).toEqual(['1', '2']);
    expect(readHeader({ a: '1', A: '2' }, 'a')).toEqual(['1', '2']);
    expect(readHeader({}, 'a')).toBeUndefined();
    expect(readHeader(undefined, 'a')).toBeUndefined();
  });
});

describe('properties', () => {
  const bodies = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }));
  const secrets = fc.string({ minLength: 1, maxLength: 64 });

  it('verifySignature accepts exactly what signWebhook signs, and nothing one byte off', () => {
    fc.assert(
      fc.property(
        bodies,
        secrets,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (body, secret, position, flip) => {
          const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
          const signature = signWebhook(bytes, secret);
          expect(signature).toBe(hmacHex(bytes, secret));
          expect(verifySignature(bytes, signature, secret)).toBe(true);
          if (bytes.length > 0) {
            const changed = bytes.slice();
            const at = position % changed.length;
            changed[at] = (changed[at] ?? 0) ^ flip;
            expect(verifySignature(changed, signature, secret)).toBe(false);
          }
          const hexIndex = position % signature.length;
          const otherDigit = ((parseInt(signature[hexIndex]!, 16) + 1 + (flip % 15)) % 16).toString(16);
          const badSignature = signature.slice(0, hexIndex) + otherDigit + signature.slice(hexIndex + 1);
          expect(verifySignature(bytes, badSignature, secret)).toBe(false);
          const secretBytes = new TextEncoder().encode(secret);
          const secretAt = position % secretBytes.length;
          secretBytes[secretAt] = (secretBytes[secretAt] ?? 0) ^ (flip & 0x7f || 1);
          const otherSecret = new TextDecoder().decode(secretBytes);
          if (otherSecret !== secret) expect(verifySignature(bytes, signature, otherSecret)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sent_at within ±300 s passes and beyond fails, in both directions', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), (age) => {
        const d = delivery({ age, pretty: false });
        const result = verifyWebhook(d.body, d.headers, SECRET, { now: NOW });
        const expected = age > 300 ? 'too-old' : age < -300 ? 'too-new' : 'ok';
        expect(result.ok ? 'ok' : result.reason).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (body, signature, secret, options) => {
          const result = verifyWebhook(
            body as string,
            signature as string,
            secret as string,
            options as object,
          );
          expect(typeof result.ok).toBe('boolean');
          expect(typeof verifySignature(body as string, signature as string, secret as string)).toBe(
            'boolean',
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

/**
 * The Web Crypto build: same verdicts as the Node build on the shared cases,
 * differential fuzzing against it, no `node:` imports, and the size budget.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as node from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import { GENERATED_DIR, ROOT } from './helpers.js';
import { delivery, NOW, SECRET, verdictCases } from './verify-deliveries.js';

const SRC = path.join(GENERATED_DIR, 'typescript/src');
const { vectors } = JSON.parse(readFileSync(path.join(ROOT, 'test/verify.vectors.json'), 'utf8')) as {
  vectors: Array<{ secret: string; body: string; signature: string }>;
};

const verdict = (result: node.WebhookVerificationResult) => (result.ok ? 'ok' : result.reason);

describe('the Web build agrees with the Node build', () => {
  it('signs the known-answer vectors', async () => {
    for (const vector of vectors) {
      expect(await web.signWebhook(vector.body, vector.secret)).toBe(vector.signature);
      expect(await web.verifySignature(vector.body, vector.signature, vector.secret)).toBe(true);
      expect(await web.verifySignature(vector.body, vector.signature, `${vector.secret} `)).toBe(false);
    }
  });

  it.each(verdictCases())('$name → $expected', async (c) => {
    const args = [
      c.rawBody as string,
      c.signatureOrHeaders as string,
      c.secret as string,
      c.options,
    ] as const;
    const fromWeb = await web.verifyWebhook(...args);
    const fromNode = node.verifyWebhook(...args);
    expect(verdict(fromWeb)).toBe(c.expected);
    expect(fromWeb).toEqual(fromNode);
  });

  it('differential fuzzing: random secrets and bodies give the same signatures and verdicts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 })),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
        fc.boolean(),
        async (body, secret, tamper) => {
          const signature = node.signWebhook(body, secret);
          expect(await web.signWebhook(body, secret)).toBe(signature);
          const presented = tamper ? signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) : signature;
          expect(await web.verifySignature(body, presented, secret)).toBe(
            node.verifySignature(body, presented, secret),
          );
          const result = await web.verifyWebhook(body, presented, [secret], { now: NOW });
          expect(result).toEqual(node.verifyWebhook(body, presented, [secret], { now: NOW }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('verifyWebhookOrThrow rejects with the reason', async () => {
    const d = delivery();
    await expect(web.verifyWebhookOrThrow(d.body, d.headers, 'nope', { now: NOW })).rejects.toMatchObject({
      name: 'WebhookVerificationError',
      reason: 'signature-mismatch',
    });
    await expect(web.verifyWebhookOrThrow(d.body, d.headers, SECRET, { now: NOW })).resolves.toMatchObject({
      ok: true,
    });
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** Bundles one entry with esbuild, validators left out, and returns the minified bytes. */
async function minifiedSize(entry: string, platform: 'node' | 'browser'): Promise<number> {
  const result = await build({
    entryPoints: [path.join(SRC, entry)],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform,
    logLevel: 'silent',
    plugins: [
      {
        name: 'no-validators',
        setup(b) {
          b.onResolve({ filter: /\/validate\.js$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.contents.byteLength;
}

describe('the Web build runs without Node', () => {
  it('no file under src/web imports from node:', () => {
    for (const file of filesUnder(path.join(SRC, 'web'))) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from ['"]node:|require\(['"]node:/);
    }
  });

  it('bundles for the browser, every import followed (a node: import would fail to resolve)', async () => {
    for (const entry of ['web/verify.ts', 'web/receiver.ts', 'web/signed-request.ts', 'web.ts']) {
      await expect(minifiedSize(entry, 'browser')).resolves.toBeGreaterThan(0);
    }
  });
});

// 5.5 KiB since issue 11: telling authentic from conforming (the envelope check, the non-conforming result).
const VERIFY_BUDGET_BYTES = 5.5 * 1024;

describe('size budget: the verify entry points without validators stay under 5.5 KB minified', () => {
  it.each([
    ['verify.ts', 'node'],
    ['web/verify.ts', 'browser'],
  ] as const)('%s (%s)', async (entry, platform) => {
    const bytes = await minifiedSize(entry, platform);
    console.log(`${entry}: ${bytes} bytes minified`);
    expect(bytes).toBeLessThan(VERIFY_BUDGET_BYTES);
  });
});

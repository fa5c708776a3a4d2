/**
 * The fixtures, proven from another language: test/python/check_fixtures.py
 * (standard library + jsonschema) validates every manifest entry and
 * recomputes every signature vector; its verdicts must match signatures.json
 * and the TypeScript verifier's.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../generated/typescript/src/verify.js';
import { GENERATED_DIR, ROOT } from './helpers.js';

const run = promisify(execFile);
const FIXTURES_DIR = path.join(GENERATED_DIR, 'fixtures');

interface Vector {
  name: string;
  secret: string;
  bodyBase64: string;
  signature: string;
  now: string;
  toleranceSeconds: number;
  expected: { valid: boolean; reason?: string };
}

interface PythonReport {
  python: string;
  jsonschema: string;
  fixtures: { valid: number; invalid: number };
  verdicts: Record<string, { valid: boolean; reason?: string }>;
  problems: string[];
}

/**
 * The vendor's samples know one way for a signature to fail: the digests differ.
 * The TypeScript verifier names why before comparing (empty, not 64 hex
 * characters): the same verdict, said more precisely.
 */
const SAME_AS_MISMATCH = new Set(['signature-mismatch', 'missing-signature', 'malformed-signature']);
const normalizeReason = (reason: string | undefined) =>
  reason && SAME_AS_MISMATCH.has(reason) ? 'signature-mismatch' : reason;

let report: PythonReport;
let vectors: Vector[];

beforeAll(async () => {
  await run('bash', [path.join(ROOT, 'scripts/ensure-python-deps.sh')]);
  const { stdout } = await run('python3', [
    path.join(ROOT, 'test/python/check_fixtures.py'),
    FIXTURES_DIR,
  ]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '{}' }));
  report = JSON.parse(stdout) as PythonReport;
  vectors = (
    JSON.parse(await readFile(path.join(FIXTURES_DIR, 'signatures.json'), 'utf8')) as { vectors: Vector[] }
  ).vectors;
});

describe('the fixtures from Python (stdlib + jsonschema)', () => {
  it('validates every payload of the manifest: valid ones pass, invalid ones fail at errorPath', async () => {
    const manifest = JSON.parse(await readFile(path.join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as {
      fixtures: Array<{ valid: boolean }>;
    };
    expect(report.problems).toEqual([]);
    expect(report.fixtures.valid).toBe(manifest.fixtures.filter((f) => f.valid).length);
    expect(report.fixtures.invalid).toBe(manifest.fixtures.filter((f) => !f.valid).length);
    expect(report.fixtures.invalid).toBeGreaterThan(0);
  });

  it('recomputes every signature vector with hmac and reaches the expected verdict', () => {
    expect(Object.keys(report.verdicts).sort()).toEqual(vectors.map((v) => v.name).sort());
    for (const vector of vectors)
      expect({ name: vector.name, ...report.verdicts[vector.name] }).toEqual({
        name: vector.name,
        ...vector.expected,
      });
  });

  it('reaches the same verdicts as the TypeScript verifier', () => {
    for (const vector of vectors) {
      const result = verifyWebhook(
        Buffer.from(vector.bodyBase64, 'base64'),
        vector.signature,
        vector.secret,
        {
          now: new Date(vector.now),
          toleranceSeconds: vector.toleranceSeconds,
        },
      );
      const typescript = result.ok
        ? { valid: true }
        : { valid: false, reason: normalizeReason(result.reason) };
      expect({ name: vector.name, ...typescript }).toEqual({
        name: vector.name,
        ...report.verdicts[vector.name],
      });
    }
  });
});

/**
 * The fixtures package, proven from Python with no code of ours: the README's Python program,
 * copied out verbatim, run by Debian's python3 with Debian's python3-jsonschema and its stock
 * FormatChecker, must reach every manifest verdict (skipping, as the README says, those that
 * require format assertion when the checker has no date-time), every errorPath and every
 * signature vector; and the TypeScript verifier must reach the vectors' verdicts too.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../generated/typescript/src/verify.js';
import {
  brokenFixturesCopy,
  ensureProofDeps,
  FIXTURES_DIR,
  type Fixture,
  fixturesCopy,
  manifestOf,
  type Proof,
  readmeProgram,
  runProof,
  type Vector,
  vectorsOf,
} from './fixture-proofs.js';

/** Debian's interpreter: a python3 earlier on the PATH would not see Debian's python3-jsonschema. */
const PYTHON = '/usr/bin/python3';
const run = promisify(execFile);

/**
 * The vendor's samples know one way for a signature to fail: the digests differ.
 * The TypeScript verifier names why before comparing (empty, not 64 hex
 * characters): the same verdict, said more precisely.
 */
const SAME_AS_MISMATCH = new Set(['signature-mismatch', 'missing-signature', 'malformed-signature']);
const normalizeReason = (reason: string | undefined) =>
  reason && SAME_AS_MISMATCH.has(reason) ? 'signature-mismatch' : reason;

let program: string;
let proof: Proof;
let fixtures: Fixture[];
let vectors: Vector[];
let assertsDateTime: boolean;

beforeAll(async () => {
  await ensureProofDeps();
  program = await readmeProgram('python');
  proof = await runProof(PYTHON, program, await fixturesCopy());
  fixtures = (await manifestOf(FIXTURES_DIR)).fixtures;
  vectors = await vectorsOf(FIXTURES_DIR);
  const { stdout } = await run(PYTHON, [
    '-c',
    'import jsonschema; print(jsonschema.__file__); print("date-time" in jsonschema.FormatChecker.checkers)',
  ]);
  const [location, dateTime] = stdout.trim().split('\n');
  expect(location, 'Debian’s python3-jsonschema').toMatch(
    /^\/usr\/lib\/python3\/dist-packages\/jsonschema\//,
  );
  assertsDateTime = dateTime === 'True';
}, 120_000);

describe('the fixtures from Python (the README’s program, Debian’s python3-jsonschema)', () => {
  it('reaches every manifest verdict, honouring requires, and every errorPath', () => {
    expect(proof.report.failures).toEqual([]);
    expect(proof.exitCode).toBe(0);
    const needFormats = fixtures.filter((f) => f.requires?.includes('format-assertion'));
    expect(needFormats.length).toBeGreaterThan(0);
    const skipped = assertsDateTime ? [] : needFormats;
    expect(proof.report.skipped).toBe(skipped.length);
    expect(proof.report.verdicts).toBe(fixtures.length - skipped.length);
    expect(proof.report.errorPaths).toBe(fixtures.filter((f) => !f.valid && !skipped.includes(f)).length);
  });

  it('recomputes every signature vector with hmac and reaches the expected verdict', () => {
    expect(proof.report.vectors).toBe(vectors.length);
    expect(vectors.length).toBeGreaterThan(10);
  });

  it('reports a wrong verdict, a wrong errorPath and a wrong vector verdict, and exits 1', async () => {
    const { dir, broken } = await brokenFixturesCopy();
    const failed = await runProof(PYTHON, program, dir);
    expect(failed.exitCode).toBe(1);
    expect(failed.report.failures.map((failure) => failure.split(':')[0])).toEqual(broken);
  });

  it('the TypeScript verifier reaches the same verdicts', () => {
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
      expect({ name: vector.name, ...typescript }).toEqual({ name: vector.name, ...vector.expected });
    }
  });
});

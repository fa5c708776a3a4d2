/**
 * The fixtures package, proven from Ruby with no code of ours: the README's Ruby program,
 * copied out verbatim, run with Debian's ruby-json-schemer (which asserts formats, so it
 * checks the entries that require format assertion too) and OpenSSL's HMAC, must reach every
 * manifest verdict, every errorPath and every signature vector.
 */
import { beforeAll, describe, expect, it } from 'vitest';
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
  vectorsOf,
} from './fixture-proofs.js';

let program: string;
let proof: Proof;
let fixtures: Fixture[];

beforeAll(async () => {
  await ensureProofDeps();
  program = await readmeProgram('ruby');
  proof = await runProof('ruby', program, await fixturesCopy());
  fixtures = (await manifestOf(FIXTURES_DIR)).fixtures;
}, 120_000);

describe('the fixtures from Ruby (the README’s program, Debian’s ruby-json-schemer)', () => {
  it('reaches every manifest verdict, the format-assertion ones included, and every errorPath', () => {
    expect(proof.report.failures).toEqual([]);
    expect(proof.exitCode).toBe(0);
    expect(proof.report.skipped).toBe(0);
    expect(proof.report.verdicts).toBe(fixtures.length);
    expect(proof.report.errorPaths).toBe(fixtures.filter((f) => !f.valid).length);
    expect(fixtures.some((f) => f.requires?.includes('format-assertion'))).toBe(true);
  });

  it('recomputes every signature vector with OpenSSL::HMAC and reaches the expected verdict', async () => {
    const vectors = await vectorsOf(FIXTURES_DIR);
    expect(proof.report.vectors).toBe(vectors.length);
    expect(vectors.length).toBeGreaterThan(10);
  });

  it('reports a wrong verdict, a wrong errorPath and a wrong vector verdict, and exits 1', async () => {
    const { dir, broken } = await brokenFixturesCopy();
    const failed = await runProof('ruby', program, dir);
    expect(failed.exitCode).toBe(1);
    expect(failed.report.failures.map((failure) => failure.split(':')[0])).toEqual(broken);
  });
});

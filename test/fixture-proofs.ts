/**
 * Runs the programs of the fixtures package's README (generated/fixtures/README.md) verbatim,
 * as a team in that language would: the fenced block copied out, run in a copy of the package
 * folder, with Debian's interpreter and validator (scripts/ensure-proof-deps.sh installs them).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GENERATED_DIR, ROOT } from './helpers.js';

const run = promisify(execFile);

export const FIXTURES_DIR = path.join(GENERATED_DIR, 'fixtures');

/** What each README program prints: how much it checked, and what failed. */
export interface ProofReport {
  verdicts: number;
  skipped: number;
  errorPaths: number;
  vectors: number;
  failures: string[];
}

export interface Fixture {
  file: string;
  valid: boolean;
  errorPath?: string;
  requires?: string[];
}

export interface Proof {
  exitCode: number;
  report: ProofReport;
}

/** The README's one fenced block in `language`: there must be exactly one. */
export async function readmeProgram(language: 'python' | 'ruby'): Promise<string> {
  const readme = await readFile(path.join(FIXTURES_DIR, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))];
  if (blocks.length !== 1) throw new Error(`README.md has ${blocks.length} ${language} blocks, not one`);
  return blocks[0]![1]!;
}

export async function ensureProofDeps(): Promise<void> {
  await run('bash', [path.join(ROOT, 'scripts/ensure-proof-deps.sh')]);
}

/** A scratch copy of the fixtures package, which `edit` may change (to see a proof fail). */
export async function fixturesCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chameleon-fixtures-'));
  await cp(FIXTURES_DIR, dir, { recursive: true });
  return dir;
}

async function editJson<T>(file: string, edit: (json: T) => void): Promise<void> {
  const json = JSON.parse(await readFile(file, 'utf8')) as T;
  edit(json);
  await writeFile(file, JSON.stringify(json));
}

/** Runs `program` with `interpreter` in `dir` and reads the one line of JSON it prints. */
export async function runProof(interpreter: string, program: string, dir: string): Promise<Proof> {
  const file = path.join(dir, interpreter.endsWith('ruby') ? 'check_fixtures.rb' : 'check_fixtures.py');
  await writeFile(file, program);
  const { stdout, exitCode } = await run(interpreter, [file], { cwd: dir, maxBuffer: 16 << 20 })
    .then(({ stdout }) => ({ stdout, exitCode: 0 }))
    .catch((error: { stdout?: string; stderr?: string; code?: number }) => {
      if (typeof error.code !== 'number') throw error;
      if (!error.stdout) throw new Error(`${interpreter} printed nothing: ${error.stderr}`);
      return { stdout: error.stdout, exitCode: error.code };
    });
  return { exitCode, report: JSON.parse(stdout) as ProofReport };
}

export async function manifestOf(dir: string): Promise<{ fixtures: Fixture[] }> {
  return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { fixtures: Fixture[] };
}

export interface Vector {
  name: string;
  secret: string;
  bodyBase64: string;
  signature: string;
  now: string;
  toleranceSeconds: number;
  expected: { valid: boolean; reason?: string };
}

export async function vectorsOf(dir: string): Promise<Vector[]> {
  return (JSON.parse(await readFile(path.join(dir, 'signatures.json'), 'utf8')) as { vectors: Vector[] })
    .vectors;
}

/**
 * A copy of the package with one verdict, one errorPath and one vector's verdict wrong: a
 * proof must report exactly these three. Returns the copy and the names it must report.
 */
export async function brokenFixturesCopy(): Promise<{ dir: string; broken: string[] }> {
  const dir = await fixturesCopy();
  const broken: string[] = [];
  await editJson<{ fixtures: Fixture[] }>(path.join(dir, 'manifest.json'), (manifest) => {
    const valid = manifest.fixtures.find((fixture) => fixture.valid)!;
    const invalid = manifest.fixtures.find((fixture) => !fixture.valid && !fixture.requires)!;
    valid.valid = false;
    valid.errorPath = '/id';
    invalid.errorPath = '/not/where/the/defect/is';
    broken.push(valid.file, invalid.file);
  });
  await editJson<{ vectors: Vector[] }>(path.join(dir, 'signatures.json'), (signatures) => {
    const vector = signatures.vectors.find((v) => v.expected.valid)!;
    vector.expected = { valid: false, reason: 'too-old' };
    broken.push(vector.name);
  });
  return { dir, broken };
}

/**
 * Both packages built and packed once per test run, for every test file that installs or imports
 * them (package, type-budget, e2e-first-hour). The first file to ask builds them into the run's
 * folder while holding a lock (a directory only one process can create); the others wait for its
 * result. Files only read what is there, so running at once they never race on a dist/ folder.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { stageAndPack } from '../generator/pack.js';

export type StagedPackages = Awaited<ReturnType<typeof stageAndPack>>;

/** How long a file waits for another one's build before it gives up. */
const WAIT_MS = 240_000;

type Outcome = { packages: StagedPackages } | { error: string };

async function waitForOutcome(file: string): Promise<Outcome> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) return JSON.parse(await readFile(file, 'utf8')) as Outcome;
    await sleep(200);
  }
  throw new Error(`no shared package build after ${WAIT_MS / 1000} s (${file})`);
}

async function build(workDir: string, outcomeFile: string): Promise<Outcome> {
  let outcome: Outcome;
  try {
    outcome = { packages: await stageAndPack(workDir) };
  } catch (error) {
    outcome = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  // Written whole, then renamed, so a waiting file never reads half of it.
  await writeFile(`${outcomeFile}.partial`, JSON.stringify(outcome));
  await rename(`${outcomeFile}.partial`, outcomeFile);
  return outcome;
}

let mine: Promise<StagedPackages> | undefined;

/** The staged package folders (with dist/ built) and their tarballs, shared by the whole run. */
export function sharedPackages(): Promise<StagedPackages> {
  mine ??= (async () => {
    const runDir = inject('runDir');
    const workDir = path.join(runDir, 'packages');
    const outcomeFile = path.join(runDir, 'packages.json');
    const claimed = await mkdir(workDir).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    const outcome = claimed ? await build(workDir, outcomeFile) : await waitForOutcome(outcomeFile);
    if ('error' in outcome) throw new Error(`the shared package build failed:\n${outcome.error}`);
    return outcome.packages;
  })();
  return mine;
}

/**
 * Work done once per test run and shared by the test files (each runs in a process of its own).
 * The first process to ask computes the result while holding a lock (a directory only one process
 * can create, in the run's folder from global-setup.ts); the others wait for the file it writes.
 * Nothing is computed until a file asks, so running one test file costs no more than before.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';

/** How long a process waits for another one's result before it gives up. */
const WAIT_MS = 240_000;

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function waitFor(result: string, failure: string): Promise<Buffer> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await exists(result)) return readFile(result);
    if (await exists(failure)) throw new Error(await readFile(failure, 'utf8'));
    await sleep(100);
  }
  throw new Error(`no result after ${WAIT_MS / 1000} s: ${result}`);
}

/** Written whole, then renamed, so that a waiting process never reads half a file. */
async function publish(file: string, contents: Buffer | string): Promise<void> {
  await writeFile(`${file}.partial`, contents);
  await rename(`${file}.partial`, file);
}

/**
 * The bytes `compute` returns, computed by one process of the run. `compute` gets a folder of its
 * own in the run's folder, for files it wants to share (they stay until the run ends).
 */
export async function oncePerRun(
  name: string,
  compute: (workDir: string) => Promise<Buffer>,
): Promise<Buffer> {
  const runDir = inject('runDir');
  const workDir = path.join(runDir, name);
  const result = path.join(runDir, `${name}.result`);
  const failure = path.join(runDir, `${name}.failure`);
  const claimed = await mkdir(workDir).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
  if (!claimed) return waitFor(result, failure);
  try {
    const bytes = await compute(workDir);
    await publish(result, bytes);
    return bytes;
  } catch (error) {
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await publish(failure, `${name}, computed once for the run, failed:\n${reason}`);
    throw error;
  }
}

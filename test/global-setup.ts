/**
 * Once per `vitest run`: a scratch folder for what test files share within the run (the built and
 * packed packages, see shared-packages.ts), removed when the run ends. It costs nothing until a file
 * asks for something in it, so running one test file stays as fast as before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's scratch folder. */
    runDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runDir = await mkdtemp(path.join(tmpdir(), 'chameleon-test-run-'));
  project.provide('runDir', runDir);
  return () => rm(runDir, { recursive: true, force: true });
}

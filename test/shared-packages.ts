/**
 * Both packages built and packed once per test run, for every test file that installs or imports
 * them (package, type-budget, e2e-first-hour). Files only read what is there, so running at once
 * they never race on a dist/ folder.
 */
import { stageAndPack } from '../generator/pack.js';
import { oncePerRun } from './once-per-run.js';

export type StagedPackages = Awaited<ReturnType<typeof stageAndPack>>;

let packages: Promise<StagedPackages> | undefined;

/** The staged package folders (with dist/ built) and their tarballs, shared by the whole run. */
export function sharedPackages(): Promise<StagedPackages> {
  packages ??= oncePerRun('packages', async (workDir) =>
    Buffer.from(JSON.stringify(await stageAndPack(workDir))),
  ).then((bytes) => JSON.parse(bytes.toString('utf8')) as StagedPackages);
  return packages;
}

/**
 * Where a spec to diff comes from: a directory, or a git ref whose `spec/`
 * is extracted into a temporary directory with `git archive`.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadModel } from '../generate.js';
import type { SpecModel } from '../model.js';

const run = promisify(execFile);

export class SpecSourceError extends Error {}

async function git(repo: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function isShallow(repo: string): Promise<boolean> {
  return (await git(repo, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
}

/** Extracts `<ref>:<specPath>` into a new temporary directory and returns it. */
export async function extractSpecAt(repo: string, ref: string, specPath = 'spec'): Promise<string> {
  try {
    await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    const hint = (await isShallow(repo).catch(() => false))
      ? ' (this clone is shallow: git fetch --unshallow)'
      : '';
    throw new SpecSourceError(`${ref} is neither a spec directory nor a git ref of ${repo}${hint}`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'chameleon-spec-ref-'));
  const archive = path.join(dir, 'spec.tar');
  await git(repo, ['archive', '--format=tar', '-o', archive, ref, specPath]);
  await run('tar', ['-xf', archive, '-C', dir]);
  await rm(archive);
  return path.join(dir, specPath);
}

/** Loads a spec from a directory or a git ref; `cleanup` removes what a ref extracted. */
export async function loadSpecSource(
  source: string,
  repo: string,
): Promise<{ model: SpecModel; cleanup: () => Promise<void> }> {
  const asDir = path.resolve(source);
  if (existsSync(asDir)) {
    if (!statSync(asDir).isDirectory()) throw new SpecSourceError(`${source} is not a directory`);
    if (!existsSync(path.join(asDir, 'api.json')))
      throw new SpecSourceError(`${source} has no api.json: not a spec directory`);
    return { model: await loadModel(asDir), cleanup: async () => {} };
  }
  const dir = await extractSpecAt(repo, source);
  const cleanup = () => rm(path.dirname(dir), { recursive: true, force: true });
  try {
    return { model: await loadModel(dir), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * The CI version-bump check, on scratch git repositories: the bump must cover
 * what spec:diff says, breaking changes must be acknowledged, and a shallow
 * clone that cannot reach the last release fails with a message saying so.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRelease } from '../generator/spec-diff/release-check.js';
import { editJson, ROOT, SPEC_DIR } from './helpers.js';

const run = promisify(execFile);
const scratch: string[] = [];

afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function git(repo: string, ...args: string[]): Promise<string> {
  return (await run('git', ['-C', repo, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args]))
    .stdout;
}

/** A repository whose first commit releases the current spec as 0.0. */
async function repoWithRelease(): Promise<string> {
  const repo = await mkdtemp(path.join(tmpdir(), 'chameleon-release-'));
  scratch.push(repo);
  await git(repo, 'init', '-q');
  await cp(SPEC_DIR, path.join(repo, 'spec'), { recursive: true });
  await editJson(path.join(repo, 'spec/api.json'), (api) => (api.specVersion = '0.0'));
  await writeFile(path.join(repo, 'spec/CHANGELOG.md'), '# Spec changelog\n\n## 0.0\n\nFirst release.\n');
  await git(repo, 'add', 'spec');
  await git(repo, 'commit', '-q', '-m', 'release 0.0');
  return repo;
}

async function release(repo: string, version: string, entry: string, commit: boolean): Promise<void> {
  await editJson(path.join(repo, 'spec/api.json'), (api) => (api.specVersion = version));
  const file = path.join(repo, 'spec/CHANGELOG.md');
  const text = await readFile(file, 'utf8');
  await writeFile(
    file,
    text.replace('# Spec changelog\n', `# Spec changelog\n\n## ${version}\n\n${entry}\n`),
  );
  if (commit) {
    await git(repo, 'add', 'spec');
    await git(repo, 'commit', '-q', '-m', `release ${version}`);
  }
}

const addSubtitle = (repo: string) =>
  editJson(
    path.join(repo, 'spec/models/tour.json'),
    (s) => (s.properties.subtitle = { description: 'New.', type: 'string' }),
  );
const removeStyle = (repo: string) =>
  editJson(path.join(repo, 'spec/models/tour.json'), (s) => delete s.properties.style);

describe('spec:check-release', () => {
  it('passes the first release, which has nothing to compare with', async () => {
    const repo = await repoWithRelease();
    const result = await checkRelease(repo, path.join(repo, 'spec'));
    expect(result).toMatchObject({ problems: [], summary: expect.stringContaining('first release') });
  });

  it('refuses a version bump smaller than the change needs, and accepts the right one', async () => {
    const repo = await repoWithRelease();
    await addSubtitle(repo);
    await release(repo, '0.1', '### Added\n\n- `model Tour#subtitle`: optional property added', false);
    const tooSmall = await checkRelease(repo, path.join(repo, 'spec'));
    expect(tooSmall.problems).toEqual([
      expect.stringMatching(/0\.0 → 0\.1 is a patch bump, but the change is additive and needs a MINOR bump/),
    ]);

    await editJson(path.join(repo, 'spec/api.json'), (api) => (api.specVersion = '1.0'));
    const changelog = path.join(repo, 'spec/CHANGELOG.md');
    await writeFile(changelog, (await readFile(changelog, 'utf8')).replace('## 0.1', '## 1.0'));
    expect((await checkRelease(repo, path.join(repo, 'spec'))).problems).toEqual([]);
  });

  it('finds the last release in history once the bump is committed', async () => {
    const repo = await repoWithRelease();
    await addSubtitle(repo);
    await release(repo, '1.0', '### Added\n\n- `model Tour#subtitle`: optional property added', true);
    // A later commit that changes the spec again without a new version is part of the same release.
    await removeStyle(repo);
    await git(repo, 'commit', '-q', '-am', 'change the spec without a bump');
    const result = await checkRelease(repo, path.join(repo, 'spec'));
    expect(result.diff?.level).toBe('breaking');
    expect(result.problems).toEqual([expect.stringContaining('not acknowledged under "### Breaking"')]);
  });

  it('accepts a breaking change only when the changelog acknowledges it, as a MINOR', async () => {
    const repo = await repoWithRelease();
    await removeStyle(repo);
    await release(
      repo,
      '1.0',
      '### Breaking\n\n- `model Tour#style`: property removed. Acknowledged: the vendor no longer sends it.',
      true,
    );
    expect((await checkRelease(repo, path.join(repo, 'spec'))).problems).toEqual([]);
  });

  it('refuses a release without a changelog entry for its version', async () => {
    const repo = await repoWithRelease();
    await editJson(path.join(repo, 'spec/api.json'), (api) => (api.specVersion = '0.1'));
    const result = await checkRelease(repo, path.join(repo, 'spec'));
    expect(result.problems).toEqual([expect.stringContaining('no entry for specVersion 0.1')]);
  });

  it('fails explicitly in a shallow clone that does not reach the last release', async () => {
    const repo = await repoWithRelease();
    await addSubtitle(repo);
    await release(repo, '1.0', '### Added\n\n- `model Tour#subtitle`: optional property added', true);
    const shallow = await mkdtemp(path.join(tmpdir(), 'chameleon-shallow-'));
    scratch.push(shallow);
    await run('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
    const result = await checkRelease(shallow, path.join(shallow, 'spec'));
    expect(result.problems).toEqual([expect.stringContaining('shallow')]);
  });

  it('passes on this repository', async () => {
    const result = await checkRelease(ROOT, SPEC_DIR);
    expect(result.problems).toEqual([]);
  });
});

/**
 * `npm run spec:check-release` (a CI step): the spec's version bump must be at
 * least what spec:diff says the change since the last release needs, breaking
 * changes must be acknowledged in spec/CHANGELOG.md, and every additive change
 * must be listed there (the packages' CHANGELOG.md is generated from it).
 *
 * The last release is concrete: the spec as it stood just before the commit
 * that set the current specVersion (found with `git log` on spec/api.json), or
 * HEAD when the working tree bumps the version. Its version must be the
 * changelog's previous entry. The oldest entry has no earlier release: it is
 * checked against its `Baseline:` directory (acknowledgement only), if any.
 * A shallow clone that lacks that commit fails with a message saying so,
 * never passes silently.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadModel, ROOT, SPEC_DIR } from '../generate.js';
import type { SpecModel } from '../model.js';
import type { ChangelogEntry } from './changelog.js';
import { atLeast } from './change.js';
import { bumpOf, diffSpecs, requiredBump, type SpecDiff } from './diff.js';
import { extractSpecAt, isShallow } from './source.js';
import { rm } from 'node:fs/promises';

const run = promisify(execFile);

export interface ReleaseCheckResult {
  problems: string[];
  /** What was compared with what, for the log. */
  summary: string;
  diff?: SpecDiff;
}

interface Baseline {
  label: string;
  model: SpecModel;
  /** True when the baseline is a released spec (the version bump is checked). */
  released: boolean;
  cleanup: () => Promise<void>;
}

async function git(repo: string, args: string[]): Promise<string> {
  return (await run('git', ['-C', repo, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

async function specVersionAt(repo: string, ref: string, apiPath: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await git(repo, ['show', `${ref}:${apiPath}`])) as { specVersion?: string })
      .specVersion;
  } catch {
    return undefined;
  }
}

/** The commit whose spec is the previous release, or a problem saying why there is none. */
async function previousReleaseRef(
  repo: string,
  specRel: string,
  current: string,
  previous: string,
): Promise<{ ref?: string; problem?: string }> {
  const apiPath = path.posix.join(specRel, 'api.json');
  if ((await specVersionAt(repo, 'HEAD', apiPath)) !== current) return { ref: 'HEAD' };
  // First parents only: the mainline's history. A merged branch's own commits interleave by date and
  // would end the walk at a commit that never was a release of this line.
  const commits = (await git(repo, ['log', '--first-parent', '--format=%H', '--', apiPath]))
    .split('\n')
    .filter(Boolean);
  let bumpCommit: string | undefined;
  for (const commit of commits) {
    if ((await specVersionAt(repo, commit, apiPath)) !== current) break;
    bumpCommit = commit;
  }
  const parent = `${bumpCommit}^`;
  const parentVersion = bumpCommit ? await specVersionAt(repo, parent, apiPath) : undefined;
  if (parentVersion === previous) return { ref: parent };
  if (await isShallow(repo)) {
    return {
      problem: `this clone is shallow and does not reach the release of spec ${previous}: run git fetch --unshallow (CI needs the commit before the one that set specVersion ${current})`,
    };
  }
  return {
    problem: `the spec before specVersion ${current} was ${parentVersion ?? 'not found'}, but the changelog's previous entry is ${previous}: every release needs its own entry`,
  };
}

async function resolveBaseline(
  repo: string,
  specDir: string,
  entries: ChangelogEntry[],
  current: string,
): Promise<Baseline | { problem: string } | undefined> {
  const [entry, previous] = entries;
  if (!previous) {
    if (!entry?.baseline) return undefined;
    const dir = path.resolve(repo, entry.baseline);
    return { label: entry.baseline, model: await loadModel(dir), released: false, cleanup: async () => {} };
  }
  const { ref, problem } = await previousReleaseRef(
    repo,
    path.relative(repo, specDir).split(path.sep).join('/'),
    current,
    previous.version,
  );
  if (!ref) return { problem: problem! };
  const dir = await extractSpecAt(repo, ref, path.relative(repo, specDir).split(path.sep).join('/'));
  const cleanup = () => rm(path.dirname(dir), { recursive: true, force: true }).then(() => undefined);
  return {
    label: `spec ${previous.version} (${ref === 'HEAD' ? 'HEAD' : ref.slice(0, 12)})`,
    model: await loadModel(dir),
    released: true,
    cleanup,
  };
}

function judge(diff: SpecDiff, entry: ChangelogEntry, baseline: Baseline): string[] {
  const problems: string[] = [];
  if (baseline.released) {
    const needed = requiredBump(diff.level);
    const bump = bumpOf(diff.from.specVersion, diff.to.specVersion);
    if (bump === 'downgrade' || !atLeast(bump, needed)) {
      problems.push(
        `specVersion ${diff.from.specVersion} → ${diff.to.specVersion} is a ${bump} bump, but the change is ${diff.level} and needs a ${needed === 'additive' ? 'MINOR' : 'PATCH'} bump`,
      );
    }
  }
  for (const change of diff.changes.filter((c) => c.level === 'breaking')) {
    if (!entry.acknowledged.includes(change.path))
      problems.push(
        `breaking change not acknowledged under "### Breaking" in spec/CHANGELOG.md ${entry.version}: \`${change.path}\`: ${change.message}`,
      );
  }
  for (const change of diff.changes.filter((c) => c.level === 'additive')) {
    if (!entry.listed.includes(change.path))
      problems.push(
        `change not listed in spec/CHANGELOG.md ${entry.version}: \`${change.path}\`: ${change.message}`,
      );
  }
  return problems;
}

export async function checkRelease(repo = ROOT, specDir = SPEC_DIR): Promise<ReleaseCheckResult> {
  const current = await loadModel(specDir);
  const version = current.api.specVersion;
  const entries = current.changelog; // the spec directory's CHANGELOG.md, read with its schemas
  if (entries[0]?.version !== version) {
    return {
      problems: [
        `spec/CHANGELOG.md has no entry for specVersion ${version} at the top (found ${entries[0]?.version ?? 'none'})`,
      ],
      summary: '',
    };
  }
  const baseline = await resolveBaseline(repo, specDir, entries, version);
  if (!baseline)
    return { problems: [], summary: `spec ${version} is the first release: nothing to compare with` };
  if ('problem' in baseline) return { problems: [baseline.problem], summary: '' };
  try {
    const diff = diffSpecs(baseline.model, current);
    const summary = `${baseline.label} → spec ${version}: ${diff.level} (${diff.changes.length} changes)`;
    return { problems: judge(diff, entries[0]!, baseline), summary, diff };
  } finally {
    await baseline.cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  checkRelease().then(
    ({ problems, summary }) => {
      if (summary) console.log(summary);
      for (const problem of problems) console.error(`  - ${problem}`);
      if (problems.length) {
        console.error(
          `spec:check-release: ${problems.length} problem(s); see the versioning policy in README.md`,
        );
        process.exit(1);
      }
      console.log('spec:check-release: the version bump covers the change');
    },
    (error: unknown) => {
      console.error(`spec:check-release: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

/** spec:diff: the real history (seven-topic page → current page), one rule per edit, and the CLI. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { bumpOf, diffSpecs, requiredBump, type SpecDiff } from '../generator/spec-diff/diff.js';
import { copySpec, editJson, ROOT, SPEC_DIR } from './helpers.js';

const run = promisify(execFile);
const HISTORY_DIR = path.join(ROOT, 'test/spec-history/2020-11-23-seven-topics');
const SEVEN_TOPICS = [
  'ping',
  'response.finished',
  'tour.started',
  'tour.completed',
  'tour.exited',
  'tour.snoozed',
  'tour.button.clicked',
];

let current: SpecModel;
beforeAll(async () => {
  current = await loadModel(SPEC_DIR);
});

function changesAt(diff: SpecDiff, prefix: string) {
  return diff.changes.filter((change) => change.path.startsWith(prefix));
}

describe('spec:diff on the real history: the seven-topic page → the current page', () => {
  let diff: SpecDiff;
  beforeAll(async () => {
    diff = diffSpecs(await loadModel(HISTORY_DIR), current);
  });

  it('names every topic added since, and removes none', () => {
    const added = diff.changes
      .filter((c) => c.path.startsWith('topic ') && /^topic added/.test(c.message))
      .map((c) => c.path.slice('topic '.length));
    const tableTopics = current.topics
      .filter((t) => t.inTopicTable && !SEVEN_TOPICS.includes(t.topic))
      .map((t) => t.topic);
    expect(tableTopics).toHaveLength(19);
    // The 19 new rows of the vendor's topic table, plus demo.email.added, documented by example only.
    expect(added.sort()).toEqual([...tableTopics, 'demo.email.added'].sort());
    expect(diff.changes.filter((c) => c.path.startsWith('topic ') && c.level === 'breaking')).toEqual([]);
    for (const change of changesAt(diff, 'topic ').filter((c) => /^topic added/.test(c.message)))
      expect(change.level).toBe('additive');
  });

  it('names the verification window that became two-sided, as breaking', () => {
    expect(changesAt(diff, 'api#outgoing.replayWindow')).toEqual([
      {
        level: 'breaking',
        path: 'api#outgoing.replayWindow.direction',
        message: expect.stringMatching(/"past" → "both".*future/),
      },
    ]);
  });

  it('classifies the whole as breaking, released as a MINOR', () => {
    expect(diff.level).toBe('breaking');
    expect(requiredBump(diff.level)).toBe('additive');
  });
});

/** Applies one edit to a copy of spec/ and diffs it against the current spec. */
async function diffAfter(edit: (dir: string) => Promise<void>): Promise<SpecDiff> {
  const dir = await copySpec();
  try {
    await edit(dir);
    return diffSpecs(current, await loadModel(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const editTour = (dir: string, change: (schema: any) => void) =>
  editJson(path.join(dir, 'models/tour.json'), change);
const editProfile = (dir: string, change: (schema: any) => void) =>
  editJson(path.join(dir, 'models/profile.json'), change);

describe('spec:diff rules', () => {
  it('finds nothing between a spec and itself', () => {
    const diff = diffSpecs(current, current);
    expect(diff).toMatchObject({ level: 'none', changes: [] });
  });

  it.each([
    [
      'a description',
      'patch',
      (dir: string) => editTour(dir, (s) => (s.properties.name.description = 'Another description.')),
      'model Tour#name',
    ],
    [
      'an optional property added',
      'additive',
      (dir: string) =>
        editTour(dir, (s) => (s.properties.subtitle = { description: 'New.', type: 'string' })),
      'model Tour#subtitle',
    ],
    [
      'a property made optional',
      'breaking',
      (dir: string) => editTour(dir, (s) => (s.required = [])),
      'model Tour#id',
    ],
    [
      'a property removed',
      'breaking',
      (dir: string) => editTour(dir, (s) => delete s.properties.style),
      'model Tour#style',
    ],
    [
      'a property made required',
      'breaking',
      (dir: string) => editTour(dir, (s) => s.required.push('name')),
      'model Tour#name',
    ],
    [
      'an open enum widened',
      'additive',
      (dir: string) => editProfile(dir, (s) => s.properties.browser_k.enum.push('tablet')),
      'model Profile#browser_k',
    ],
    [
      'an enum narrowed',
      'breaking',
      (dir: string) => editProfile(dir, (s) => s.properties.browser_k.enum.pop()),
      'model Profile#browser_k',
    ],
    [
      'a type narrowed',
      'breaking',
      (dir: string) =>
        editTour(
          dir,
          (s) =>
            (s.properties.name = {
              description: s.properties.name.description,
              type: 'string',
              minLength: 3,
            }),
        ),
      'model Tour#name',
    ],
    [
      'the tolerance shortened',
      'breaking',
      (dir: string) =>
        editJson(path.join(dir, 'api.json'), (a) => (a.outgoing.replayWindow.toleranceSeconds = 120)),
      'api#outgoing.replayWindow.toleranceSeconds',
    ],
    [
      'the tolerance lengthened',
      'additive',
      (dir: string) =>
        editJson(path.join(dir, 'api.json'), (a) => (a.outgoing.replayWindow.toleranceSeconds = 600)),
      'api#outgoing.replayWindow.toleranceSeconds',
    ],
    [
      'an example',
      'patch',
      (dir: string) =>
        editJson(
          path.join(dir, 'topics/tour.completed.json'),
          (t) => (t.examples[0].data.tour.name = 'Another name'),
        ),
      'topic tour.completed#',
    ],
  ])('%s is %s', async (_name, level, edit, where) => {
    const diff = await diffAfter(edit);
    expect(diff.level).toBe(level);
    expect(diff.changes.map((c) => c.path)).toContain(where);
  });

  it('reports a topic removed as breaking', async () => {
    const diff = await diffAfter(async (dir) => {
      await rm(path.join(dir, 'topics/tour.exited.json'));
      await editJson(
        path.join(dir, 'api.json'),
        (a) => (a.topics = a.topics.filter((t: { kind: string }) => t.kind !== 'tour.exited')),
      );
    });
    expect(diff.level).toBe('breaking');
    expect(diff.changes).toContainEqual({
      level: 'breaking',
      path: 'topic tour.exited',
      message: expect.stringMatching(/^topic removed/),
    });
  });

  it('compares bumps of MINOR.PATCH', () => {
    // specVersion is MINOR.PATCH of the package 3.MINOR.PATCH.
    expect(bumpOf('0.0', '0.1')).toBe('patch');
    expect(bumpOf('0.3', '1.0')).toBe('additive');
    expect(bumpOf('0.1', '0.1')).toBe('none');
    expect(bumpOf('1.4', '1.5')).toBe('patch');
    expect(bumpOf('1.4', '2.0')).toBe('additive');
    expect(bumpOf('0.1', '0.0')).toBe('downgrade');
    expect(bumpOf('2.0', '1.9')).toBe('downgrade');
    expect(requiredBump('patch')).toBe('patch');
  });
});

describe('npm run spec:diff', () => {
  const cli = (args: string[], cwd = ROOT) =>
    run(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'generator/spec-diff/cli.ts'), ...args],
      { cwd },
    );

  it('prints every change and the classification on its last line', async () => {
    const { stdout } = await cli([HISTORY_DIR, SPEC_DIR]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('breaking');
    expect(stdout).toMatch(/^Breaking \(\d+\):$/m);
    expect(stdout).toContain('api#outgoing.replayWindow.direction');
    expect(stdout).toContain('topic demo.form.submitted: topic added');
  });

  it('prints the diff as JSON with --json', async () => {
    const { stdout } = await cli([HISTORY_DIR, SPEC_DIR, '--json']);
    const diff = JSON.parse(stdout) as SpecDiff;
    expect(diff.level).toBe('breaking');
    expect(diff.from.specVersion).toBe('0.0');
    expect(diff.changes.length).toBeGreaterThan(20);
  });

  it('exits non-zero on a missing directory, a broken spec or bad arguments', async () => {
    await expect(cli([path.join(ROOT, 'no-such-spec'), SPEC_DIR])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('neither a spec directory nor a git ref'),
    });
    await expect(cli([SPEC_DIR])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage'),
    });
    const broken = await copySpec();
    try {
      await editJson(path.join(broken, 'topics/tour.completed.json'), (t) => delete t.title);
      await expect(cli([SPEC_DIR, broken])).rejects.toMatchObject({ code: 2 });
      await writeFile(path.join(broken, 'api.json'), '{ not json');
      await expect(cli([SPEC_DIR, broken])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringContaining('not valid JSON'),
      });
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('accepts git refs: the spec/ of a commit is diffed against a directory', async () => {
    const repo = await mkdtemp(path.join(tmpdir(), 'chameleon-diff-git-'));
    try {
      const git = (...args: string[]) =>
        run('git', ['-C', repo, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args]);
      await git('init', '-q');
      await run('cp', ['-r', SPEC_DIR, path.join(repo, 'spec')]);
      await git('add', 'spec');
      await git('commit', '-q', '-m', 'spec');
      await editJson(
        path.join(repo, 'spec/models/tour.json'),
        (s) => (s.properties.subtitle = { description: 'New.', type: 'string' }),
      );
      const { stdout } = await cli(['HEAD', path.join(repo, 'spec')], repo);
      expect(stdout).toContain('model Tour#subtitle: optional property added');
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('additive');
    } finally {
      await rm(repo, { recursive: true, force: true });
    }
  });
});

/**
 * spec:diff --format markdown|json: hand-made spec changes of every class (breaking, additive,
 * patch, API facts), the JSON validated against the schema we ship, the Markdown read as a reviewer
 * reads the pull-request comment, and the generated/ diff stat computed by the pipeline.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { diffSpecs } from '../generator/spec-diff/diff.js';
import { lineStat, statOf } from '../generator/spec-diff/diffstat.js';
import { buildReport, toMarkdown, type ReviewReport } from '../generator/spec-diff/report.js';
import { main, renderReport } from '../generator/spec-diff/cli.js';
import { copySpec, editJson, ROOT, SPEC_DIR } from './helpers.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'generator/spec-diff/report.schema.json'), 'utf8'));
const validateReport = new Ajv({ strict: true, allErrors: true }).compile(schema);
/** The spec's version today (MINOR.PATCH), the next MINOR, and both as they appear in a RegExp. */
const V: string = JSON.parse(readFileSync(path.join(SPEC_DIR, 'api.json'), 'utf8')).specVersion;
const NEXT = `${Number(V.split('.')[0]) + 1}.0`;
const re = (version: string) => version.replace('.', '\\.');

let current: SpecModel;
beforeAll(async () => {
  current = await loadModel(SPEC_DIR);
});

/** A copy of spec/ with the edits applied, loaded. */
async function edited(edit: (dir: string) => Promise<void>): Promise<{ model: SpecModel; dir: string }> {
  const dir = await copySpec();
  await edit(dir);
  return { model: await loadModel(dir), dir };
}

function reportOf(after: SpecModel): ReviewReport {
  const report = buildReport(diffSpecs(current, after), current, after, null);
  const json = JSON.parse(JSON.stringify(report));
  expect(validateReport(json), JSON.stringify(validateReport.errors)).toBe(true);
  return json;
}

const changesOf = (report: ReviewReport) => report.groups.flatMap((group) => group.changes);

describe('every class of change, as a report', () => {
  const dirs: string[] = [];
  const at = (dir: string, file: string) => path.join(dir, file);

  it('breaking: a removed property and a narrowed enum, each with one sentence of impact', async () => {
    const { model, dir } = await edited(async (d) => {
      await editJson(at(d, 'models/profile.json'), (json) => {
        delete json.properties.browser_l;
        json.properties.browser_n['x-open-enum'] = false;
      });
    });
    dirs.push(dir);
    const report = reportOf(model);
    expect(report.level).toBe('breaking');
    expect(report.bump).toEqual({ required: 'minor', declared: 'none', sufficient: false });
    const profile = report.groups.find((group) => group.subject === 'model Profile')!;
    expect(profile.file).toBe('spec/models/profile.json');
    expect(profile.changes).toEqual([
      expect.objectContaining({
        level: 'breaking',
        pointer: '/properties/browser_l',
        old: { type: 'string' },
        impact: 'Handlers that read `Profile.browser_l` stop compiling.',
      }),
      expect.objectContaining({
        level: 'breaking',
        pointer: '/properties/browser_n',
        old: expect.objectContaining({ 'x-open-enum': true }),
        new: expect.not.objectContaining({ 'x-open-enum': true }),
        impact: expect.stringMatching(
          /^Values of `Profile.browser_n` outside the list become non-conforming/,
        ),
      }),
    ]);
    expect(profile.changes[0]).not.toHaveProperty('new');
    const markdown = toMarkdown(report);
    expect(markdown).toContain(
      `**breaking** (2 breaking, 0 additive, 0 patch): the policy requires MINOR; the spec declares no bump (${V} → ${V}) ❌`,
    );
    expect(markdown).toContain(
      '### Consumer impact\n\n- Handlers that read `Profile.browser_l` stop compiling.\n- Values of `Profile.browser_n`',
    );
    expect(markdown).toContain('- Handlers that read `Profile.browser_l` stop compiling.');
    expect(markdown).toContain(
      '| breaking | `#/properties/browser_l` | property removed | `{"type":"string"}` | — |',
    );
  });

  it('additive: a topic, an optional property, a widened type and enum, with the MINOR bump declared', async () => {
    const { model, dir } = await edited(async (d) => {
      await editJson(at(d, 'api.json'), (json) => {
        json.specVersion = NEXT;
      });
      await editJson(at(d, 'models/tour.json'), (json) => {
        json.properties.locale = { description: 'The language.', type: 'string' };
      });
      await editJson(at(d, 'models/profile.json'), (json) => {
        json.properties.browser_k.enum.push('tablet');
      });
      await editJson(at(d, 'models/step.json'), (json) => {
        json.properties.follow_up_delay.type = 'number';
      });
    });
    dirs.push(dir);
    const report = reportOf(model);
    expect(report.level).toBe('additive');
    expect(report.bump).toEqual({ required: 'minor', declared: 'minor', sufficient: true });
    expect(changesOf(report).filter((c) => c.impact)).toEqual([]);
    expect(changesOf(report).map((c) => [c.level, c.file, c.pointer, c.old, c.new])).toEqual([
      ['additive', 'spec/models/profile.json', '/properties/browser_k', expect.anything(), expect.anything()],
      [
        'additive',
        'spec/models/step.json',
        '/properties/follow_up_delay',
        { type: 'integer', minimum: 0 },
        { type: 'number', minimum: 0 },
      ],
      ['additive', 'spec/models/tour.json', '/properties/locale', undefined, { type: 'string' }],
      ['patch', 'spec/api.json', '/specVersion', V, NEXT],
    ]);
    const markdown = toMarkdown(report);
    expect(markdown).toMatch(
      new RegExp(
        `^## spec:diff ${re(V)} → ${re(NEXT)}\\n\\n\\*\\*additive\\*\\* \\(0 breaking, 3 additive, 1 patch\\)`,
      ),
    );
    expect(markdown).toContain(`the spec declares MINOR (${V} → ${NEXT}) ✅`);
    expect(markdown).not.toContain('Consumer impact');
    expect(markdown).toContain('### model Tour (`spec/models/tour.json`)');
    expect(markdown).toContain(
      '| additive | `#/properties/locale` | optional property added | — | `{"type":"string"}` |',
    );
    expect(markdown).toContain(
      `| patch | \`#/specVersion\` | "${V}" → "${NEXT}": the version itself | \`"${V}"\` | \`"${NEXT}"\` |`,
    );
  });

  it('patch: a description and an example, showing the documentation before and after', async () => {
    const { model, dir } = await edited(async (d) => {
      await editJson(at(d, 'models/step.json'), (json) => {
        json.properties.body.description = 'The text of the Step, as written.';
      });
    });
    dirs.push(dir);
    const report = reportOf(model);
    expect(report.level).toBe('patch');
    expect(report.bump).toEqual({ required: 'patch', declared: 'none', sufficient: false });
    const [change] = changesOf(report);
    expect(change).toMatchObject({
      level: 'patch',
      file: 'spec/models/step.json',
      pointer: '/properties/body',
      new: 'The text of the Step, as written.',
    });
    expect(typeof change!.old).toBe('string');
    expect(toMarkdown(report)).toContain('`"The text of the Step, as written."`');
  });

  it('an API fact, a removed topic and a model: impact from the rule, pointer into api.json', async () => {
    const { model, dir } = await edited(async (d) => {
      await editJson(at(d, 'api.json'), (json) => {
        json.outgoing.replayWindow.toleranceSeconds = 60;
        json.outgoing.headers.find((h: { name: string }) => h.name === 'Accept').description = 'JSON.';
        json.topics = json.topics.filter((t: { kind: string }) => t.kind !== 'tour.snoozed');
      });
      await rm(at(d, 'topics/tour.snoozed.json'));
    });
    dirs.push(dir);
    const report = reportOf(model);
    const byPath = new Map(changesOf(report).map((c) => [c.path, c]));
    expect(byPath.get('api#outgoing.replayWindow.toleranceSeconds')).toMatchObject({
      level: 'breaking',
      file: 'spec/api.json',
      pointer: '/outgoing/replayWindow/toleranceSeconds',
      old: 300,
      new: 60,
      impact: expect.stringMatching(
        /^`api\.json outgoing\.replayWindow\.toleranceSeconds`: The package now rejects what it accepted\.$/,
      ),
    });
    expect(byPath.get('api#outgoing.headers[Accept].description')).toMatchObject({
      level: 'patch',
      pointer: '/outgoing/headers/4/description',
      new: 'JSON.',
    });
    expect(byPath.get('topic tour.snoozed')).toMatchObject({
      level: 'breaking',
      file: 'spec/topics/tour.snoozed.json',
      pointer: '',
      old: 'TourSnoozedWebhook',
      impact: expect.stringMatching(/^Handlers registered for `topic tour.snoozed` stop compiling/),
    });
    expect(byPath.get('topic tour.snoozed')).not.toHaveProperty('new');
  });

  it('identical specs: level none, no groups, and the schema still holds', () => {
    const report = reportOf(current);
    expect(report).toMatchObject({ level: 'none', groups: [], bump: { required: 'none', sufficient: true } });
    expect(toMarkdown(report)).toContain('No change.');
  });

  it('cleans up', async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
});

describe('the generated/ diff stat', () => {
  it.each([
    ['a line changed', 'a\nb\nc\n', 'a\nB\nc\n', { added: 1, removed: 1 }],
    ['two lines added', 'a\n', 'a\nb\nc\n', { added: 2, removed: 0 }],
    ['a new file', undefined, 'a\nb\n', { added: 2, removed: 0 }],
    ['a removed file', 'a\nb\nc\n', undefined, { added: 0, removed: 3 }],
  ])('%s', (_name, before, after, want) => {
    expect(lineStat(before, after)).toEqual(want);
  });

  it('lists changed files only, with totals', () => {
    const stat = statOf(
      new Map([
        ['same.ts', 'x\n'],
        ['gone.ts', 'a\n'],
        ['edit.ts', 'a\nb\n'],
      ]),
      new Map([
        ['same.ts', 'x\n'],
        ['edit.ts', 'a\nc\nd\n'],
        ['new.ts', 'n\n'],
      ]),
    );
    expect(stat).toEqual({
      files: [
        { path: 'edit.ts', added: 2, removed: 1 },
        { path: 'gone.ts', added: 0, removed: 1 },
        { path: 'new.ts', added: 1, removed: 0 },
      ],
      added: 3,
      removed: 2,
    });
  });

  it('one optional property: the pipeline regenerates a few files, all named in the Markdown and the JSON', async () => {
    const { model, dir } = await edited(async (d) => {
      await editJson(path.join(d, 'models/tour.json'), (json) => {
        json.properties.locale = { description: 'The language.', type: 'string' };
      });
    });
    try {
      const diff = diffSpecs(current, model);
      const json = JSON.parse(await renderReport(diff, current, model, 'json'));
      expect(validateReport(json), JSON.stringify(validateReport.errors)).toBe(true);
      const files = json.generated.files.map((f: { path: string }) => f.path);
      expect(files).toContain('typescript/src/types.ts');
      expect(files).toContain('typescript/src/validators/guards.ts');
      expect(files.every((file: string) => !file.startsWith('typescript/src/receiver/'))).toBe(true);
      expect(json.generated.added).toBeGreaterThan(0);
      const markdown = await renderReport(diff, current, model, 'markdown');
      expect(markdown).toContain(
        `### generated/: ${files.length} files changed, +${json.generated.added} −${json.generated.removed}`,
      );
      expect(markdown).toMatch(/typescript\/src\/types\.ts +\| \+\d+ −\d+/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the CLI', () => {
  it('rejects an unknown format, and prints markdown for two directories', async () => {
    const errors: string[] = [];
    const logs: string[] = [];
    const error = console.error;
    const write = process.stdout.write;
    console.error = (line: string) => errors.push(line);
    process.stdout.write = ((chunk: string) => logs.push(chunk) > 0) as typeof process.stdout.write;
    try {
      expect(await main([SPEC_DIR, SPEC_DIR, '--format', 'yaml'])).toBe(2);
      expect(errors.join('\n')).toMatch(/usage: .*--format text\|markdown\|json/);
      expect(await main([SPEC_DIR, SPEC_DIR, '--format=markdown', '--no-stat'])).toBe(0);
    } finally {
      console.error = error;
      process.stdout.write = write;
    }
    expect(logs.join('')).toMatch(new RegExp(`^## spec:diff ${re(V)} → ${re(V)}\\n\\n\\*\\*none`));
  });
});

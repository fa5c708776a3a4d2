/**
 * A schema change is reviewed as a pull request, so the code it regenerates
 * must change locally: one optional property added to (or removed from) one
 * schema may change at most DIFF_BUDGET lines across generated/typescript/src.
 * Each case edits a scratch copy of spec/, generates in-process and counts the
 * lines a diff shows against one shared baseline generation.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFiles, loadModel } from '../generator/generate.js';
import { changedLineCount } from '../generator/spec-diff/diffstat.js';
import { copySpec, editJson } from './helpers.js';

/** Lines (added + removed) one optional property may change in generated/typescript/src. */
const DIFF_BUDGET = 40;
const SOURCE_PREFIX = 'typescript/src/';

interface Case {
  name: string;
  /** The spec file to edit, relative to spec/. */
  file: string;
  edit: (schema: any) => void;
}

const CASES: Case[] = [
  {
    name: 'adding an optional string property to a model (models/response.json)',
    file: 'models/response.json',
    edit: (schema) => {
      schema.properties.review_note = { description: 'A note the reviewer left.', type: 'string' };
    },
  },
  {
    name: 'removing an optional property from a model (models/response.json)',
    file: 'models/response.json',
    edit: (schema) => {
      if (!schema.properties.other_text || schema.required.includes('other_text'))
        throw new Error('models/response.json no longer has the optional property other_text');
      delete schema.properties.other_text;
    },
  },
  {
    name: "adding an optional string property to a topic's data (topics/response.finished.json)",
    file: 'topics/response.finished.json',
    edit: (schema) => {
      schema.properties.data.properties.locale = {
        description: 'The language the survey ran in.',
        type: 'string',
      };
    },
  },
];

let baseline: Map<string, string>;

/** generated/typescript/src's files, path to contents, as generated from `specDir`. */
async function generateSources(specDir: string): Promise<Map<string, string>> {
  const files = await generateFiles(await loadModel(specDir));
  return new Map(
    files.filter((file) => file.path.startsWith(SOURCE_PREFIX)).map((file) => [file.path, file.contents]),
  );
}

/** Changed lines per file, largest first; a file only one side has counts all its lines. */
function changedFiles(
  before: Map<string, string>,
  after: Map<string, string>,
): Array<{ file: string; lines: number }> {
  const paths = [...new Set([...before.keys(), ...after.keys()])];
  return paths
    .map((file) => ({ file, lines: changedLineCount(before.get(file) ?? '', after.get(file) ?? '') }))
    .filter((change) => change.lines > 0)
    .sort((x, y) => y.lines - x.lines || x.file.localeCompare(y.file));
}

beforeAll(async () => {
  baseline = await generateSources(await copySpec());
});

describe('changedLineCount', () => {
  it.each([
    ['identical texts', 'a\nb\nc', 'a\nb\nc', 0],
    ['one line added', 'a\nc', 'a\nb\nc', 1],
    ['one line removed', 'a\nb\nc', 'a\nc', 1],
    ['one line changed', 'a\nb\nc', 'a\nB\nc', 2],
    ['everything replaced', 'a\nb', 'c\nd\ne', 5],
  ])('%s', (_name, before, after, want) => {
    expect(changedLineCount(before, after)).toBe(want);
  });
});

describe(`one optional property changes at most ${DIFF_BUDGET} lines of generated/typescript/src`, () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const specDir = await copySpec();
    await editJson(path.join(specDir, c.file), c.edit);
    const generated = await generateSources(specDir);
    await rm(specDir, { recursive: true, force: true });

    const changes = changedFiles(baseline, generated);
    const total = changes.reduce((sum, change) => sum + change.lines, 0);
    // A change that regenerates nothing would not test the budget.
    expect(total, 'the edit changed no generated line').toBeGreaterThan(0);
    const report = changes
      .map((change) => `  ${String(change.lines).padStart(5)}  ${change.file}`)
      .join('\n');
    expect(total, `${total} changed lines (budget ${DIFF_BUDGET}):\n${report}`).toBeLessThanOrEqual(
      DIFF_BUDGET,
    );
  });
});

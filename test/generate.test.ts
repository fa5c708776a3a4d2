/**
 * Generation is deterministic, hermetic, and what is committed in generated/. This file is the
 * run's one whole-output drift check (`npm test` no longer runs `generate:check` before it): one
 * generation is compared with generated/, a second in the same process proves determinism, and
 * the CLI, run once without network, must write exactly those files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../generator/emitters/emitter.js';
import { generateFiles, loadModel } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { diffOutput } from '../generator/write.js';
import { GENERATED_DIR, ROOT } from './helpers.js';

const run = promisify(execFile);

/** Every file under `dir` as [path relative to dir, contents], sorted by path. */
async function readTree(dir: string): Promise<Array<[string, string]>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  const tree = await Promise.all(
    files.map(async (entry): Promise<[string, string]> => {
      const file = path.join(entry.parentPath, entry.name);
      return [path.relative(dir, file).split(path.sep).join('/'), await readFile(file, 'utf8')];
    }),
  );
  return tree.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const byPath = (files: GeneratedFile[]): Array<[string, string]> =>
  files
    .map((file): [string, string] => [file.path, file.contents])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

let model: SpecModel;
/** The run's generation of generated/, in this process. */
let files: GeneratedFile[];
beforeAll(async () => {
  model = await loadModel();
  files = await generateFiles(model);
});

describe('generation', () => {
  it('is deterministic: the same spec gives byte-identical files', async () => {
    const second = await generateFiles(await loadModel());
    expect(second.map((f) => [f.path, f.contents])).toEqual(files.map((f) => [f.path, f.contents]));
  });

  it('declares every model once: one interface per title, no numbered copies (Profile1)', () => {
    const types = files.find((file) => file.path === 'typescript/src/types.ts')!.contents;
    const declared = [...types.matchAll(/^export (?:interface|type) (\w+)/gm)].map((match) => match[1]!);
    expect(declared.filter((name) => /\d$/.test(name))).toEqual([]);
    expect(new Set(declared).size).toBe(declared.length);
    for (const doc of [...model.models, ...model.topics, ...model.incoming])
      expect(declared, doc.path).toContain(doc.typeName);
  });

  it('matches the committed generated/ (run npm run generate when this fails)', async () => {
    const drift = await diffOutput(GENERATED_DIR, files);
    expect(drift).toEqual({ changed: [], added: [], removed: [] });
  });

  it('never touches the network', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'chameleon-gen-'));
    try {
      // The preload makes every socket, DNS lookup and fetch throw: generation must still succeed.
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          '--import',
          path.join(ROOT, 'test/no-network.mjs'),
          'generator/generate.ts',
          '--out',
          path.join(out, 'generated'),
          '--docs-out',
          path.join(out, 'docs'),
        ],
        { cwd: ROOT },
      );
      expect(stdout).toMatch(/Generated \d+ files from 27 topics/);
      // Every file the CLI wrote is the one generated in this process, and nothing else.
      expect(await readTree(path.join(out, 'generated'))).toEqual(byPath(files));
      const types = await readFile(path.join(out, 'generated/typescript/src/types.ts'), 'utf8');
      expect(types).toBe(await readFile(path.join(GENERATED_DIR, 'typescript/src/types.ts'), 'utf8'));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

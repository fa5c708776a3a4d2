/** Generation is deterministic, hermetic, and what is committed in generated/. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateFiles, loadModel } from '../generator/generate.js';
import { diffOutput } from '../generator/write.js';
import { GENERATED_DIR, ROOT } from './helpers.js';

const run = promisify(execFile);

describe('generation', () => {
  it('is deterministic: the same spec gives byte-identical files', async () => {
    const first = await generateFiles(await loadModel());
    const second = await generateFiles(await loadModel());
    expect(second.map((f) => [f.path, f.contents])).toEqual(first.map((f) => [f.path, f.contents]));
  });

  it('declares every model once: one interface per title, no numbered copies (Profile1)', async () => {
    const model = await loadModel();
    const types = (await generateFiles(model)).find(
      (file) => file.path === 'typescript/src/types.ts',
    )!.contents;
    const declared = [...types.matchAll(/^export (?:interface|type) (\w+)/gm)].map((match) => match[1]!);
    expect(declared.filter((name) => /\d$/.test(name))).toEqual([]);
    expect(new Set(declared).size).toBe(declared.length);
    for (const doc of [...model.models, ...model.topics, ...model.incoming])
      expect(declared, doc.path).toContain(doc.typeName);
  });

  it('matches the committed generated/ (run npm run generate when this fails)', async () => {
    const drift = await diffOutput(GENERATED_DIR, await generateFiles(await loadModel()));
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
          out,
        ],
        { cwd: ROOT },
      );
      expect(stdout).toMatch(/Generated \d+ files from 27 topics/);
      const types = await readFile(path.join(out, 'typescript/src/types.ts'), 'utf8');
      expect(types).toBe(await readFile(path.join(GENERATED_DIR, 'typescript/src/types.ts'), 'utf8'));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

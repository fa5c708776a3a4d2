/** Budgets of the generated validators, measured on size (never on time). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR } from './helpers.js';

const SRC = path.join(GENERATED_DIR, 'typescript/src');
const GZIP_BUDGET = 15 * 1024;

async function bundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('validator budgets', () => {
  it(`all topic and model validators bundle to at most ${GZIP_BUDGET} bytes gzipped`, async () => {
    const code = await bundle(path.join(SRC, 'validate.ts'));
    const gzipped = gzipSync(code, { level: 9 }).length;
    console.log(`validate.ts bundle: ${code.length} bytes minified, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThanOrEqual(GZIP_BUDGET);
    // The bundle holds every topic: a budget met by leaving topics out would be no budget.
    const text = new TextDecoder().decode(code);
    expect(text).toContain('tour.completed');
    expect(text).toContain('demo.form.submitted');
  });

  it('the bundle pulls in nothing from node_modules and nothing from node:', async () => {
    const result = await build({
      entryPoints: [path.join(SRC, 'validate.ts')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => input.includes('node_modules') || input.startsWith('node:'))).toEqual([]);
  });

  it('no eval, new Function or require( in the runtime package; the validators compile nothing', async () => {
    for (const file of await sourceFiles(SRC)) {
      const text = await readFile(file, 'utf8');
      const rel = path.relative(SRC, file);
      expect(/\beval\s*\(|new\s+Function\b/.test(text), rel).toBe(false);
      if (rel.startsWith('validators') || rel === 'validate.ts')
        expect(text.includes('require('), rel).toBe(false);
    }
  });
});

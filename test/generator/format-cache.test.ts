/** The writer's Prettier cache: a hit is exactly what Prettier printed for the same input, path and config. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatAll } from '../../generator/write.js';
import { ROOT } from '../../generator/pipeline.js';

const CONFIG = path.join(ROOT, '.prettierrc.json');
const file = { path: 'typescript/src/x.ts', contents: 'export const   x = {a:1}' };

describe('format cache', () => {
  let dir: string;
  let cacheFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'format-cache-'));
    cacheFile = path.join(dir, 'cache', 'prettier.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('formats like Prettier on a miss, and stores the result', async () => {
    const [fresh] = await formatAll([file], CONFIG);
    const [cached] = await formatAll([file], CONFIG, cacheFile);
    expect(cached!.contents).toBe(fresh!.contents);
    expect(Object.values(JSON.parse(await readFile(cacheFile, 'utf8')))).toEqual([fresh!.contents]);
  });

  it('answers a hit from the cache, and a changed input misses', async () => {
    await formatAll([file], CONFIG, cacheFile);
    const entries = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, string>;
    const [key] = Object.keys(entries);
    await writeFile(cacheFile, JSON.stringify({ [key!]: 'from the cache\n' }));
    expect((await formatAll([file], CONFIG, cacheFile))[0]!.contents).toBe('from the cache\n');
    const changed = { ...file, contents: 'export const y = 2' };
    expect((await formatAll([changed], CONFIG, cacheFile))[0]!.contents).toBe('export const y = 2;\n');
  });

  it('starts empty on a torn cache file', async () => {
    await formatAll([file], CONFIG, cacheFile);
    await writeFile(cacheFile, '{"trunc');
    expect((await formatAll([file], CONFIG, cacheFile))[0]!.contents).toBe('export const x = { a: 1 };\n');
  });
});

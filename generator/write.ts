/**
 * Last step: format every file with Prettier and write generated/, or, with
 * `check`, report how generated/ differs from what the spec produces.
 * generated/ is owned by the generator: files it no longer produces are removed
 * (build output in dist/ and node_modules/ is left alone).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import type { GeneratedFile } from './emitters/emitter.js';

const UNOWNED_DIRS = new Set(['node_modules', 'dist']);

async function existingFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return UNOWNED_DIRS.has(entry.name) ? [] : existingFiles(dir, rel);
      return entry.name.endsWith('.tgz') ? [] : [rel];
    }),
  );
  return nested.flat();
}

/**
 * JSON is written as JSON.stringify with two spaces (canonical, and fast for the
 * thousand fixture files); Markdown keeps the shape its template gives it (Prettier
 * cost ~2 s over the 60 reference pages and changed nothing a reader sees), with
 * trailing spaces and runs of blank lines removed; code goes through Prettier.
 * Always one final newline.
 */
export async function formatFile(file: GeneratedFile, config: prettier.Options): Promise<GeneratedFile> {
  if (file.skipFormatting) return { ...file, contents: file.contents.replace(/\n*$/, '\n') };
  if (file.path.endsWith('.json')) {
    return { ...file, contents: `${JSON.stringify(JSON.parse(file.contents), null, 2)}\n` };
  }
  if (file.path.endsWith('.md')) {
    const tidy = file.contents
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    return { ...file, contents: `${tidy}\n` };
  }
  const info = await prettier.getFileInfo(file.path);
  if (!info.inferredParser) return { ...file, contents: file.contents.replace(/\n*$/, '\n') };
  const contents = await prettier.format(file.contents, { ...config, filepath: file.path });
  return { ...file, contents };
}

export async function formatAll(files: GeneratedFile[], configFile: string): Promise<GeneratedFile[]> {
  const config = (await prettier.resolveConfig(configFile)) ?? {};
  return Promise.all(files.map((file) => formatFile(file, config)));
}

export interface Drift {
  changed: string[];
  added: string[];
  removed: string[];
}

export async function diffOutput(outDir: string, files: GeneratedFile[]): Promise<Drift> {
  const wanted = new Map(files.map((file) => [file.path, file.contents]));
  const present = await existingFiles(outDir);
  const drift: Drift = { changed: [], added: [], removed: present.filter((rel) => !wanted.has(rel)).sort() };
  const presentSet = new Set(present);
  for (const [rel, contents] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    if (!presentSet.has(rel)) drift.added.push(rel);
    else if ((await readFile(path.join(outDir, rel), 'utf8')) !== contents) drift.changed.push(rel);
  }
  return drift;
}

export async function writeOutput(outDir: string, files: GeneratedFile[]): Promise<Drift> {
  const drift = await diffOutput(outDir, files);
  for (const rel of drift.removed) await rm(path.join(outDir, rel));
  for (const file of files) {
    if (!drift.changed.includes(file.path) && !drift.added.includes(file.path)) continue;
    const target = path.join(outDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.contents);
  }
  return drift;
}

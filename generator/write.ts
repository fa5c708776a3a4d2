/**
 * Last step: format every file and write each output root (generated/, docs/reference/)
 * to its directory, or report how the directories differ from what the spec produces.
 * The output directories are owned by the generator: files it no longer produces are
 * removed (build output in dist/ and node_modules/ is left alone).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import type { GeneratedFile, OutputRoot } from './emitters/emitter.js';

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

/** The directory of each output root. */
export type OutputDirs = Record<OutputRoot, string>;

/** The files of one root, paths relative to it. */
function filesOf(files: GeneratedFile[], root: OutputRoot): GeneratedFile[] {
  return files.filter((file) => (file.root ?? 'generated') === root);
}

/** How each output directory differs from the files, root by root. */
export async function diffRoots(dirs: OutputDirs, files: GeneratedFile[]): Promise<Map<OutputRoot, Drift>> {
  const roots = Object.keys(dirs) as OutputRoot[];
  return new Map(
    await Promise.all(
      roots.map(async (root) => [root, await diffOutput(dirs[root], filesOf(files, root))] as const),
    ),
  );
}

/** Writes every root to its directory; returns what changed, root by root. */
export async function writeRoots(dirs: OutputDirs, files: GeneratedFile[]): Promise<Map<OutputRoot, Drift>> {
  const drifts = new Map<OutputRoot, Drift>();
  for (const root of Object.keys(dirs) as OutputRoot[])
    drifts.set(root, await writeOutput(dirs[root], filesOf(files, root)));
  return drifts;
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

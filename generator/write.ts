/**
 * Last step: format every file and write each output root (generated/, docs/reference/)
 * to its directory, or report how the directories differ from what the spec produces.
 * The output directories are owned by the generator: files it no longer produces are
 * removed (build output in dist/ and node_modules/ is left alone).
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Options as PrettierOptions } from 'prettier';
import type { GeneratedFile, OutputRoot } from './emitters/emitter.js';

const UNOWNED_DIRS = new Set(['node_modules', 'dist']);

/** Prettier's version, without loading Prettier: it is a cache key. */
const PRETTIER_VERSION: string = createRequire(import.meta.url)('prettier/package.json').version;

let prettierModule: Promise<typeof import('prettier')> | undefined;

/** Prettier is loaded on the first cache miss only: importing it through tsx costs about half a second. */
function loadPrettier(): Promise<typeof import('prettier')> {
  prettierModule ??= import('prettier');
  return prettierModule;
}

async function existingFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries: Dirent[];
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
 * trailing spaces and runs of blank lines removed; code goes through Prettier, unless
 * it is `formatted` already (the runtime sources).
 * Always one final newline.
 */
export async function formatFile(
  file: GeneratedFile,
  config: PrettierOptions,
  cache?: FormatCache,
): Promise<GeneratedFile> {
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
  if (file.formatted) return { ...file, contents: file.contents.replace(/\n*$/, '\n') };
  const key = cache?.keyOf(file, config);
  const cached = key && cache?.get(key);
  if (cached !== undefined) return { ...file, contents: cached };
  const prettier = await loadPrettier();
  const info = await prettier.getFileInfo(file.path);
  if (!info.inferredParser) return { ...file, contents: file.contents.replace(/\n*$/, '\n') };
  const contents = await prettier.format(file.contents, { ...config, filepath: file.path });
  if (key) cache?.set(key, contents);
  return { ...file, contents };
}

/**
 * Prettier's output by input: the key is a hash of Prettier's version, the config, the
 * path and the unformatted text, so a hit is exactly what Prettier would print. Formatting
 * the ~30 code files is most of a run (~3 s); with the cache an unchanged file costs a
 * lookup. The file keeps the entries this run used, then the most recent others (checkouts
 * sharing one node_modules share the cache), up to MAX_ENTRIES, and is replaced atomically.
 */
export class FormatCache {
  static readonly MAX_ENTRIES = 500;

  private readonly used = new Map<string, string>();

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, string>,
  ) {}

  static async open(file: string): Promise<FormatCache> {
    let entries: Record<string, string> = {};
    try {
      entries = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    } catch {
      // No cache yet, or a torn one: start empty.
    }
    return new FormatCache(file, new Map(Object.entries(entries)));
  }

  keyOf(file: GeneratedFile, config: PrettierOptions): string {
    return createHash('sha256')
      .update(JSON.stringify([PRETTIER_VERSION, config, file.path]))
      .update('\0')
      .update(file.contents)
      .digest('hex');
  }

  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.used.set(key, value);
    return value;
  }

  set(key: string, value: string): void {
    this.used.set(key, value);
  }

  async save(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const kept = new Map(this.used);
    for (const [key, value] of this.entries) {
      if (kept.size >= FormatCache.MAX_ENTRIES) break;
      if (!kept.has(key)) kept.set(key, value);
    }
    await writeFile(temporary, JSON.stringify(Object.fromEntries(kept)));
    await rename(temporary, this.file);
  }
}

/** Formats every file; with `cacheFile`, Prettier's results are reused across runs. */
export async function formatAll(
  files: GeneratedFile[],
  configFile: string,
  cacheFile?: string,
): Promise<GeneratedFile[]> {
  // The repository's Prettier config is one JSON file with no overrides: read as it is.
  const config = JSON.parse(await readFile(configFile, 'utf8')) as PrettierOptions;
  const cache = cacheFile ? await FormatCache.open(cacheFile) : undefined;
  const formatted = await Promise.all(files.map((file) => formatFile(file, config, cache)));
  await cache?.save();
  return formatted;
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

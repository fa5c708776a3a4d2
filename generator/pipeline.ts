/**
 * The pipeline, top to bottom:
 * load spec/ (schemas and CHANGELOG.md) → read the schemas into typed nodes (refs
 * resolved) → lint → one model → lint the model → run every emitter → barrels →
 * format → write (or check) each output root: generated/ and docs/reference/.
 * generate.ts is the command line over this library.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitBarrels } from './emitters/barrels.js';
import type { GeneratedFile, OutputRoot } from './emitters/emitter.js';
import { emitters } from './emitters/index.js';
import { lintDocuments, lintModel } from './lint.js';
import { buildModel, readDocuments, type SpecModel } from './model.js';
import { loadSpec } from './spec/load.js';
import { diffRoots, formatAll, writeRoots, type Drift, type OutputDirs } from './write.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SPEC_DIR = path.join(ROOT, 'spec');
export const GENERATED_DIR = path.join(ROOT, 'generated');
/** The second output root: the reference in docs/reference/, also owned by the generator. */
export const DOCS_DIR = path.join(ROOT, 'docs', 'reference');
export const DEFAULT_DIRS: OutputDirs = { generated: GENERATED_DIR, docs: DOCS_DIR };
/**
 * Prettier's results from earlier runs (see FormatCache), where tools keep their caches. One
 * file per checkout: worktrees that share one node_modules would otherwise evict each other.
 */
export const FORMAT_CACHE = path.join(
  ROOT,
  'node_modules',
  '.cache',
  'chameleon-webhooks-generate',
  `prettier-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.json`,
);
/** How each root is named in reports. */
const ROOT_LABELS: Record<OutputRoot, string> = { generated: 'generated', docs: 'docs/reference' };

export class SpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`The spec has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Loads, lints and resolves a spec directory into the model. */
export async function loadModel(specDir = SPEC_DIR): Promise<SpecModel> {
  const spec = await loadSpec(specDir);
  const read = readDocuments(spec);
  const documentProblems = lintDocuments(read);
  if (documentProblems.length) throw new SpecError(documentProblems);
  const model = await buildModel(spec, read);
  const modelProblems = lintModel(model);
  if (modelProblems.length) throw new SpecError(modelProblems);
  return model;
}

/**
 * Every file of every output root (or of `roots` only), formatted, sorted by root and path.
 * `formatCache: false` formats everything afresh (the default reuses FORMAT_CACHE).
 */
export async function generateAll(
  model: SpecModel,
  roots: OutputRoot[] = ['generated', 'docs'],
  { formatCache = true }: { formatCache?: boolean } = {},
): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const emitter of emitters) {
    const root = emitter.root ?? 'generated';
    if (!roots.includes(root)) continue;
    for (const file of await emitter.emit(model)) files.push({ ...file, root });
  }
  if (roots.includes('generated')) {
    const packaged = files.filter((file) => file.root === 'generated');
    files.push(...emitBarrels(model, packaged).map((file) => ({ ...file, root: 'generated' as const })));
  }
  const seen = new Set<string>();
  for (const file of files) {
    const key = `${ROOT_LABELS[file.root!]}/${file.path}`;
    if (seen.has(key)) throw new Error(`Two emitters wrote ${key}`);
    seen.add(key);
  }
  files.sort((a, b) => a.root!.localeCompare(b.root!) || a.path.localeCompare(b.path));
  return formatAll(files, path.join(ROOT, '.prettierrc.json'), formatCache ? FORMAT_CACHE : undefined);
}

/** Every file of generated/, formatted, in a stable order. */
export async function generateFiles(model: SpecModel): Promise<GeneratedFile[]> {
  return generateAll(model, ['generated']);
}

/** Every file of docs/reference/, formatted. */
export async function generateDocs(model: SpecModel): Promise<GeneratedFile[]> {
  return generateAll(model, ['docs']);
}

/** One line per file that differs, `changed|missing|stale <root>/<path>`; empty when none. */
export function describeDrift(drifts: Map<OutputRoot, Drift>): string {
  const lines: string[] = [];
  for (const [root, drift] of drifts) {
    const label = ROOT_LABELS[root];
    lines.push(
      ...drift.changed.map((rel) => `  changed  ${label}/${rel}`),
      ...drift.added.map((rel) => `  missing  ${label}/${rel}`),
      ...drift.removed.map((rel) => `  stale    ${label}/${rel}`),
    );
  }
  return lines.join('\n');
}

/** How the output directories differ from what the files say. */
export function checkOutput(
  files: GeneratedFile[],
  dirs: OutputDirs = DEFAULT_DIRS,
): Promise<Map<OutputRoot, Drift>> {
  return diffRoots(dirs, files);
}

/** Writes every output root; returns what changed. */
export function writeAll(
  files: GeneratedFile[],
  dirs: OutputDirs = DEFAULT_DIRS,
): Promise<Map<OutputRoot, Drift>> {
  return writeRoots(dirs, files);
}

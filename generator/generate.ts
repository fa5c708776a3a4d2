/**
 * The pipeline, top to bottom:
 * load spec/ → read it into typed schema nodes (refs resolved) → lint → one model → lint the model →
 * run every emitter → barrels → format → write (or check) generated/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitBarrels } from './emitters/barrels.js';
import { emitDocs } from './emitters/docs.js';
import type { GeneratedFile } from './emitters/emitter.js';
import { emitters } from './emitters/index.js';
import { lintDocuments, lintModel } from './lint.js';
import { buildModel, readDocuments, type SpecModel } from './model.js';
import { loadSpec } from './spec/load.js';
import { diffOutput, formatAll, writeOutput, type Drift } from './write.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SPEC_DIR = path.join(ROOT, 'spec');
export const GENERATED_DIR = path.join(ROOT, 'generated');
/** The second output root: the reference in docs/reference/, also owned by the generator. */
export const DOCS_DIR = path.join(ROOT, 'docs', 'reference');

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

/** Every file of generated/, formatted, in a stable order. */
export async function generateFiles(model: SpecModel): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const emitter of emitters) files.push(...(await emitter.emit(model)));
  files.push(...emitBarrels(model, files));
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`Two emitters wrote generated/${file.path}`);
    seen.add(file.path);
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return formatAll(files, path.join(ROOT, '.prettierrc.json'));
}

/** Every file of docs/reference/, formatted. */
export async function generateDocs(model: SpecModel): Promise<GeneratedFile[]> {
  const files = emitDocs(model).sort((a, b) => a.path.localeCompare(b.path));
  return formatAll(files, path.join(ROOT, '.prettierrc.json'));
}

function describeDrift(drift: Drift, root = 'generated'): string {
  const lines = [
    ...drift.changed.map((rel) => `  changed  ${root}/${rel}`),
    ...drift.added.map((rel) => `  missing  ${root}/${rel}`),
    ...drift.removed.map((rel) => `  stale    ${root}/${rel}`),
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const option = (name: string, fallback: string) => {
    const index = argv.indexOf(name);
    return index >= 0 && argv[index + 1] ? path.resolve(argv[index + 1]!) : fallback;
  };
  const outDir = option('--out', GENERATED_DIR);
  const docsDir = option('--docs-out', DOCS_DIR);
  const started = performance.now();
  const model = await loadModel(option('--spec', SPEC_DIR));
  const files = await generateFiles(model);
  const docs = await generateDocs(model);
  const elapsed = ((performance.now() - started) / 1000).toFixed(2);
  if (check) {
    const drift = await diffOutput(outDir, files);
    const report = [describeDrift(drift), describeDrift(await diffOutput(docsDir, docs), 'docs/reference')]
      .filter(Boolean)
      .join('\n');
    if (report) {
      console.error(`generated/ is out of date with spec/ (run npm run generate and commit):\n${report}`);
      return 1;
    }
    console.log(`generated/ matches spec/ (${files.length} files, ${elapsed} s)`);
    return 0;
  }
  const drift = await writeOutput(outDir, files);
  const report = [describeDrift(drift), describeDrift(await writeOutput(docsDir, docs), 'docs/reference')]
    .filter(Boolean)
    .join('\n');
  console.log(
    `Generated ${files.length} files from ${model.topics.length} topics in ${elapsed} s${report ? `:\n${report}` : ' (no changes)'}`,
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof SpecError ? error.message : error);
      process.exit(1);
    },
  );
}

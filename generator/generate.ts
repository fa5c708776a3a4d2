/**
 * `npm run generate` (and `generate:check`): the command line over pipeline.ts.
 *
 *   tsx generator/generate.ts [--check] [--spec DIR] [--out DIR] [--docs-out DIR] [--no-cache]
 *
 * `--spec` is the spec directory (its schemas and CHANGELOG.md), `--out` the directory of
 * generated/ and `--docs-out` that of docs/reference/; `--check` writes nothing and fails
 * when either differs; `--no-cache` formats every file afresh. The pipeline's API is re-exported for scripts and tests.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkOutput,
  describeDrift,
  DOCS_DIR,
  generateAll,
  GENERATED_DIR,
  loadModel,
  SPEC_DIR,
  SpecError,
  writeAll,
} from './pipeline.js';

export * from './pipeline.js';

function option(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(name);
  return index >= 0 && argv[index + 1] ? path.resolve(argv[index + 1]!) : fallback;
}

async function main(argv: string[]): Promise<number> {
  const dirs = {
    generated: option(argv, '--out', GENERATED_DIR),
    docs: option(argv, '--docs-out', DOCS_DIR),
  };
  const started = performance.now();
  const model = await loadModel(option(argv, '--spec', SPEC_DIR));
  const files = await generateAll(model, undefined, { formatCache: !argv.includes('--no-cache') });
  const packaged = files.filter((file) => file.root === 'generated').length;
  const elapsed = ((performance.now() - started) / 1000).toFixed(2);
  if (argv.includes('--check')) {
    const report = describeDrift(await checkOutput(files, dirs));
    if (report) {
      console.error(`generated/ is out of date with spec/ (run npm run generate and commit):\n${report}`);
      return 1;
    }
    console.log(`generated/ matches spec/ (${packaged} files, ${elapsed} s)`);
    return 0;
  }
  const report = describeDrift(await writeAll(files, dirs));
  console.log(
    `Generated ${packaged} files from ${model.topics.length} topics in ${elapsed} s${report ? `:\n${report}` : ' (no changes)'}`,
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

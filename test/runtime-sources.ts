/**
 * A Vite resolver plugin that makes vitest run the package's runtime code where it is written.
 *
 * Runtime modules are copied verbatim from templates/typescript/runtime/ into
 * generated/typescript/src/ (the drift check proves the copies are exact). Tests import the
 * package through generated/; this plugin sends each import of a runtime copy to its source, and
 * an import inside a source that names a generated module (facts.ts, types.ts, ...) to
 * generated/, as tsconfig's `rootDirs` does for tsc. So stack traces, breakpoints and coverage
 * point at the file to edit, and every module still loads once.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = path.join(ROOT, 'templates', 'typescript', 'runtime');
const GENERATED = path.join(ROOT, 'generated', 'typescript', 'src');

/** `./verify.js` → the `.ts` file it names, relative to the importing file's folder. */
function tsFileOf(specifier: string, importer: string): string {
  return path.resolve(path.dirname(importer), specifier).replace(/\.js$/, '.ts');
}

function within(dir: string, file: string): string | undefined {
  const rel = path.relative(dir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
}

export function runtimeSources(): Plugin {
  return {
    name: 'chameleon-runtime-sources',
    enforce: 'pre',
    resolveId(specifier, importer) {
      if (!importer || !specifier.startsWith('.')) return null;
      const file = tsFileOf(specifier, importer);
      const generatedRel = within(GENERATED, file);
      if (generatedRel !== undefined) {
        const source = path.join(SOURCES, generatedRel);
        return existsSync(source) ? source : null;
      }
      const sourceRel = within(SOURCES, file);
      if (sourceRel !== undefined && !existsSync(file)) return path.join(GENERATED, sourceRel);
      return null;
    },
  };
}

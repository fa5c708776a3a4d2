/**
 * Barrels: each package entry point (`src/index.ts` for `.`, `src/web.ts` for
 * `./web`) re-exports the modules other emitters marked for it. Runs last,
 * over the other emitters' files, so adding a module never means editing a list.
 */
import path from 'node:path';
import { render } from '../templates.js';
import type { SpecModel } from '../model.js';
import type { GeneratedFile } from './emitter.js';

const ENTRY_FILES: Record<string, string> = {
  '.': 'typescript/src/index.ts',
  './web': 'typescript/src/web.ts',
};

export function emitBarrels(model: SpecModel, files: GeneratedFile[]): GeneratedFile[] {
  return Object.entries(ENTRY_FILES).map(([entry, file]) => {
    const modules = files
      .filter((candidate) => candidate.exportFrom?.includes(entry))
      .map(
        (candidate) =>
          `./${path.posix.relative(path.posix.dirname(file), candidate.path).replace(/\.ts$/, '.js')}`,
      )
      .sort();
    return { path: file, contents: render('typescript/barrel.ts', { api: model.api, entry, modules }) };
  });
}

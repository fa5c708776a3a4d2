/**
 * Barrels: each package entry point (`src/index.ts` for `.`, `src/web.ts` for
 * `./web`, and the Node-only
 * `./redis` and `./bullmq`) re-exports the modules other emitters marked for it (`exportFrom`:
 * generated modules in their emitter, runtime modules in RUNTIME_MODULES of
 * runtime.ts). Runs last, over the other emitters' files.
 */
import path from 'node:path';
import { render } from '../templates.js';
import type { SpecModel } from '../model.js';
import type { GeneratedFile } from './emitter.js';

/** Each package entry point and its barrel, rendered from templates/typescript/<barrel>.hbs. */
const ENTRY_FILES: Record<string, string> = {
  '.': 'index.ts',
  './web': 'web.ts',
  './redis': 'redis.ts',
  './bullmq': 'bullmq.ts',
};

export function emitBarrels(model: SpecModel, files: GeneratedFile[]): GeneratedFile[] {
  return Object.entries(ENTRY_FILES).map(([entry, barrel]) => {
    const file = `typescript/src/${barrel}`;
    const modules = files
      .filter((candidate) => candidate.exportFrom?.includes(entry))
      .map(
        (candidate) =>
          `./${path.posix.relative(path.posix.dirname(file), candidate.path).replace(/\.ts$/, '.js')}`,
      )
      .sort();
    return { path: file, contents: render(`typescript/${barrel}`, { api: model.api, modules }) };
  });
}

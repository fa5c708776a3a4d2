import type { SpecModel } from '../model.js';

/**
 * Where a generated file goes: `generated` (the packages, generated/) or `docs` (the
 * reference, docs/reference/). The writer maps each root to a directory (`--out`, `--docs-out`).
 */
export type OutputRoot = 'generated' | 'docs';

/** One generated file, path relative to its output root (forward slashes). */
export interface GeneratedFile {
  path: string;
  contents: string;
  /** Its output root; set by the pipeline from the emitter's `root`. */
  root?: OutputRoot;
  /** Package entry points (`.`, `./web`) whose barrel re-exports this module. */
  exportFrom?: string[];
  /**
   * Already in the repository's Prettier style, so written as it is: runtime sources, which
   * `npm run lint` holds to `prettier --check` where they are written.
   */
  formatted?: boolean;
}

/** An emitter takes the model, never the spec files, and returns the files it owns. */
export interface Emitter {
  name: string;
  /** The output root of every file it returns (default `generated`). */
  root?: OutputRoot;
  emit(model: SpecModel): GeneratedFile[] | Promise<GeneratedFile[]>;
}

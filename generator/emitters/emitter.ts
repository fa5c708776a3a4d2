import type { SpecModel } from '../model.js';

/** One file of generated/, path relative to generated/ (forward slashes). */
export interface GeneratedFile {
  path: string;
  contents: string;
  /** Package entry points (`.`, `./web`) whose barrel re-exports this module. */
  exportFrom?: string[];
  /** Set by emitters whose output is machine code no one reads line by line (Prettier would cost seconds). */
  skipFormatting?: boolean;
}

/** An emitter takes the model, never the spec files, and returns the files it owns. */
export interface Emitter {
  name: string;
  emit(model: SpecModel): GeneratedFile[] | Promise<GeneratedFile[]>;
}

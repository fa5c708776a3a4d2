/**
 * The `generated/` diff stat of a spec change, without git: both specs are
 * generated in memory with the pipeline (generator/pipeline.ts, Prettier's
 * cache included) and compared file by file, as `git diff --stat` would.
 */
import { generateFiles } from '../pipeline.js';
import type { SpecModel } from '../model.js';

export interface FileStat {
  /** Relative to generated/. */
  path: string;
  added: number;
  removed: number;
}

export interface DiffStat {
  files: FileStat[];
  added: number;
  removed: number;
}

/**
 * Lines added plus lines removed between two texts, as a diff shows them: the
 * length of the shortest edit script (Myers' greedy algorithm, O((N+M)·D)).
 */
export function changedLineCount(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  const max = a.length + b.length;
  // furthest[k + max]: the furthest x reached on diagonal k (y = x - k) with the current number of edits.
  const furthest = new Int32Array(2 * max + 2);
  for (let edits = 0; edits <= max; edits++) {
    for (let k = -edits; k <= edits; k += 2) {
      const down = k === -edits || (k !== edits && furthest[max + k - 1]! < furthest[max + k + 1]!);
      let x = down ? furthest[max + k + 1]! : furthest[max + k - 1]! + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      furthest[max + k] = x;
      if (x >= a.length && y >= b.length) return edits;
    }
  }
  return max;
}

/** Lines added and removed: the edit distance D splits by the difference in length (added − removed). */
export function lineStat(before: string | undefined, after: string | undefined): Omit<FileStat, 'path'> {
  const lines = (text: string | undefined) =>
    !text ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (before === undefined || after === undefined) return { added: lines(after), removed: lines(before) };
  const edits = changedLineCount(before, after);
  const growth = lines(after) - lines(before);
  return { added: (edits + growth) / 2, removed: (edits - growth) / 2 };
}

/** Per-file stat of two sets of files (path → contents), changed files only, by path. */
export function statOf(before: Map<string, string>, after: Map<string, string>): DiffStat {
  const files: FileStat[] = [];
  for (const file of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const stat = lineStat(before.get(file), after.get(file));
    if (stat.added || stat.removed) files.push({ path: file, ...stat });
  }
  const sum = (key: 'added' | 'removed') => files.reduce((total, file) => total + file[key], 0);
  return { files, added: sum('added'), removed: sum('removed') };
}

async function generatedOf(model: SpecModel): Promise<Map<string, string>> {
  return new Map((await generateFiles(model)).map((file) => [file.path, file.contents]));
}

/** What regenerating `generated/` from `after` instead of `before` changes. */
export async function generatedDiffStat(before: SpecModel, after: SpecModel): Promise<DiffStat> {
  // One after the other: both runs save the same Prettier cache file.
  const a = await generatedOf(before);
  return statOf(a, await generatedOf(after));
}

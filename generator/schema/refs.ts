/**
 * The one `$ref` resolver: a ref is a URI relative to its document's `$id`; every `$id`
 * lives under SPEC_ID_BASE and mirrors the file's path in spec/, so a ref maps to a file
 * and a JSON Pointer without touching the disk or the network.
 */
import { specPathOf } from '../spec/load.js';
import type { Origin } from './nodes.js';

/** The file and pointer a `$ref` written in the document whose `$id` is `baseId` names; undefined outside spec/. */
export function resolveRef(ref: string, baseId: string): Origin | undefined {
  let target: string;
  try {
    target = new URL(ref, baseId).href;
  } catch {
    return undefined;
  }
  const file = specPathOf(target);
  if (file === undefined) return undefined;
  const hash = target.indexOf('#');
  let pointer: string;
  try {
    pointer = hash < 0 ? '' : decodeURIComponent(target.slice(hash + 1));
  } catch {
    return undefined; // a malformed escape: reported as a ref to nothing
  }
  return { file, pointer: pointer === '/' ? '' : pointer };
}

/** `a/b` and `~` escaped for a JSON Pointer segment. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(pointer: string, ...segments: Array<string | number>): string {
  return pointer + segments.map((segment) => `/${pointerSegment(segment)}`).join('');
}

/** The value at `pointer` in `root`, or undefined. */
export function readPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, part) =>
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined,
      root,
    );
}

/** `file#pointer`: the key of a document (pointer '') or a definition in maps of nodes. */
export function originKey(origin: Origin): string {
  return `${origin.file}#${origin.pointer}`;
}

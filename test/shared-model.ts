/**
 * The model of spec/, loaded once per test run (loadModel: load, lint, resolve) and handed to every
 * test file that only reads it. It travels between processes as a structured clone (v8.serialize),
 * which keeps shared and circular references; each call returns a fresh copy, as loadModel did, so a
 * test that changes its copy changes nobody else's. Tests of loading itself still call loadModel.
 */
import { deserialize, serialize } from 'node:v8';
import { loadModel } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { oncePerRun } from './once-per-run.js';

const CLONED_AS_IS: ReadonlySet<unknown> = new Set([
  Object.prototype,
  Array.prototype,
  null,
  Map.prototype,
  Set.prototype,
  Date.prototype,
]);

/**
 * The path of the first thing in `value` that a structured clone would not give back as it was
 * (a class instance, a function, a symbol); undefined when it is all plain data.
 */
export function notPlain(value: unknown, at = 'model', seen = new Set<object>()): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return at;
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  if (!CLONED_AS_IS.has(Object.getPrototypeOf(value))) return at;
  const entries =
    value instanceof Map ? [...value] : value instanceof Set ? [...value].entries() : Object.entries(value);
  for (const [key, item] of entries) {
    const found = notPlain(key, `${at}[key]`, seen) ?? notPlain(item, `${at}.${String(key)}`, seen);
    if (found) return found;
  }
  return undefined;
}

/** Empty when the model is not plain data: then each test file loads its own, as before. */
let shared: Promise<Buffer> | undefined;

export async function sharedModel(): Promise<SpecModel> {
  shared ??= oncePerRun('model', async () => {
    const model = await loadModel();
    return notPlain(model) === undefined ? serialize(model) : Buffer.alloc(0);
  });
  const bytes = await shared;
  return bytes.length > 0 ? (deserialize(bytes) as SpecModel) : loadModel();
}

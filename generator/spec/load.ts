/**
 * Step 1 of the pipeline: read every JSON file under spec/ (and its CHANGELOG.md) into memory, once.
 * Later steps (ref resolution, the model, lint) work on this snapshot only.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The base of every `$id` in the spec; `$id`s mirror the layout of spec/. */
export const SPEC_ID_BASE = 'https://spec.chameleon-webhooks.dev/v3/';

export type JsonSchema = Record<string, unknown>;

export interface SpecFile {
  /** Path relative to spec/, with forward slashes (`topics/tour.completed.json`). */
  path: string;
  /** The file's `$id` (SPEC_ID_BASE + path). */
  id: string;
  json: JsonSchema;
}

export interface LoadedSpec {
  dir: string;
  files: SpecFile[];
  /** CHANGELOG.md of the spec directory ('' when there is none). */
  changelog: string;
}

export const CHANGELOG_FILE = 'CHANGELOG.md';

async function readOptional(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

async function listJsonFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return listJsonFiles(dir, rel);
      return entry.name.endsWith('.json') ? [rel] : [];
    }),
  );
  return nested.flat();
}

export async function loadSpec(dir: string): Promise<LoadedSpec> {
  const paths = (await listJsonFiles(dir)).sort();
  const files = await Promise.all(
    paths.map(async (rel): Promise<SpecFile> => {
      const text = await readFile(path.join(dir, rel), 'utf8');
      let json: JsonSchema;
      try {
        json = JSON.parse(text) as JsonSchema;
      } catch (error) {
        throw new Error(`spec/${rel} is not valid JSON: ${(error as Error).message}`);
      }
      return { path: rel, id: SPEC_ID_BASE + rel, json };
    }),
  );
  return { dir, files, changelog: await readOptional(path.join(dir, CHANGELOG_FILE)) };
}

/** Maps a spec `$id` (or any URI under SPEC_ID_BASE) back to its path in spec/. */
export function specPathOf(uri: string): string | undefined {
  const withoutFragment = uri.split('#')[0] ?? '';
  return withoutFragment.startsWith(SPEC_ID_BASE) ? withoutFragment.slice(SPEC_ID_BASE.length) : undefined;
}

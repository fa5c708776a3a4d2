import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SPEC_DIR = path.join(ROOT, 'spec');
export const GENERATED_DIR = path.join(ROOT, 'generated');

/** A scratch copy of spec/ that a test may break on purpose. */
export async function copySpec(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chameleon-spec-'));
  await cp(SPEC_DIR, dir, { recursive: true });
  return dir;
}

export async function editJson(file: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(file, 'utf8'));
  edit(json);
  await writeFile(file, JSON.stringify(json, null, 2));
}

/** The toolkit's own tsc, run with `node`. */
export const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/**
 * tsc flags of a strict Node consumer of the packed package (ESM and CJS by file extension), with no
 * tsconfig of its own: what the type tests and the type budget check the package under.
 */
export const CONSUMER_TSC_FLAGS: readonly string[] = [
  '--noEmit',
  '--strict',
  '--module',
  'nodenext',
  '--moduleResolution',
  'nodenext',
  '--target',
  'es2022',
  '--lib',
  'es2022,dom',
  '--types',
  'node',
  '--typeRoots',
  path.join(ROOT, 'node_modules/@types'),
  '--ignoreConfig',
];

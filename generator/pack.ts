/**
 * `npm run pack`: builds the TypeScript package and packs both generated
 * packages into .tmp/packs/ (gitignored), printing each tarball and its size.
 * `npm pack` runs with --ignore-scripts: the packages have no lifecycle scripts,
 * and a pack must never run code from the tree it packs.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildPackage, ROOT } from './build-package.js';

const run = promisify(execFile);

export const PACKS_DIR = path.join(ROOT, '.tmp', 'packs');
export const PACKAGE_DIRS = {
  'chameleon-webhooks': path.join(ROOT, 'generated', 'typescript'),
  'chameleon-webhooks-fixtures': path.join(ROOT, 'generated', 'fixtures'),
} as const;

export interface PackResult {
  name: string;
  version: string;
  /** Absolute path of the tarball. */
  tarball: string;
  /** Paths inside the package, sorted. */
  files: string[];
  size: number;
  unpackedSize: number;
}

interface NpmPackJson {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

/** `npm pack` of one package directory (`dryRun` lists the files without writing a tarball). */
export async function npmPack(
  packageDir: string,
  destination = PACKS_DIR,
  dryRun = false,
): Promise<PackResult> {
  await mkdir(destination, { recursive: true });
  const args = [
    'pack',
    '--json',
    '--ignore-scripts',
    '--pack-destination',
    destination,
    ...(dryRun ? ['--dry-run'] : []),
  ];
  const { stdout } = await run('npm', args, { cwd: packageDir, maxBuffer: 16 * 1024 * 1024 });
  const [result] = JSON.parse(stdout) as NpmPackJson[];
  if (!result) throw new Error(`npm pack printed nothing for ${packageDir}`);
  return {
    name: result.name,
    version: result.version,
    tarball: path.join(destination, result.filename),
    files: result.files.map((file) => file.path).sort(),
    size: result.size,
    unpackedSize: result.unpackedSize,
  };
}

/** Builds dist/ and packs both packages. */
export async function packAll(destination = PACKS_DIR): Promise<PackResult[]> {
  await buildPackage();
  const results: PackResult[] = [];
  for (const dir of Object.values(PACKAGE_DIRS)) results.push(await npmPack(dir, destination));
  return results;
}

/**
 * Copies both packages (sources, not build output) into `workDir`, builds the
 * copy and packs it into `workDir/packs`. Tests use this so that several of
 * them can build and pack at once without racing on generated/typescript/dist.
 */
export async function stageAndPack(
  workDir: string,
): Promise<{ dirs: Record<keyof typeof PACKAGE_DIRS, string>; packs: PackResult[] }> {
  const dirs = {} as Record<keyof typeof PACKAGE_DIRS, string>;
  for (const [name, source] of Object.entries(PACKAGE_DIRS) as Array<[keyof typeof PACKAGE_DIRS, string]>) {
    const target = path.join(workDir, name);
    await cp(source, target, { recursive: true, filter: (file) => !/[\\/](dist|node_modules)$/.test(file) });
    dirs[name] = target;
  }
  await buildPackage(dirs['chameleon-webhooks']);
  const packs: PackResult[] = [];
  for (const dir of Object.values(dirs)) packs.push(await npmPack(dir, path.join(workDir, 'packs')));
  return { dirs, packs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  packAll().then(
    (results) => {
      for (const result of results) {
        const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
        console.log(
          `${path.relative(ROOT, result.tarball)}  ${result.files.length} files, ${kb(result.size)} packed, ${kb(result.unpackedSize)} unpacked`,
        );
      }
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

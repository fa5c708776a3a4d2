/**
 * Builds generated/typescript/dist from the committed sources in src/:
 *
 * - esbuild bundles each entry (`.` → index, `./web` → web) twice, as ESM
 *   (`.mjs`) and CommonJS (`.cjs`), minified (compact.ts) beside a source
 *   map, and the CLI once (`cli.mjs`, ESM, with a
 *   shebang). Each CommonJS entry is one self-contained file, so a CommonJS
 *   consumer never `require()`s an ES module (the packaging breakage that hurt
 *   svix and Octokit users); an ESM entry may load a chunk of its own later.
 * - tsc emits the declarations once; each `.d.ts` is then written twice, as
 *   `.d.mts` and `.d.cts`, with relative specifiers rewritten to match, so
 *   TypeScript resolves ESM types for `import` and CJS types for `require`.
 *
 * Usage: `npm run build:package` (idempotent; dist/ is removed first).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { writeCompact } from './compact.js';

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PACKAGE_DIR = path.join(ROOT, 'generated', 'typescript');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Package entry points: the export-map key, the source file, the platform esbuild targets. */
const ENTRIES = [
  { name: 'index', source: 'src/index.ts', platform: 'node' },
  { name: 'web', source: 'src/web.ts', platform: 'neutral' },
  { name: 'redis', source: 'src/redis.ts', platform: 'node' },
  { name: 'bullmq', source: 'src/bullmq.ts', platform: 'node' },
] as const;
const CLI_SOURCE = 'src/cli/main.ts';

function commonOptions(packageDir: string): BuildOptions {
  return {
    absWorkingDir: packageDir,
    bundle: true,
    target: 'es2022',
    // Only the runtime's own modules stay imports; the package has no dependencies (BullMQ is an
    // optional peer, imported by the `./bullmq` entry alone).
    external: ['node:*', 'bullmq'],
    legalComments: 'none',
    logLevel: 'error',
    // Shorter names and simpler syntax; the whitespace goes in compact.ts, which keeps the
    // `@__PURE__` annotations that esbuild's own whitespace minifier drops.
    minifyIdentifiers: true,
    minifySyntax: true,
    sourcemap: 'external',
    sourcesContent: true,
    write: false,
  };
}

/**
 * Where a build writes. CommonJS: one file per entry, every `import()` of our own code inlined.
 * ESM: the entry, and a chunk under dist/chunks/ per `import()` of our own code (the incoming
 * client's HTTP half, say), which loads only when that code first runs.
 */
function outputOf(name: string, format: 'esm' | 'cjs'): BuildOptions {
  if (format === 'cjs') return { outfile: `dist/${name}.cjs` };
  return {
    outdir: 'dist',
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  };
}

async function bundleEntries(packageDir: string): Promise<string[]> {
  const outputs: string[] = [];
  for (const entry of ENTRIES) {
    for (const format of ['esm', 'cjs'] as const) {
      const result = await build({
        ...commonOptions(packageDir),
        ...outputOf(entry.name, format),
        entryPoints: { [entry.name]: entry.source },
        format,
        platform: entry.platform,
        // `neutral` has no default main fields; the web entry only bundles our own sources.
        mainFields: ['module', 'main'],
      });
      outputs.push(...(await writeCompact(packageDir, result)));
    }
  }
  if (existsSync(path.join(packageDir, CLI_SOURCE))) {
    const result = await build({
      ...commonOptions(packageDir),
      ...outputOf('cli', 'esm'),
      entryPoints: { cli: CLI_SOURCE },
      format: 'esm',
      platform: 'node',
      banner: { js: '#!/usr/bin/env node' },
    });
    outputs.push(...(await writeCompact(packageDir, result)));
  }
  return outputs;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(dir, rel) : Promise.resolve([rel]);
    }),
  );
  return nested.flat();
}

/** `from './types.js'` → `from './types.mjs'` (or `.cjs`): the declaration's twin of the same format. */
export function retargetSpecifiers(declaration: string, extension: '.mjs' | '.cjs'): string {
  return declaration.replace(
    /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g,
    `$1$2${extension}$3`,
  );
}

async function emitDeclarations(packageDir: string): Promise<string[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'chameleon-dts-'));
  try {
    const sources = [
      ...ENTRIES.map((entry) => entry.source),
      ...(existsSync(path.join(packageDir, CLI_SOURCE)) ? [CLI_SOURCE] : []),
    ];
    const flags = [
      // The package's own tsconfig.json (if any) is for editors; the build states every option here.
      '--ignoreConfig',
      '--declaration',
      '--emitDeclarationOnly',
      '--outDir',
      scratch,
      '--rootDir',
      'src',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--strict',
      '--skipLibCheck',
      '--lib',
      'es2022,dom',
      '--types',
      'node',
      // The toolkit's @types/node, so a package directory outside the repo builds too.
      '--typeRoots',
      path.join(ROOT, 'node_modules', '@types'),
    ];
    // The `./bullmq` entry's types import BullMQ's (an optional peer): a package staged outside the
    // repo finds them through a link to the toolkit's node_modules while tsc runs.
    const modules = path.join(packageDir, 'node_modules');
    const linked = !existsSync(modules);
    if (linked) await symlink(path.join(ROOT, 'node_modules'), modules, 'dir');
    try {
      await run(process.execPath, [TSC, ...flags, ...sources], { cwd: packageDir });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`tsc could not emit the declarations of ${packageDir}:\n${stdout}${stderr}`);
    } finally {
      if (linked) await unlink(modules);
    }
    const outputs: string[] = [];
    for (const rel of (await listFiles(scratch)).filter((file) => file.endsWith('.d.ts')).sort()) {
      const text = await readFile(path.join(scratch, rel), 'utf8');
      const base = rel.slice(0, -'.d.ts'.length);
      for (const [suffix, extension] of [
        ['.d.mts', '.mjs'],
        ['.d.cts', '.cjs'],
      ] as const) {
        const target = path.join(packageDir, 'dist', base + suffix);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, retargetSpecifiers(text, extension));
        outputs.push(`dist/${base}${suffix}`);
      }
    }
    return outputs;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Builds dist/ of the TypeScript package and returns the files written, relative to the package. */
export async function buildPackage(packageDir = PACKAGE_DIR): Promise<string[]> {
  await rm(path.join(packageDir, 'dist'), { recursive: true, force: true });
  const bundles = await bundleEntries(packageDir);
  const declarations = await emitDeclarations(packageDir);
  return [...bundles, ...declarations];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const started = performance.now();
  buildPackage().then(
    (files) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      console.log(`Built ${files.length} files into generated/typescript/dist in ${seconds} s`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

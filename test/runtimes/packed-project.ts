/**
 * One scratch project per test run with the packed tarballs installed (`npm install --offline`: they
 * have no dependencies) and the tools a user brings linked from the toolkit's node_modules: the
 * README programs and the runtime matrix run against it, as a user's project would.
 */
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers.js';
import { oncePerRun } from '../once-per-run.js';
import { sharedPackages } from '../shared-packages.js';

const run = promisify(execFile);

/** What a user installs beside the package; the toolkit's own devDependencies, at its pinned versions. */
const TOOLS = [
  'typescript',
  '@types/node',
  'express',
  'express4',
  '@types/express',
  'fastify',
  'hono',
  '@hono/node-server',
  'koa',
  '@types/koa',
  'next',
  'react',
  'react-dom',
];

async function linkTools(project: string): Promise<void> {
  for (const name of TOOLS) {
    const link = path.join(project, 'node_modules', name);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(path.join(ROOT, 'node_modules', name), link, 'dir');
  }
}

async function install(project: string): Promise<void> {
  const { packs } = await sharedPackages();
  await mkdir(project, { recursive: true });
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'packed-user', private: true, type: 'module' }, null, 2),
  );
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--cache',
      path.join(project, '.npm-cache'),
      ...packs.map((pack) => pack.tarball),
    ],
    { cwd: project, maxBuffer: 16 * 1024 * 1024 },
  );
  await linkTools(project);
}

let project: Promise<string> | undefined;

/** The project folder (shared by the run: write your files in a subfolder of your own). */
export function packedProject(): Promise<string> {
  project ??= oncePerRun('packed-project', async (workDir) => {
    const dir = path.join(workDir, 'project');
    await install(dir);
    return Buffer.from(dir);
  }).then((bytes) => bytes.toString('utf8'));
  return project;
}

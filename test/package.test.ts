/**
 * The two packages as npm would publish them: versions from the spec, the
 * export map, no runtime dependencies, and `npm pack` file lists that hold
 * what a consumer needs and nothing else.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retargetSpecifiers } from '../generator/build-package.js';
import { npmPack, PACKAGE_DIRS, type PackResult } from '../generator/pack.js';
import { sharedPackages } from './shared-packages.js';
import { loadModel } from '../generator/pipeline.js';

const FIXTURES_DIR = PACKAGE_DIRS['chameleon-webhooks-fixtures'];

let work: string;
/** The run's built copy of generated/typescript (so tests never race on generated/typescript/dist). */
let TS_DIR: string;
let packageVersion: string;
let tsPack: PackResult;
let fixturesPack: PackResult;
/** The tarballs npm packed, by package name. */
let tarballs: Record<string, string>;

beforeAll(async () => {
  packageVersion = (await loadModel()).packageVersion;
  work = await mkdtemp(path.join(tmpdir(), 'chameleon-package-'));
  const { dirs, packs } = await sharedPackages();
  tarballs = Object.fromEntries(packs.map((pack) => [pack.name, pack.tarball]));
  TS_DIR = dirs['chameleon-webhooks'];
  tsPack = await npmPack(TS_DIR, path.join(work, 'dry'), true);
  fixturesPack = await npmPack(dirs['chameleon-webhooks-fixtures'], path.join(work, 'dry'), true);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function manifest(dir: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
}

describe('versions', () => {
  it('both packages are 3.MINOR.PATCH: the API major, then the spec version', async () => {
    const model = await loadModel();
    expect(packageVersion).toBe(`${model.api.apiVersion.slice(1)}.${model.api.specVersion}`);
    expect((await manifest(PACKAGE_DIRS['chameleon-webhooks'])).version).toBe(packageVersion);
    expect((await manifest(FIXTURES_DIR)).version).toBe(packageVersion);
    expect(tsPack.version).toBe(packageVersion);
    expect(fixturesPack.version).toBe(packageVersion);
  });
});

describe('chameleon-webhooks', () => {
  it('declares ESM and CJS entries with types for each, side-effect free, without dependencies', async () => {
    const pkg = await manifest(TS_DIR);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const [entry, base] of [
      ['.', 'index'],
      ['./web', 'web'],
      ['./redis', 'redis'],
      ['./bullmq', 'bullmq'],
    ] as const) {
      expect(pkg.exports[entry]).toEqual({
        import: { types: `./dist/${base}.d.mts`, default: `./dist/${base}.mjs` },
        require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.cjs` },
      });
    }
    expect(pkg.bin).toEqual({ 'chameleon-webhooks': './dist/cli.mjs' });
    // The Redis clients and BullMQ are optional peers: only `./redis` and `./bullmq` users bring them.
    for (const peer of Object.keys(pkg.peerDependencies)) {
      expect(pkg.peerDependenciesMeta[peer]).toEqual({ optional: true });
    }
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['bullmq', 'ioredis', 'redis']);
  });

  it('packs the bundles, their source maps, declarations, README and CHANGELOG, and no sources or tests', () => {
    const required = [
      'index.mjs',
      'index.cjs',
      'web.mjs',
      'web.cjs',
      'cli.mjs',
      'index.d.mts',
      'index.d.cts',
      'web.d.mts',
      'web.d.cts',
      'types.d.mts',
      'types.d.cts',
    ];
    expect(tsPack.files).toEqual(
      expect.arrayContaining([
        ...required.map((file) => `dist/${file}`),
        'README.md',
        'CHANGELOG.md',
        'LICENSE',
        'package.json',
      ]),
    );
    const unexpected = tsPack.files.filter(
      (file) =>
        !['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json'].includes(file) &&
        !/^dist\/.+\.(mjs|cjs|mjs\.map|cjs\.map|d\.mts|d\.cts)$/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(
      tsPack.files.filter((file) => /(^|\/)src\/|\.test\.|\.ts$/.test(file.replace(/\.d\.[mc]ts$/, ''))),
    ).toEqual([]);
  });

  it('keeps the web entry, and the chunks it loads later, free of node: imports', async () => {
    const esm = await readFile(path.join(TS_DIR, 'dist', 'web.mjs'), 'utf8');
    const chunks = [...esm.matchAll(/import\(\s*"\.\/(chunks\/[^"]+\.mjs)"\s*\)/g)].map((match) => match[1]!);
    // The incoming client's HTTP half (incoming/sending.ts) and the receiver's processing
    // (receiver/process.ts) load when first used.
    expect(chunks.map((chunk) => chunk.replace(/-[A-Z0-9]+\.mjs$/, '')).sort()).toEqual([
      'chunks/process',
      'chunks/sending',
    ]);
    for (const file of ['web.mjs', 'web.cjs', ...chunks]) {
      const code = await readFile(path.join(TS_DIR, 'dist', file), 'utf8');
      expect(code).not.toMatch(/(from\s*|require\(\s*|import\(\s*)['"]node:/);
      // A chunk imports nothing at load: code shared with the entry would be a third file to load.
      if (file.startsWith('chunks/')) expect(code).not.toMatch(/^import|[;}]import[{\s"*]/m);
    }
  });

  it('gives ESM and CommonJS consumers the same exports', async () => {
    const esm = await import(pathToFileURL(path.join(TS_DIR, 'dist/index.mjs')).href);
    const cjs = createRequire(import.meta.url)(path.join(TS_DIR, 'dist/index.cjs'));
    expect(Object.keys(cjs).sort()).toEqual(
      Object.keys(esm)
        .filter((key) => key !== 'default')
        .sort(),
    );
    expect(cjs.API_VERSION).toBe('v3');
    expect(esm.WEBHOOK_TOPICS).toEqual(cjs.WEBHOOK_TOPICS);
  });

  it('one WebhookVerificationError across builds: instanceof and isWebhookVerificationError read the brand', async () => {
    const load = createRequire(import.meta.url);
    const builds = {
      'node ESM': await import(pathToFileURL(path.join(TS_DIR, 'dist/index.mjs')).href),
      'node CJS': load(path.join(TS_DIR, 'dist/index.cjs')),
      'web ESM': await import(pathToFileURL(path.join(TS_DIR, 'dist/web.mjs')).href),
      'web CJS': load(path.join(TS_DIR, 'dist/web.cjs')),
    };
    for (const [thrower, build] of Object.entries(builds)) {
      const thrown: unknown = await Promise.resolve()
        .then(() => build.verifyWebhookOrThrow('{}', 'f'.repeat(64), 'secret'))
        .catch((error: unknown) => error);
      for (const [checker, other] of Object.entries(builds)) {
        const where = `${thrower} thrown, ${checker} checked`;
        expect(thrown instanceof other.WebhookVerificationError, where).toBe(true);
        expect(other.isWebhookVerificationError(thrown), where).toBe(true);
        expect(new Error('x') instanceof other.WebhookVerificationError, where).toBe(false);
        expect(other.isWebhookVerificationError({ reason: 'signature-mismatch' }), where).toBe(false);
      }
      expect((thrown as { reason: string }).reason).toBe('signature-mismatch');
    }
  });

  it('points each declaration at its own format', () => {
    const source =
      "export * from './topics.js';\nexport type { X } from '../types.js';\ntype T = import('./a.js').A;\nimport 'pkg/x.js';";
    expect(retargetSpecifiers(source, '.cjs')).toBe(
      "export * from './topics.cjs';\nexport type { X } from '../types.cjs';\ntype T = import('./a.cjs').A;\nimport 'pkg/x.js';",
    );
  });
});

describe('chameleon-webhooks-fixtures', () => {
  it('packs JSON fixtures, README and CHANGELOG only', () => {
    expect(fixturesPack.files).toEqual(
      expect.arrayContaining(['manifest.json', 'README.md', 'LICENSE', 'package.json']),
    );
    expect(
      fixturesPack.files.includes('CHANGELOG.md'),
      'the "files" of generated/fixtures/package.json must list CHANGELOG.md',
    ).toBe(true);
    expect(
      fixturesPack.files.filter(
        (file) => !file.endsWith('.json') && !file.endsWith('.md') && file !== 'LICENSE',
      ),
    ).toEqual([]);
  });
});

const run = promisify(execFile);
const BIN = path.join(import.meta.dirname, '..', 'node_modules', '.bin');

describe('both tarballs as the registry tools read them', () => {
  it.each(['chameleon-webhooks', 'chameleon-webhooks-fixtures'])(
    '%s ships the repository LICENSE and says where its source, home page and issues are',
    async (name) => {
      const dir = name === 'chameleon-webhooks' ? TS_DIR : FIXTURES_DIR;
      const license = await readFile(path.join(dir, 'LICENSE'), 'utf8');
      expect(license).toBe(await readFile(path.join(import.meta.dirname, '..', 'LICENSE'), 'utf8'));
      const pkg = await manifest(dir);
      expect(license).toMatch(new RegExp(`^${pkg.license} License`));
      expect(pkg.repository).toMatchObject({
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\/.+\.git$/),
      });
      expect(pkg.homepage).toMatch(/^https:\/\//);
      expect(pkg.bugs.url).toMatch(/^https:\/\/.+\/issues$/);
    },
  );

  it('arethetypeswrong finds no problem in any resolution mode, node10 included, for . and /web', async () => {
    const { stdout } = await run(
      path.join(BIN, 'attw'),
      [tarballs['chameleon-webhooks']!, '--format', 'json'],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as {
      /** Problems by kind (empty when there are none). */
      problems?: Record<string, unknown[]>;
      analysis: {
        problems: unknown[];
        entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>;
      };
    };
    expect(report.problems ?? {}).toEqual({});
    expect(report.analysis.problems).toEqual([]);
    const web = report.analysis.entrypoints['./web']!.resolutions;
    expect(web.node10!.resolution?.fileName).toMatch(/dist\/web\.d\.cts$/);
    expect(Object.keys(web).sort()).toEqual(['bundler', 'node10', 'node16-cjs', 'node16-esm']);
  });

  it.each(['chameleon-webhooks', 'chameleon-webhooks-fixtures'])(
    'publint reports nothing for the %s tarball',
    async (name) => {
      const { stdout } = await run(path.join(BIN, 'publint'), ['run', tarballs[name]!, '--strict']);
      expect(stdout).toMatch(/All good!/);
    },
  );
});

/**
 * A user's first hour, end to end: pack both packages, install the tarballs
 * into a scratch project with `npm install --offline` (they have no
 * dependencies, so neither the network nor the npm cache is needed), give it
 * the tools a user brings (TypeScript, Express and their types, linked from
 * the toolkit's node_modules), then
 * do what a user does: type-check a strict handler that narrows on `kind`
 * (ESM and CommonJS), compile the README's code samples, verify and validate
 * every fixture from ESM and from CommonJS, and point the sender CLI at a
 * receiver built with the package. Everything talks to 127.0.0.1 only.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { loadModel } from '../generator/pipeline.js';
import { sharedPackages } from './shared-packages.js';

const run = promisify(execFile);

/** What a user installs beside the package; the toolkit's own devDependencies, at its pinned versions. */
const TOOLS = ['typescript', '@types/node', 'express', '@types/express'];

/**
 * Links each tool from the toolkit's node_modules into the project's, after the install (which
 * would prune what its package.json does not list). Each resolves its own dependencies from where
 * it really lives, as an installed copy would.
 */
async function linkTools(project: string): Promise<void> {
  for (const name of TOOLS) {
    const target = path.join(ROOT, 'node_modules', name);
    const link = path.join(project, 'node_modules', name);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(target, link, 'dir');
  }
}

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: ['node'],
    noEmit: true,
    // The package's own declarations are checked too: a consumer with skipLibCheck off must see no error.
    skipLibCheck: false,
  },
};

const HANDLER_ESM = `import { isKnownTopic, type AnyChameleonWebhook, type ChameleonWebhook, type WebhookTopic } from 'chameleon-webhooks';
import { verifyWebhook as verifyOnTheEdge } from 'chameleon-webhooks/web';

export function describe(webhook: ChameleonWebhook): string {
  switch (webhook.kind) {
    case 'ping':
      return webhook.data.account.id;
    case 'tour.completed':
      return \`\${webhook.data.profile.id} completed \${webhook.data.tour.id}\`;
    default:
      return webhook.kind;
  }
}

export function route(webhook: AnyChameleonWebhook): string {
  return isKnownTopic(webhook) ? describe(webhook) : \`unknown topic \${webhook.kind}\`;
}

export const topic: WebhookTopic = 'tour.started';
export const edge: typeof verifyOnTheEdge = verifyOnTheEdge;
`;

const HANDLER_CJS = `import webhooks = require('chameleon-webhooks');

export function kindOf(webhook: webhooks.ChameleonWebhook): webhooks.WebhookTopic {
  return webhook.kind;
}
export const known: boolean = webhooks.isTopic('ping');
`;

const TYPO = `import type { ChameleonWebhook } from 'chameleon-webhooks';
export function name(webhook: ChameleonWebhook): unknown {
  return webhook.kind === 'tour.completed' ? webhook.data.tuor : undefined;
}
`;

/** The body of the ESM and CJS scripts: every fixture signed, verified and validated, every signature vector checked. */
const CHECK_ALL = `
const dir = path.dirname(requireFrom.resolve('chameleon-webhooks-fixtures/package.json'));
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const secret = 'e2e-secret';
const report = { valid: 0, invalid: 0, tolerant: 0, vectors: 0, failures: [] };
for (const fixture of manifest.fixtures) {
  const body = fs.readFileSync(path.join(dir, fixture.file));
  const signature = lib.signWebhook(body, secret);
  const verified = lib.verifyWebhook(body, { 'X-Chameleon-Signature': signature }, secret, { toleranceSeconds: false });
  const payload = JSON.parse(body.toString('utf8'));
  // valid is the strict verdict; the default (tolerant) mode reaches tolerant.valid where the manifest gives one.
  const validated = lib.validateWebhook(payload, { unknownTopics: 'reject', mode: 'strict' });
  const tolerant = lib.validateWebhook(payload, { unknownTopics: 'reject' });
  const warned = tolerant.warnings.some((w) => fixture.tolerant && w.kind === fixture.tolerant.warning && w.path === fixture.errorPath);
  if (tolerant.ok !== (fixture.tolerant ? fixture.tolerant.valid : fixture.valid)) report.failures.push(fixture.file + ' (tolerant)');
  else if (fixture.tolerant && !warned) report.failures.push(fixture.file + ' (no warning)');
  else if (fixture.tolerant) report.tolerant++;
  if (fixture.valid) {
    if (verified.ok && verified.known && verified.webhook.kind === fixture.topic && validated.ok) report.valid++;
    else report.failures.push(fixture.file);
  } else {
    const paths = validated.ok ? [] : validated.errors.map((issue) => issue.path);
    if (paths.includes(fixture.errorPath)) report.invalid++;
    else report.failures.push(fixture.file + ' ' + JSON.stringify(paths));
  }
}
const vectors = JSON.parse(fs.readFileSync(path.join(dir, 'signatures.json'), 'utf8')).vectors;
// The vectors speak the vendor's vocabulary, where any bad signature is a mismatch; the
// verifier says more precisely when it is missing or not 64 lowercase hex characters.
const vendorReason = (reason) => (reason === 'missing-signature' || reason === 'malformed-signature' ? 'signature-mismatch' : reason);
for (const vector of vectors) {
  const result = lib.verifyWebhook(Buffer.from(vector.bodyBase64, 'base64'), vector.signature, vector.secret, { now: new Date(vector.now), toleranceSeconds: vector.toleranceSeconds });
  const verdict = result.ok ? { valid: true } : { valid: false, reason: vendorReason(result.reason) };
  if (JSON.stringify(verdict) === JSON.stringify(vector.expected)) report.vectors++;
  else report.failures.push(vector.name + ' ' + JSON.stringify(verdict));
}
console.log(JSON.stringify({ ...report, fixtures: manifest.fixtures.length, vectorCount: vectors.length }));
`;

const CHECK_ESM = `import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as lib from 'chameleon-webhooks';
const requireFrom = createRequire(import.meta.url);
${CHECK_ALL}`;

const CHECK_CJS = `const fs = require('node:fs');
const path = require('node:path');
const lib = require('chameleon-webhooks');
const requireFrom = require;
${CHECK_ALL}`;

/** A receiver built with the package; runs the sender CLI against it and prints what it received. */
const RECEIVER = `import { execFile } from 'node:child_process';
import http from 'node:http';
import { verifyWebhook } from 'chameleon-webhooks';

const secret = 'e2e-sender-secret';
const received = [];
const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const result = verifyWebhook(Buffer.concat(chunks), request.headers, secret);
    received.push(result.ok ? (result.known ? result.webhook.kind : 'unknown ' + result.webhook.kind) : 'rejected ' + result.reason);
    response.writeHead(result.ok ? 200 : 400).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/webhooks/chameleon';
  execFile(process.execPath, ['node_modules/chameleon-webhooks/dist/cli.mjs', 'send', '--all', '--url', url, '--secret', secret], { timeout: 60000 }, (error, stdout, stderr) => {
    server.close();
    console.log(JSON.stringify({ code: error ? error.code ?? 1 : 0, received, stderr }));
  });
});
`;

function readmeSamples(readme: string): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

let project: string;
let topics: string[];

beforeAll(async () => {
  topics = (await loadModel()).topics.map((topic) => topic.topic);
  project = await mkdtemp(path.join(tmpdir(), 'chameleon-first-hour-'));
  const { packs } = await sharedPackages();
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'first-hour', private: true, type: 'module' }, null, 2),
  );
  await run(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      // A cache of its own: the install must not depend on what any other npm command left behind.
      '--cache',
      path.join(project, '.npm-cache'),
      ...packs.map((pack) => pack.tarball),
    ],
    {
      cwd: project,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const installed = JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8'));
  expect(Object.keys(installed.dependencies).sort()).toEqual(packs.map((pack) => pack.name).sort());
  await linkTools(project);
  await writeFile(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({ ...TSCONFIG, include: ['*.ts', '*.cts'] }, null, 2),
  );
}, 240_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

async function tsc(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      [path.join(project, 'node_modules/typescript/bin/tsc'), ...args],
      { cwd: project },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const { code, stdout = '', stderr = '' } = error as { code?: number; stdout?: string; stderr?: string };
    return { code: code ?? 1, output: stdout + stderr };
  }
}

describe("a user's first hour", () => {
  it('type-checks a strict handler (ESM and CommonJS) and every README sample', async () => {
    await writeFile(path.join(project, 'handler.ts'), HANDLER_ESM);
    await writeFile(path.join(project, 'handler-cjs.cts'), HANDLER_CJS);
    const readme = await readFile(path.join(project, 'node_modules/chameleon-webhooks/README.md'), 'utf8');
    const samples = readmeSamples(readme);
    expect(samples.length).toBeGreaterThanOrEqual(4);
    await Promise.all(
      samples.map((sample, index) => writeFile(path.join(project, `readme-${index + 1}.ts`), sample)),
    );
    const result = await tsc(['-p', 'tsconfig.json']);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('fails to compile a typo in a property name', async () => {
    await writeFile(path.join(project, 'typo.mts'), TYPO);
    // The declarations were checked with skipLibCheck off by the test above; checking lib.dom and
    // @types/node again (8 s of CPU) would not change this verdict, which is about typo.mts.
    const options = { ...TSCONFIG.compilerOptions, skipLibCheck: true };
    const flags = Object.entries(options).flatMap(([key, value]) => [
      `--${key}`,
      Array.isArray(value) ? value.join(',') : String(value),
    ]);
    const result = await tsc([...flags.filter((flag) => flag !== 'true'), '--ignoreConfig', 'typo.mts']);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/typo\.mts.*Property 'tuor' does not exist/);
  });

  it.each([
    ['ESM', 'check.mjs', CHECK_ESM],
    ['CommonJS', 'check.cjs', CHECK_CJS],
  ])('verifies and validates every fixture from %s', async (_format, file, source) => {
    await writeFile(path.join(project, file), source);
    const { stdout } = await run(process.execPath, [file], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout);
    expect(report.failures).toEqual([]);
    expect(report.valid + report.invalid).toBe(report.fixtures);
    expect(report.valid).toBeGreaterThanOrEqual(topics.length);
    expect(report.invalid).toBeGreaterThan(0);
    expect(report.tolerant).toBeGreaterThan(0);
    expect(report.vectors).toBe(report.vectorCount);
  });

  it('runs the sender CLI against a receiver built with the package', async () => {
    await writeFile(path.join(project, 'receiver.mjs'), RECEIVER);
    const { stdout } = await run(process.execPath, ['receiver.mjs'], { cwd: project, timeout: 90_000 });
    const report = JSON.parse(stdout);
    expect(report.code, report.stderr).toBe(0);
    expect([...report.received].sort()).toEqual([...topics].sort());
  });
});

/**
 * The package README's first screen: its five programs, taken from the packed package's README,
 * compile under a strict tsconfig and under the non-strict one Next.js writes, and each runs against
 * the packed package: the Express receiver, verifyWebhook on raw bytes and the registry with
 * rotation and de-duplication as servers on loopback (stopped by PID), the test program under
 * node:test, and the incoming client against a local stand-in for Chameleon. Every other sample of
 * the README compiles in both modes too, and so does a file of narrowings that must hold without
 * strictNullChecks.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeChameleon } from './incoming-server.js';
import { packedProject } from './runtimes/packed-project.js';
import {
  forged,
  freePort,
  freshDelivery,
  postDelivery,
  runId,
  startServer,
  type Started,
} from './runtimes/servers.js';

const run = promisify(execFile);

const STRICT = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    lib: ['es2022', 'dom'],
    types: ['node'],
    outDir: 'build',
    skipLibCheck: true,
  },
  include: ['*.ts'],
};

/** What `next build` writes when a project has no tsconfig.json (Next.js 16). */
const NEXT_DEFAULT = {
  compilerOptions: {
    target: 'ES2017',
    lib: ['dom', 'dom.iterable', 'esnext'],
    allowJs: true,
    skipLibCheck: true,
    strict: false,
    noEmit: true,
    module: 'esnext',
    esModuleInterop: true,
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'react-jsx',
  },
  include: ['*.ts'],
};

/** Narrowings a user writes, which must compile with and without strictNullChecks. */
const NARROWINGS = `import { createWebhooks, verifyWebhook, type VerificationFailureReason } from 'chameleon-webhooks';
import * as web from 'chameleon-webhooks/web';

export function node(body: Buffer, headers: Record<string, string>): string {
  const result = verifyWebhook(body, headers, 'secret');
  if (!result.ok) {
    const reason: VerificationFailureReason = result.reason;
    const message: string = result.message;
    return reason + message;
  }
  const id: string = result.id;
  if (result.known && result.webhook.kind === 'tour.completed') return id + result.webhook.data.tour.id;
  if (!result.conforming) return result.issues.map((issue) => issue.path).join();
  return result.webhook.kind;
}

export async function edge(request: Request): Promise<string> {
  const result = await web.verifyWebhook(await request.text(), request.headers, ['new', 'old']);
  if (result.ok === false) return result.reason;
  return result.ok ? result.id : 'unreachable';
}

export const webhooks = createWebhooks({ secret: 'secret' })
  .on('tour.completed', (webhook) => webhook.data.tour.id)
  .on(['survey.completed', 'tour.started'], (webhook) => webhook.kind);
`;

/** The README's TypeScript samples, in order. */
function samples(readme: string): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The headings the first five samples sit under, in the order the first screen promises. */
const FIRST_SCREEN = [
  /^### 1\. A receiver with typed handlers \(Express\)$/m,
  /^### 2\. `verifyWebhook` on the raw bytes$/m,
  /^### 3\. De-duplication, secret rotation/m,
  /^### 4\. Testing with `fixtures` and `signedRequest`$/m,
  /^### 5\. Sending data into Chameleon$/m,
];

const SECRET = 'readme-secret';
let dir: string;
let programs: string[];
const started: Started[] = [];

async function tsc(config: string): Promise<string> {
  const bin = path.join(dir, '..', 'node_modules/typescript/bin/tsc');
  return run(process.execPath, [bin, '-p', config, '--pretty', 'false'], { cwd: dir }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string; stderr?: string }) =>
      `${error.stdout ?? ''}${error.stderr ?? ''}` || 'tsc failed',
  );
}

beforeAll(async () => {
  const project = await packedProject();
  dir = path.join(project, 'readme');
  await mkdir(dir, { recursive: true });
  const readme = await readFile(path.join(project, 'node_modules/chameleon-webhooks/README.md'), 'utf8');
  const all = samples(readme);
  programs = all.slice(0, 5);
  // The five programs are the first code on the page, under their headings, in this order.
  const offsets = FIRST_SCREEN.map((heading) => readme.search(heading));
  expect(offsets.every((offset) => offset > 0)).toBe(true);
  expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  programs.forEach((program, index) => {
    expect(readme.indexOf(program)).toBeGreaterThan(offsets[index]!);
    if (index < 4) expect(readme.indexOf(program)).toBeLessThan(offsets[index + 1]!);
  });
  await Promise.all([
    ...all.map((sample, index) => writeFile(path.join(dir, `readme-${index + 1}.ts`), sample)),
    writeFile(path.join(dir, 'narrowings.ts'), NARROWINGS),
    writeFile(path.join(dir, 'tsconfig.strict.json'), JSON.stringify(STRICT, null, 2)),
    writeFile(path.join(dir, 'tsconfig.next.json'), JSON.stringify(NEXT_DEFAULT, null, 2)),
  ]);
}, 240_000);

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

async function serve(program: number, env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const server = await startServer({
    command: process.execPath,
    args: [path.join('build', `readme-${program}.js`)],
    cwd: dir,
    port,
    env: { PORT: String(port), ...env },
  });
  started.push(server);
  return server;
}

const occurrences = (text: string, line: string) => text.split(line).length - 1;
const tourOf = (d: { body: string }) =>
  JSON.parse(d.body).data as { tour: { id: string }; profile: { id: string } };

describe('the README first screen', () => {
  it("compiles every sample under Next.js's non-strict tsconfig", async () => {
    expect(await tsc('tsconfig.next.json')).toBe('');
  });

  // Emits build/, which the programs below run.
  it('compiles every sample under a strict tsconfig', async () => {
    expect(await tsc('tsconfig.strict.json')).toBe('');
  });

  it('1. runs the Express receiver: typed handler once, duplicate acknowledged, forgery refused', async () => {
    const server = await serve(1, { CHAMELEON_VERIFICATION_SECRET: SECRET });
    const url = `${server.url}/webhooks/chameleon`;
    const good = freshDelivery('tour.completed', runId(1), SECRET);
    expect((await postDelivery(url, good)).status).toBe(200);
    const again = await postDelivery(url, good);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ duplicate: true });
    expect((await postDelivery(url, forged(good))).status).toBe(400);
    const { profile, tour } = tourOf(good);
    expect(occurrences(server.output(), `${runId(1)}: ${profile.id} completed tour ${tour.id}`)).toBe(1);
  });

  it('2. runs verifyWebhook on the raw bytes of a node:http server', async () => {
    const server = await serve(2, { CHAMELEON_VERIFICATION_SECRET: SECRET });
    const good = freshDelivery('tour.completed', runId(2), SECRET);
    expect((await postDelivery(server.url, good)).status).toBe(200);
    expect((await postDelivery(server.url, forged(good))).status).toBe(400);
    expect(server.output()).toContain(`${runId(2)}: tour ${tourOf(good).tour.id} completed`);
    expect(server.output()).toContain('webhook rejected: signature-mismatch');
  });

  it('3. accepts both secrets during a rotation, de-duplicates, and runs the registered handlers', async () => {
    const server = await serve(3, {
      CHAMELEON_VERIFICATION_SECRET: 'the-new-secret',
      CHAMELEON_VERIFICATION_SECRET_PREVIOUS: 'the-old-secret',
    });
    const old = freshDelivery('tour.completed', runId(3), 'the-old-secret');
    const fresh = freshDelivery('tour.started', runId(4), 'the-new-secret');
    expect((await postDelivery(server.url, old)).status).toBe(200);
    expect((await postDelivery(server.url, fresh)).status).toBe(200);
    const retry = await postDelivery(server.url, old);
    expect(JSON.parse(retry.text)).toMatchObject({ ok: true, duplicate: true });
    expect((await postDelivery(server.url, freshDelivery('ping', runId(5), 'a-third-secret'))).status).toBe(
      400,
    );
    const output = server.output();
    expect(occurrences(output, `${runId(3)}: tour ${tourOf(old).tour.id} completed`)).toBe(1);
    expect(occurrences(output, `${runId(3)}: seen tour.completed`)).toBe(1);
    expect(occurrences(output, `${runId(4)}: tour.started`)).toBe(1);
    expect(occurrences(output, `${runId(4)}: seen tour.started`)).toBe(1);
  });

  it('4. runs the test program: both node:test tests pass', async () => {
    const { stdout } = await run(process.execPath, [path.join('build', 'readme-4.js')], { cwd: dir });
    expect(stdout).toMatch(/^# pass 2$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
  });

  it('5. sends a profile, an event and a batch to a local stand-in for Chameleon', async () => {
    const chameleon = await startFakeChameleon();
    try {
      const { stdout } = await run(process.execPath, [path.join('build', 'readme-5.js')], {
        cwd: dir,
        env: {
          ...process.env,
          CHAMELEON_ACCOUNT_SECRET: chameleon.secret,
          CHAMELEON_API_URL: chameleon.baseUrl,
        },
      });
      expect(stdout).toContain('2 accepted, 0 returned');
      const profiles = chameleon.stored.get('profiles') ?? [];
      expect(profiles[0]).toMatchObject({ uid: 'user-42', email: 'jane@example.com', plan_name: 'Growth' });
      expect(profiles.slice(1).map((p) => p.uid ?? p.email)).toEqual(['user-43', 'sam@example.com']);
      expect(chameleon.stored.get('events')).toEqual([
        expect.objectContaining({ name: 'upgraded_plan', uid: 'user-42' }),
      ]);
    } finally {
      await chameleon.close();
    }
  });
});

/**
 * The packed package in a Next.js App Router app: one scratch app with a Node.js route
 * (`chameleon-webhooks`) and an edge route (`chameleon-webhooks/web`), built once with `next build`
 * (Turbopack, offline: no fonts, telemetry off), then served by `next start` on a free loopback port and
 * stopped by PID. The routes are JavaScript: with TypeScript, Next.js would try to install @types/react
 * from the registry (the README test compiles the route sample under Next's tsconfig instead).
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedProject } from './packed-project.js';
import { exercise, freePort, PRINT_HANDLED, RUNTIME_SECRET, startServer, type Started } from './servers.js';

const run = promisify(execFile);

const route = (
  entry: string,
  runtime: string,
) => `import { createFetchHandler, createWebhooks } from '${entry}';

export const runtime = '${runtime}';
export const dynamic = 'force-dynamic';

const webhooks = createWebhooks({ secret: process.env.CHAMELEON_VERIFICATION_SECRET ?? '' });
webhooks.on('tour.completed', ${PRINT_HANDLED});

export const POST = createFetchHandler(webhooks);
`;

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'next-webhooks', private: true, type: 'module' }),
  // The toolkit's node_modules are a symlink out of the app's folder: Turbopack must see the whole tree.
  'next.config.mjs': "export default { turbopack: { root: '/' } };\n",
  'app/layout.js': 'export default function Layout({ children }) { return children; }\n',
  'app/api/node/route.js': route('chameleon-webhooks', 'nodejs'),
  'app/api/edge/route.js': route('chameleon-webhooks/web', 'edge'),
};

const ENV = { NEXT_TELEMETRY_DISABLED: '1', CHAMELEON_VERIFICATION_SECRET: RUNTIME_SECRET };

let dir: string;
let server: Started | undefined;

beforeAll(async () => {
  const began = performance.now();
  dir = path.join(await packedProject(), 'next-app');
  const packed = performance.now();
  for (const [file, source] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), source);
  }
  const next = path.join(dir, '..', 'node_modules', 'next', 'dist', 'bin', 'next');
  const built = await run(process.execPath, [next, 'build'], {
    cwd: dir,
    env: { ...process.env, ...ENV },
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`next build failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    },
  );
  const builtAt = performance.now();
  expect(built).toMatch(/\/api\/edge/);
  expect(built).toMatch(/\/api\/node/);
  const port = await freePort();
  server = await startServer({
    command: process.execPath,
    args: [next, 'start', '-p', String(port), '-H', '127.0.0.1'],
    cwd: dir,
    port,
    env: ENV,
    readyMs: 60_000,
    readyPath: '/api/node',
  });
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  console.info(
    `next: packed project ${seconds(began, packed)} s, next build ${seconds(packed, builtAt)} s, ` +
      `next start ready ${seconds(builtAt, performance.now())} s`,
  );
}, 300_000);

afterAll(async () => {
  await server?.stop();
});

describe('the packed package in a Next.js App Router app (next build, next start)', () => {
  it('Node.js route: 200 and a typed handler once, the retry a duplicate, a forgery 400', async () => {
    await exercise(server!, `${server!.url}/api/node`, 300);
  });

  it('edge route: 200 and a typed handler once, the retry a duplicate, a forgery 400', async () => {
    await exercise(server!, `${server!.url}/api/edge`, 301);
  });
});

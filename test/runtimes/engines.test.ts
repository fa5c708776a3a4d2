/**
 * The packed package's Web build in the engines themselves, each started from its npm binary on a free
 * loopback port and stopped by PID: workerd (the Cloudflare Workers runtime, from a capnp config, with
 * the Worker bundled by esbuild as wrangler bundles it), Deno (`deno run`, resolving from the
 * project's node_modules) and Bun. No network: Deno gets a DENO_DIR of its own and only loopback
 * permissions, Bun --no-install. A runtime that cannot start fails its case, with its output.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { packedProject } from './packed-project.js';
import { exercise, freePort, PRINT_HANDLED, RUNTIME_SECRET, startServer, type Started } from './servers.js';

const run = promisify(execFile);
const BIN = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

/** The registry and its Fetch handler, made once per isolate from the secret the runtime hands over. */
const HANDLER = `import { createFetchHandler, createWebhooks } from 'chameleon-webhooks/web';
let handle;
export function handlerFor(secret) {
  handle ??= createFetchHandler(createWebhooks({ secret }).on('tour.completed', ${PRINT_HANDLED}));
  return handle;
}
`;

const WORKER = `import { handlerFor } from './handler.mjs';
export default {
  fetch(request, env) {
    return handlerFor(env.CHAMELEON_VERIFICATION_SECRET)(request);
  },
};
`;

const DENO = `import { handlerFor } from './handler.mjs';
const handle = handlerFor(Deno.env.get('CHAMELEON_VERIFICATION_SECRET'));
Deno.serve({ port: Number(Deno.env.get('PORT')), hostname: '127.0.0.1', onListen() {} }, handle);
`;

const BUN = `import { handlerFor } from './handler.mjs';
Bun.serve({
  port: Number(process.env.PORT),
  hostname: '127.0.0.1',
  fetch: handlerFor(process.env.CHAMELEON_VERIFICATION_SECRET),
});
`;

function workerdConfig(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .webhooks) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const webhooks :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.bundle.mjs") ],
  compatibilityDate = "2025-01-01",
  bindings = [ (name = "CHAMELEON_VERIFICATION_SECRET", text = "${RUNTIME_SECRET}") ],
);
`;
}

let dir: string;
const started: Started[] = [];

beforeAll(async () => {
  dir = path.join(await packedProject(), 'engines');
  await mkdir(dir, { recursive: true });
  await Promise.all(
    Object.entries({ 'handler.mjs': HANDLER, 'worker.mjs': WORKER, 'deno.mjs': DENO, 'bun.mjs': BUN }).map(
      ([file, source]) => writeFile(path.join(dir, file), source),
    ),
  );
}, 240_000);

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

async function check(start: Parameters<typeof startServer>[0], n: number): Promise<void> {
  const server = await startServer({ readyMs: 60_000, ...start });
  started.push(server);
  await exercise(server, `${server.url}/webhooks`, n);
  await server.stop();
}

describe('the packed Web build in each engine', () => {
  it('workerd: 200 and a typed handler once, the retry a duplicate, a forgery 400', async () => {
    // As wrangler does: one ES module, resolved with the workerd/worker/browser export conditions.
    await run(
      BIN('esbuild'),
      [
        'worker.mjs',
        '--bundle',
        '--format=esm',
        '--platform=neutral',
        '--conditions=workerd,worker,browser',
        '--outfile=worker.bundle.mjs',
      ],
      { cwd: dir },
    );
    const port = await freePort();
    await writeFile(path.join(dir, 'workerd.capnp'), workerdConfig(port));
    await check(
      { command: BIN('workerd'), args: ['serve', 'workerd.capnp', '--verbose'], cwd: dir, port },
      200,
    );
  });

  it('Deno: 200 and a typed handler once, the retry a duplicate, a forgery 400', async () => {
    const port = await freePort();
    await check(
      {
        command: BIN('deno'),
        args: ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', 'deno.mjs'],
        cwd: dir,
        port,
        env: {
          PORT: String(port),
          CHAMELEON_VERIFICATION_SECRET: RUNTIME_SECRET,
          DENO_DIR: path.join(dir, '.deno'),
          DENO_NO_UPDATE_CHECK: '1',
        },
      },
      201,
    );
  });

  it('Bun: 200 and a typed handler once, the retry a duplicate, a forgery 400', async () => {
    const port = await freePort();
    await check(
      {
        command: BIN('bun'),
        args: ['--no-install', 'run', 'bun.mjs'],
        cwd: dir,
        port,
        env: { PORT: String(port), CHAMELEON_VERIFICATION_SECRET: RUNTIME_SECRET },
      },
      202,
    );
  });
});

/**
 * The packed package in the Node frameworks, each a program of its own on a free loopback port
 * (stopped by PID): Express 4 and 5, Fastify, Hono on @hono/node-server and Koa. Each gets a valid
 * delivery (200, typed handler run), its retry (a duplicate) and a forgery (400).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedProject } from './packed-project.js';
import { exercise, freePort, PRINT_HANDLED, RUNTIME_SECRET, startServer, type Started } from './servers.js';

const SECRET_ENV = 'process.env.CHAMELEON_VERIFICATION_SECRET';
const PORT = 'Number(process.env.PORT)';

/** One program per framework: the options form for some, the registry for the others. */
const PROGRAMS: Record<string, string> = {
  'express4.mjs': `import express from 'express4';
import { createNodeHandler } from 'chameleon-webhooks';
const app = express();
app.post('/webhooks', createNodeHandler({ secret: ${SECRET_ENV}, on: { 'tour.completed': ${PRINT_HANDLED} } }));
app.use(express.json());
app.listen(${PORT}, '127.0.0.1');
`,
  'express5.mjs': `import express from 'express';
import { createNodeHandler, createWebhooks } from 'chameleon-webhooks';
const webhooks = createWebhooks({ secret: ${SECRET_ENV} });
webhooks.on('tour.completed', ${PRINT_HANDLED});
const app = express();
app.post('/webhooks', express.raw({ type: 'application/json' }), createNodeHandler(webhooks));
app.listen(${PORT}, '127.0.0.1');
`,
  'fastify.mjs': `import Fastify from 'fastify';
import { createFastifyPlugin, createWebhooks } from 'chameleon-webhooks';
const webhooks = createWebhooks({ secret: ${SECRET_ENV} }).on('tour.completed', ${PRINT_HANDLED});
const app = Fastify();
await app.register(createFastifyPlugin(webhooks), { prefix: '/webhooks' });
await app.listen({ port: ${PORT}, host: '127.0.0.1' });
`,
  'hono.mjs': `import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createHonoHandler } from 'chameleon-webhooks';
const app = new Hono();
app.post('/webhooks', createHonoHandler({ secret: ${SECRET_ENV}, on: { 'tour.completed': ${PRINT_HANDLED} } }));
serve({ fetch: app.fetch, port: ${PORT}, hostname: '127.0.0.1' });
`,
  'koa.mjs': `import Koa from 'koa';
import { createKoaMiddleware, createWebhooks } from 'chameleon-webhooks';
const webhooks = createWebhooks({ secret: ${SECRET_ENV} }).on('tour.completed', ${PRINT_HANDLED});
const app = new Koa();
app.use(createKoaMiddleware(webhooks, { path: '/webhooks' }));
app.listen(${PORT}, '127.0.0.1');
`,
};

let dir: string;
const started: Started[] = [];

beforeAll(async () => {
  dir = path.join(await packedProject(), 'node-frameworks');
  await mkdir(dir, { recursive: true });
  await Promise.all(
    Object.entries(PROGRAMS).map(([file, source]) => writeFile(path.join(dir, file), source)),
  );
  // The two Express majors really are 4 and 5.
  const versionOf = async (name: string) =>
    JSON.parse(await readFile(path.join(dir, '..', 'node_modules', name, 'package.json'), 'utf8')).version;
  expect(await versionOf('express4')).toMatch(/^4\./);
  expect(await versionOf('express')).toMatch(/^5\./);
}, 240_000);

afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

describe('the packed package in each Node framework', () => {
  it.each(Object.keys(PROGRAMS).map((file, index) => [file.replace('.mjs', ''), file, index] as const))(
    '%s: 200 and a typed handler once, the retry a duplicate, a forgery 400',
    async (_name, file, index) => {
      const port = await freePort();
      const server = await startServer({
        command: process.execPath,
        args: [file],
        cwd: dir,
        port,
        env: { PORT: String(port), CHAMELEON_VERIFICATION_SECRET: RUNTIME_SECRET },
      });
      started.push(server);
      await exercise(server, `${server.url}/webhooks`, 100 + index);
      await server.stop();
    },
  );
});

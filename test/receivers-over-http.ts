/**
 * Every receiver of the package on a real loopback server (node:http, Express, Fastify, Hono, the Web
 * build's fetch handler), for the tests that must hold for all of them. Call `closeReceivers` in
 * `afterEach`: it destroys the sockets and closes the servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve as serveHono } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import * as node from '../generated/typescript/src/index.js';
import type { ReceiverOptions } from '../generated/typescript/src/index.js';
import * as web from '../generated/typescript/src/web.js';
import { NOW, SECRET } from './verify-deliveries.js';

export type Options = Omit<ReceiverOptions, 'secret'> & { secret?: ReceiverOptions['secret'] };

/** A started receiver: its URL and every socket its server accepted (to count what it read). */
export interface Started {
  url: string;
  sockets: Socket[];
}

const closers: Array<() => Promise<unknown>> = [];

export async function closeReceivers(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}

function track(server: Server): Socket[] {
  const sockets: Socket[] = [];
  server.on('connection', (socket: Socket) => sockets.push(socket));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return sockets;
}

async function listening(server: Server): Promise<Started> {
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, sockets };
}

function honoServer(handler: (request: Request) => Response | Promise<Response>): Promise<Started> {
  return new Promise((resolve) => {
    const server = serveHono({ fetch: handler, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ url: `http://127.0.0.1:${info.port}/webhooks`, sockets }),
    ) as Server;
    const sockets = track(server);
  });
}

const withSecret = (o: Options): ReceiverOptions => ({ secret: SECRET, now: NOW, ...o });

export const RECEIVERS: Array<[string, (options: Options) => Promise<Started>]> = [
  ['node:http', (o) => listening(createServer(node.createNodeHandler(withSecret(o))))],
  [
    'Express',
    (o) => {
      const app = express();
      app.post('/webhooks', node.createNodeHandler(withSecret(o)));
      return listening(createServer(app));
    },
  ],
  [
    'Fastify',
    async (o) => {
      const app = Fastify();
      await app.register(node.createFastifyPlugin(withSecret(o)), { prefix: '/webhooks' });
      await app.ready();
      return listening(app.server);
    },
  ],
  [
    'Hono',
    (o) => {
      const app = new Hono();
      app.post('/webhooks', node.createHonoHandler(withSecret(o)));
      return honoServer(app.fetch);
    },
  ],
  [
    'Koa',
    (o) => {
      const app = new Koa();
      app.use(node.createKoaMiddleware(withSecret(o), { path: '/webhooks' }));
      return listening(createServer(app.callback()));
    },
  ],
  ['fetch (Web build)', (o) => honoServer(web.createFetchHandler(withSecret(o)))],
];

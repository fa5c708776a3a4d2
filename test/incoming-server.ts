/**
 * A local stand-in for Chameleon's incoming endpoints, behaving as the docs say:
 * 403 for a wrong secret, 202 `{ batch: { id }, errors: [{ code: 422, index, message }] }`
 * for batches (an item without its identifier is a per-item 422), 413 over the byte
 * limit, and whatever failures a test scripts: a status (401, 429 with a wait header, 5xx),
 * or a fault that loses the answer after the items were stored (the connection reset,
 * no answer at all, an answer later than the client waits).
 * It records every item it stored so tests can prove none was stored twice.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How a request goes wrong. `reset`: the items are stored, then the connection is destroyed
 * before any answer. `reset-unstored`: destroyed without storing. `hang`: stored, never
 * answered (the client times out). `late`: stored, answered after `delayMs`.
 */
export type Fault = 'reset' | 'reset-unstored' | 'hang' | 'late';

export type ScriptedFailure =
  { status: number; headers?: Record<string, string>; body?: unknown } | { fault: Fault; delayMs?: number };

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  bytes: number;
  body: unknown;
  status: number;
}

export interface FakeChameleon {
  baseUrl: string;
  secret: string;
  requests: ReceivedRequest[];
  /** Items stored by a 2xx answer, per endpoint (`profiles`), in arrival order. */
  stored: Map<string, Array<Record<string, unknown>>>;
  /** Answers to give instead of the normal one, next request first. */
  failures: ScriptedFailure[];
  /** Called for every request; return a failure to answer with it. */
  failWhen?: (request: { path: string; body: unknown; count: number }) => ScriptedFailure | undefined;
  batchLimitBytes: number;
  close(): Promise<void>;
}

const BATCH_IDENTIFIERS: Record<string, string[]> = { profiles: ['uid', 'email'], companies: ['uid'] };

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function answer(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

export async function startFakeChameleon(
  options: { secret?: string; batchLimitBytes?: number; wrongSecretStatus?: 401 | 403 } = {},
): Promise<FakeChameleon> {
  const fake: FakeChameleon = {
    baseUrl: '',
    secret: options.secret ?? 'account-secret',
    requests: [],
    stored: new Map(),
    failures: [],
    batchLimitBytes: options.batchLimitBytes ?? 16 * 1024 * 1024,
    close: async () => undefined,
  };
  let batchCount = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await readAll(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/v3\/observe\/hooks\/(?:([^/]+)\/)?(profiles|companies|events)(\/batch)?$/.exec(
      url.pathname,
    );
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    const record = (status: number) =>
      fake.requests.push({ path: url.pathname, headers: request.headers, bytes: raw.length, body, status });
    const reply = (status: number, replyBody: unknown, headers?: Record<string, string>) => {
      record(status);
      answer(response, status, replyBody, headers);
    };
    if (request.method !== 'POST' || !match) return reply(404, { code: 404, messages: ['Not found'] });
    const [, pathSecret, model = '', batch] = match;
    const secret = pathSecret ? decodeURIComponent(pathSecret) : request.headers['x-account-secret'];
    if (secret !== fake.secret) {
      const status = options.wrongSecretStatus ?? 403;
      return reply(status, { code: status, messages: ['Account secret is not valid'] });
    }
    const scripted =
      fake.failures.shift() ?? fake.failWhen?.({ path: url.pathname, body, count: fake.requests.length });
    if (scripted && 'status' in scripted)
      return reply(
        scripted.status,
        scripted.body ?? { code: scripted.status, messages: ['scripted failure'] },
        scripted.headers,
      );
    if (scripted?.fault === 'reset-unstored') {
      record(0);
      return void request.socket.destroy();
    }
    const [status, replyBody] = store(model, Boolean(batch), body, raw.length);
    if (!scripted) return reply(status, replyBody);
    record(0); // 0: the client got no answer (or one it no longer waits for)
    if (scripted.fault === 'reset') request.socket.destroy();
    if (scripted.fault === 'late') {
      setTimeout(() => {
        if (!response.destroyed) answer(response, status, replyBody);
      }, scripted.delayMs ?? 1000);
    }
  };

  /** Stores what a request carries, as Chameleon would; returns the answer it gives. */
  const store = (model: string, batch: boolean, body: unknown, bytes: number): [number, unknown] => {
    if (body === undefined) return [422, { code: 422, messages: ['Body is not JSON'] }];
    const stored = fake.stored.get(model) ?? [];
    fake.stored.set(model, stored);
    if (!batch) {
      stored.push(body as Record<string, unknown>);
      return [200, { [model.replace(/ies$/, 'y').replace(/s$/, '')]: { id: `id-${stored.length}` } }];
    }
    if (bytes > fake.batchLimitBytes) return [413, { code: 413, messages: ['Request entity too large'] }];
    const items = (body as Record<string, unknown>)[model];
    if (!Array.isArray(items)) return [422, { code: 422, messages: [`${model} must be an array`] }];
    const errors: Array<{ code: number; index: number; message: string }> = [];
    items.forEach((item: Record<string, unknown>, index) => {
      const identifiers = BATCH_IDENTIFIERS[model] ?? [];
      if (identifiers.some((key) => item[key] !== undefined)) stored.push(item);
      else errors.push({ code: 422, index, message: `needs ${identifiers.join(' or ')}` });
    });
    batchCount++;
    return [202, { batch: { id: `batch-${batchCount}` }, ...(errors.length ? { errors } : {}) }];
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      answer(response, 500, { code: 500, messages: [String(error)] }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // a `hang` fault holds its connection open
    });
  return fake;
}

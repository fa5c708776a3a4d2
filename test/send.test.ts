/**
 * `chameleon-webhooks send` against a local server that checks what Chameleon
 * would send: the headers, and the signature with the package's own verifier.
 * The retry schedule runs on a compressed clock (--time-scale) and an injected
 * sleep that records each wait.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../generated/typescript/src/cli/main.js';
import {
  RETRY_DELAYS_SECONDS,
  runSend,
  SEND_EXIT,
  type SendIo,
} from '../generated/typescript/src/cli/send.js';
import { WEBHOOK_TOPICS } from '../generated/typescript/src/topics.js';
import { createNodeHandler } from '../generated/typescript/src/receiver/node.js';
import { verifyWebhook } from '../generated/typescript/src/verify.js';
import { ROOT } from './helpers.js';
import { loadModel } from '../generator/pipeline.js';

const SECRET = 'send-test-secret';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  method: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback endpoint answering each request with the next status of `statuses` (the last one repeats). */
async function endpoint(statuses: number[] = [200]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        method: req.method ?? '',
      });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, received };
}

/** Runs `send` in-process, capturing its output; sleeps are recorded, then really taken. */
async function send(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const sleeps: number[] = [];
  const io: Partial<SendIo> = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  };
  const code = await runSend(args, io);
  return { code, stdout, stderr, sleeps };
}

function verified(request: Received) {
  const result = verifyWebhook(request.body, request.headers, SECRET);
  if (!result.ok) throw new Error(`the verifier rejected the request: ${result.reason} ${result.message}`);
  return result;
}

describe('chameleon-webhooks send', () => {
  it('POSTs a signed fixture with the headers Chameleon sends', async () => {
    const { api } = await loadModel();
    const server = await endpoint();
    const { code, stdout } = await send(['tour.completed', '--url', server.url, '--secret', SECRET]);
    expect(code).toBe(SEND_EXIT.delivered);
    expect(server.received).toHaveLength(1);
    const [request] = server.received as [Received];
    expect(request.method).toBe(api.outgoing.method);
    const result = verified(request);
    expect(result.webhook.kind).toBe('tour.completed');
    expect(request.headers['x-chameleon-id']).toBe(result.id);
    expect(request.headers['user-agent']).toMatch(new RegExp(api.outgoing.userAgent.pattern));
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.accept).toBe('application/json');
    expect(request.body).toContain('\n  "kind": "tour.completed"'); // pretty-printed by default
    expect(stdout).toMatch(/tour\.completed [0-9a-f]{24} attempt 1\/1: 200/);
  });

  it('takes the secret from CHAMELEON_VERIFICATION_SECRET and sends compact JSON with --compact', async () => {
    const server = await endpoint();
    const { code } = await send(['ping', '--url', server.url, '--compact'], {
      CHAMELEON_VERIFICATION_SECRET: SECRET,
      CHAMELEON_WEBHOOK_SECRET: 'the old name loses when both are set',
    });
    expect(code).toBe(0);
    expect(server.received[0]!.body).not.toContain('\n');
    verified(server.received[0]!);
  });

  it('still reads the old name, CHAMELEON_WEBHOOK_SECRET, when the new one is not set', async () => {
    const server = await endpoint();
    const { code } = await send(['ping', '--url', server.url], {
      CHAMELEON_VERIFICATION_SECRET: '',
      CHAMELEON_WEBHOOK_SECRET: SECRET,
    });
    expect(code).toBe(0);
    verified(server.received[0]!);
  });

  it("prints the receiver's status and body when it refuses a delivery", async () => {
    // The package's own receiver, holding another secret: it answers 400 and says why in its body.
    const server = createServer(createNodeHandler({ secret: 'another-secret', on: {} }));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { code, stdout } = await send(['ping', '--url', url, '--secret', SECRET]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/ping [0-9a-f]{24} attempt 1\/1: 400 Bad Request in \d+ ms\n/);
    expect(stdout).toContain('  the receiver answered: {"error":"unauthenticated"}\n');
  });

  it('replays the delivery policy on a compressed clock: same id, fresh sent_at and signature each time', async () => {
    const server = await endpoint([500]);
    const scale = 0.00002;
    const { code, stdout, sleeps } = await send([
      'demo.finished',
      '--url',
      server.url,
      '--secret',
      SECRET,
      '--retries',
      '--time-scale',
      String(scale),
    ]);
    expect(code).toBe(SEND_EXIT.rejected);
    expect(server.received).toHaveLength(RETRY_DELAYS_SECONDS.length + 1);
    expect(sleeps).toEqual(RETRY_DELAYS_SECONDS.map((seconds) => seconds * scale * 1000));
    const results = server.received.map(verified);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const sentAts = results.map((r) => Date.parse(r.webhook.sent_at));
    for (let i = 1; i < sentAts.length; i++) expect(sentAts[i]!).toBeGreaterThan(sentAts[i - 1]!);
    expect(new Set(server.received.map((r) => r.headers['x-chameleon-signature'])).size).toBe(
      server.received.length,
    );
    expect(stdout.match(/attempt \d+\/10: 500/g)).toHaveLength(10);
    expect(stdout).toContain('retry 1/9 in 5m 3s');
    expect(stdout.match(/^ {2}retry \d\/9 in /gm)).toHaveLength(9);
  });

  it('stops retrying at the first 2xx', async () => {
    const server = await endpoint([503, 500, 204]);
    const { code, sleeps } = await send([
      'tour.snoozed',
      '--url',
      server.url,
      '--secret',
      SECRET,
      '--retries',
      '--time-scale',
      '0.00001',
    ]);
    expect(code).toBe(SEND_EXIT.delivered);
    expect(server.received).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('sends every topic with --all', async () => {
    const server = await endpoint();
    const { code } = await send(['--all', '--url', server.url, '--secret', SECRET]);
    expect(code).toBe(0);
    expect(server.received.map((r) => verified(r).webhook.kind)).toEqual([...WEBHOOK_TOPICS]);
  });

  it('sends a file with a fresh id, keeping its kind and data', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'chameleon-send-'));
    const file = path.join(dir, 'payload.json');
    const payload = {
      id: '5fb70dcbc39330000325a817',
      kind: 'brand.new.topic',
      sent_at: '2020-01-01T00:00:00.000Z',
      data: { thing: { id: 'x' } },
    };
    await writeFile(file, JSON.stringify(payload));
    const server = await endpoint();
    const { code } = await send(['--file', file, '--url', server.url, '--secret', SECRET]);
    expect(code).toBe(0);
    const result = verified(server.received[0]!);
    expect(result.known).toBe(false);
    expect(result.webhook.kind).toBe('brand.new.topic');
    expect(result.webhook.data).toEqual(payload.data);
    expect(result.id).not.toBe(payload.id);
  });

  it('lists the topics', async () => {
    const { code, stdout } = await send(['--list']);
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual([...WEBHOOK_TOPICS]);
  });

  it('explains usage errors with exit code 2', async () => {
    const unknown = await send(['tour.complete', '--url', 'http://127.0.0.1:9/', '--secret', SECRET]);
    expect(unknown.code).toBe(SEND_EXIT.usage);
    expect(unknown.stderr).toMatch(/unknown topic "tour\.complete" \(did you mean tour\.completed\?\)/);
    const missing = await send([
      '--file',
      '/nonexistent/payload.json',
      '--url',
      'http://127.0.0.1:9/',
      '--secret',
      SECRET,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --file .*ENOENT/);
    const dir = await mkdtemp(path.join(tmpdir(), 'chameleon-send-'));
    await writeFile(path.join(dir, 'bad.json'), '{"kind": ');
    const notJson = await send([
      '--file',
      path.join(dir, 'bad.json'),
      '--url',
      'http://127.0.0.1:9/',
      '--secret',
      SECRET,
    ]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/is not JSON/);
    expect((await send(['ping', '--secret', SECRET])).stderr).toMatch(/--url is required/);
    expect((await send(['ping', '--url', 'http://127.0.0.1:9/'])).stderr).toMatch(
      /--secret is required .*CHAMELEON_VERIFICATION_SECRET/,
    );
    expect((await send(['ping', '--url', 'ftp://x', '--secret', SECRET])).code).toBe(2);
    const schemeless = await send(['ping', '--url', 'localhost:4100', '--secret', SECRET]);
    expect([schemeless.code, schemeless.stderr]).toEqual([
      2,
      expect.stringContaining('did you mean http://localhost:4100?'),
    ]);
    expect((await send(['ping', '--url', 'hooks.example.com/in', '--secret', SECRET])).stderr).toContain(
      'did you mean https://hooks.example.com/in?',
    );
    expect((await send(['ping', '--bogus'])).code).toBe(2);
    const help = await send(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--time-scale');
  });

  it('exits 3 when the endpoint cannot be reached', async () => {
    const server = await endpoint();
    const closed = server.url;
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const { code, stdout } = await send(['ping', '--url', closed, '--secret', SECRET]);
    expect(code).toBe(SEND_EXIT.unreachable);
    expect(stdout).toMatch(/no answer \(ECONNREFUSED\)/);
  });
});

describe('chameleon-webhooks (dispatcher)', () => {
  it('lists its commands, and rejects unknown ones with exit code 2', async () => {
    let out = '';
    let err = '';
    const sink = (append: (text: string) => void) => ({ write: (text: string) => append(text) });
    expect(
      await main(
        ['--help'],
        sink((t) => (out += t)),
        sink((t) => (err += t)),
      ),
    ).toBe(0);
    expect(out).toMatch(/send\s+Sign and POST/);
    expect(
      await main(
        ['frobnicate'],
        sink((t) => (out += t)),
        sink((t) => (err += t)),
      ),
    ).toBe(2);
    expect(err).toContain('unknown command "frobnicate"');
    expect(err).not.toContain('Usage:'); // one line and a hint, not the whole usage
  });

  it('runs as a program and passes the exit code on', async () => {
    const cli = path.join(ROOT, 'generated/typescript/src/cli/main.ts');
    const result = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', cli, 'send', 'no.such.topic', '--url', 'http://127.0.0.1:9/', '--secret', 's'],
      { cwd: ROOT },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown topic "no.such.topic"');
  });
});

/**
 * Servers the packed-package tests start as child processes on free loopback ports, stopped by PID,
 * and the deliveries they post: signed with `node:crypto` directly (not with the code under test),
 * `sent_at` now, since each server runs on the real clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { exampleOf, hmacHex, type Delivery } from '../verify-deliveries.js';

export const RUNTIME_SECRET = 'runtime-matrix-secret';

/** A port no one listens on now (the OS picks it; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface Started {
  url: string;
  pid: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  command: string;
  args: string[];
  cwd: string;
  port: number;
  env?: Record<string, string>;
  /** How long the server may take to accept connections. */
  readyMs?: number;
  /** A path to poll for readiness (any HTTP answer counts). */
  readyPath?: string;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Starts the server and waits until it answers HTTP on its port; fails with its output if it dies. */
export async function startServer(options: StartOptions): Promise<Started> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${options.port}`;
  const started: Started = {
    url,
    pid: child.pid ?? -1,
    output: () => output,
    stop: () => stopChild(child),
  };
  const deadline = Date.now() + (options.readyMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.command} exited (${child.exitCode}):\n${output}`);
    const answered = await fetch(`${url}${options.readyPath ?? '/'}`, {
      signal: AbortSignal.timeout(2000),
    }).then(
      () => true,
      () => false,
    );
    if (answered) return started;
    await sleep(100);
  }
  await started.stop();
  throw new Error(
    `${options.command} did not answer on ${url} within ${options.readyMs ?? 30_000} ms:\n${output}`,
  );
}

/** A delivery of `kind` with `id`, sent now, signed with `secret`. */
export function freshDelivery(kind: string, id: string, secret = RUNTIME_SECRET): Delivery {
  const payload = exampleOf(kind);
  payload.id = id;
  payload.sent_at = new Date().toISOString();
  const body = JSON.stringify(payload, null, 2);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Chameleon Webhooks/v3 (chameleon.io; integral)',
      'x-chameleon-id': id,
      'x-chameleon-signature': hmacHex(body, secret),
    },
  };
}

export async function postDelivery(url: string, d: Delivery): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    body: d.body,
    headers: d.headers,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, text: await response.text() };
}

export function forged(d: Delivery): Delivery {
  return { ...d, headers: { ...d.headers, 'x-chameleon-signature': 'f'.repeat(64) } };
}

/** When this process started: ids made from it differ from one run (and one test file) to the next. */
const BASE = Date.now() * 1000 + process.pid;

/** A 24-hex id unique to this process and `n`, the same at each call. */
export function runId(n: number): string {
  return (BASE + n * 1_000_000).toString(16).padStart(24, '0').slice(-24);
}

/** What each server prints from its typed `tour.completed` handler. */
export const HANDLED_LINE = (id: string, tourId: string) => `handled tour.completed ${id} ${tourId}`;

/** The handler line the programs print, as JavaScript source (they all share it). */
export const PRINT_HANDLED =
  "(webhook) => console.log('handled tour.completed ' + webhook.id + ' ' + webhook.data.tour.id)";

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * The checks of every runtime case: a valid delivery 200 and its typed handler run (once), its
 * retry acknowledged as a duplicate without running again, a forgery 400. `n` keeps ids apart.
 */
export async function exercise(
  server: Started,
  url: string,
  n: number,
  secret = RUNTIME_SECRET,
): Promise<void> {
  const good = freshDelivery('tour.completed', runId(n), secret);
  const first = await postDelivery(url, good);
  if (first.status !== 200)
    throw new Error(`valid delivery: ${first.status} ${first.text}\n${server.output()}`);
  const retry = await postDelivery(url, good);
  if (retry.status !== 200 || JSON.parse(retry.text).duplicate !== true)
    throw new Error(`retry: ${retry.status} ${retry.text}`);
  const forgery = await postDelivery(url, forged(good));
  if (forgery.status !== 400) throw new Error(`forgery: ${forgery.status} ${forgery.text}`);
  const line = HANDLED_LINE(runId(n), JSON.parse(good.body).data.tour.id);
  const count = () => server.output().split(line).length - 1;
  await eventually(() => count() > 0);
  if (count() !== 1)
    throw new Error(`the typed handler printed "${line}" ${count()} times:\n${server.output()}`);
}

/**
 * A real redis-server for the Redis and BullMQ tests (installed by scripts/ensure-proof-deps.sh):
 * started on a free loopback port with no persistence, in a scratch folder, and stopped by its PID.
 * `pause`/`resume` stall it for real (SIGSTOP/SIGCONT): connections stay open, nothing answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RedisServer {
  port: number;
  pid: number;
  url: string;
  /** SIGSTOP: the server stalls, as under a long fork or a swapped-out host. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once the server answers PING with PONG. */
async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    if (pong) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chameleon-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPong(port, child);
  const pid = child.pid!;
  return {
    port,
    pid,
    url: `redis://127.0.0.1:${port}`,
    pause: () => process.kill(pid, 'SIGSTOP'),
    resume: () => process.kill(pid, 'SIGCONT'),
    async stop() {
      if (child.exitCode === null) {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Counts what a client's socket hands the kernel while `during` runs: one per `_write` or `_writev`
 * (a corked socket flushes its buffered chunks in one `_writev`).
 */
export async function socketWrites(socket: unknown, during: () => Promise<unknown>): Promise<number> {
  type Write = (...args: unknown[]) => void;
  const stream = socket as Record<'_write' | '_writev', Write | undefined>;
  const saved = (['_write', '_writev'] as const).map((name) => {
    const own = Object.hasOwn(stream, name);
    const original = stream[name];
    if (original)
      stream[name] = (...args) => {
        writes += 1;
        original.apply(stream, args);
      };
    return () => {
      if (own) stream[name] = original;
      else delete stream[name];
    };
  });
  let writes = 0;
  try {
    await during();
  } finally {
    for (const restore of saved) restore();
  }
  return writes;
}

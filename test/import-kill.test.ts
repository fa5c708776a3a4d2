/**
 * `chameleon-webhooks import` killed at 20 seeded points (SIGINT, SIGTERM and SIGKILL, while a request is
 * in flight) against a stand-in that also loses answers after storing, then resumed with
 * `--resume` until done: every row ends exactly once as stored, rejected or unknown-outcome.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_DIR } from './helpers.js';
import { startFakeChameleon, type FakeChameleon, type ScriptedFailure } from './incoming-server.js';

let servers: FakeChameleon[];
let dir: string;
let cli: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chameleon-kill-'));
  cli = path.join(dir, 'cli.mjs');
  // One bundle, so each of the ~25 runs starts in a fraction of the time tsx takes.
  await build({
    entryPoints: [path.join(GENERATED_DIR, 'typescript/src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: cli,
    logLevel: 'silent',
  });
  servers = await Promise.all(Array.from({ length: 4 }, () => startFakeChameleon()));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

/** mulberry32: the kill points and faults are the same on every run of the test. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Kills per chain; four chains make the 20 kill points. */
const KILLS = 5;

const FAULTS: ScriptedFailure[] = [
  { fault: 'reset' },
  { fault: 'reset-unstored' },
  { fault: 'hang' },
  { fault: 'late', delayMs: 800 },
  { status: 503 },
  { status: 429, headers: { 'Retry-After': '0.02' } },
];

interface ChainResult {
  kills: { SIGINT: number; SIGTERM: number; SIGKILL: number };
  runs: number;
  lastStdout: string;
  /** Requests stored whose answer was lost (reset, hang, late): each may be sent again. */
  lostAnswers: number;
}

/** Runs the import, killing run after run at a seeded request, then resumes until one finishes. */
async function killAndResume(
  server: FakeChameleon,
  args: string[],
  kills: number,
  random: () => number,
): Promise<ChainResult> {
  const result: ChainResult = {
    kills: { SIGINT: 0, SIGTERM: 0, SIGKILL: 0 },
    runs: 0,
    lastStdout: '',
    lostAnswers: 0,
  };
  for (let resume = false; ; resume = true) {
    const killing = result.kills.SIGINT + result.kills.SIGTERM + result.kills.SIGKILL < kills;
    const killAt = killing ? 1 + Math.floor(random() * 2) : Number.POSITIVE_INFINITY;
    const roll = random();
    const signal = roll < 0.3 ? 'SIGINT' : roll < 0.6 ? 'SIGTERM' : 'SIGKILL';
    const child = spawn(process.execPath, [cli, 'import', ...args, ...(resume ? ['--resume'] : [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.resume();
    let seen = 0;
    let killed = false;
    server.failWhen = () => {
      if (++seen === killAt) killed = child.kill(signal);
      const fault = random() < 0.2 ? FAULTS[Math.floor(random() * FAULTS.length)] : undefined;
      if (fault && 'fault' in fault && fault.fault !== 'reset-unstored') result.lostAnswers++;
      return fault;
    };
    const [code, exitSignal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on('close', (exitCode, by) => resolve([exitCode, by])),
    );
    result.runs++;
    result.lastStdout = stdout;
    if (killed) result.kills[signal]++;
    if (killed && signal === 'SIGKILL') expect(exitSignal).toBe('SIGKILL');
    else expect([0, 1, 4, 130], stdout).toContain(code);
    if (code === 0 || code === 1) return result;
    expect(result.runs).toBeLessThan(kills + 10);
  }
}

async function reasons(file: string): Promise<Array<{ line: number; reason: string }>> {
  try {
    return (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

function tally<Key>(keys: Key[]): Map<Key, number> {
  const counts = new Map<Key, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

const common = (server: FakeChameleon) => [
  '--secret',
  server.secret,
  '--base-url',
  server.baseUrl,
  '--timeout',
  '0.4',
  '--retry-delay',
  '0.01',
];

/** Events: each row once as stored, rejected or unknown-outcome; none stored twice. */
async function eventsChain(server: FakeChameleon, seed: number): Promise<string> {
  const file = path.join(dir, `events-${seed}.ndjson`);
  const bad = new Set([4, 17]);
  const rows = Array.from({ length: 20 }, (_, k) =>
    k === 4
      ? 'not json'
      : k === 17
        ? JSON.stringify({ uid: 'x' })
        : JSON.stringify({ uid: `u${k}`, name: 'x', seq: k }),
  );
  await writeFile(file, `${rows.join('\n')}\n`);
  const result = await killAndResume(server, ['events', file, ...common(server)], KILLS, seeded(seed));
  const stored = tally((server.stored.get('events') ?? []).map((event) => event.seq as number));
  const rejected = tally(
    (await reasons(path.join(dir, `events-${seed}.rejected.reasons.ndjson`))).map((r) => r.line),
  );
  const unknownEntries = await reasons(path.join(dir, `events-${seed}.unknown-outcome.reasons.ndjson`));
  const unknown = tally(unknownEntries.map((r) => r.line));
  for (let k = 0; k < rows.length; k++) {
    const [s, r, u] = [stored.get(k) ?? 0, rejected.get(k + 1) ?? 0, unknown.get(k + 1) ?? 0];
    const where = `row ${k + 1}: stored ${s}, rejected ${r}, unknown ${u}`;
    if (bad.has(k)) expect([s, r, u], where).toEqual([0, 1, 0]);
    else if (u) expect(u === 1 && r === 0 && s <= 1, where).toBe(true);
    else expect([s, r], where).toEqual([1, 0]);
  }
  const accepted = rows.length - bad.size - unknownEntries.length;
  expect(result.lastStdout).toContain(
    `${accepted} of ${rows.length} rows accepted, 2 rejected, ${unknownEntries.length} unknown-outcome`,
  );
  expect(result.kills.SIGINT + result.kills.SIGTERM + result.kills.SIGKILL).toBe(KILLS);
  return `events (seed ${seed}): ${JSON.stringify(result.kills)} in ${result.runs} runs; ${unknownEntries.length} unknown-outcome`;
}

/** Profiles from CSV: each row once as stored or rejected. */
async function profilesChain(server: FakeChameleon, seed: number): Promise<string> {
  const file = path.join(dir, `profiles-${seed}.csv`);
  const bad = new Map<number, string>([
    [7, ',no uid'],
    [30, 'u30,too,many'],
    [55, 'u55'],
  ]);
  const rows = Array.from({ length: 80 }, (_, k) => bad.get(k) ?? `u${k},row ${k}`);
  await writeFile(file, `uid,note\n${rows.join('\n')}\n`);
  const args = ['profiles', file, ...common(server), '--chunk-rows', '5'];
  const result = await killAndResume(server, args, KILLS, seeded(seed));
  const stored = new Set((server.stored.get('profiles') ?? []).map((item) => item.uid));
  const rejected = tally(
    (await reasons(path.join(dir, `profiles-${seed}.rejected.reasons.ndjson`))).map((r) => r.line),
  );
  expect(await reasons(path.join(dir, `profiles-${seed}.unknown-outcome.reasons.ndjson`))).toEqual([]);
  for (let k = 0; k < rows.length; k++) {
    const [s, r] = [stored.has(`u${k}`), rejected.get(k + 2) ?? 0];
    expect([s, r], `row ${k + 1}`).toEqual(bad.has(k) ? [false, 1] : [true, 0]);
  }
  expect(result.lastStdout).toContain('77 of 80 rows accepted, 3 rejected, 0 unknown-outcome');
  // Sent again: at most the one chunk (5 rows) in flight at each SIGKILL, and each lost answer's retry.
  const copies = (server.stored.get('profiles') ?? []).length - stored.size;
  expect(copies).toBeLessThanOrEqual(5 * (result.kills.SIGKILL + result.lostAnswers));
  expect(result.kills.SIGINT + result.kills.SIGTERM + result.kills.SIGKILL).toBe(KILLS);
  return `profiles (seed ${seed}): ${JSON.stringify(result.kills)} in ${result.runs} runs`;
}

describe('import killed and resumed', () => {
  it('at 20 seeded points (4 chains of 5: events, profiles), all three signals: every row ends exactly once', async () => {
    // The chains run side by side: each spends most of its time starting processes.
    const counts = await Promise.all([
      eventsChain(servers[0]!, 20261202),
      eventsChain(servers[1]!, 7),
      profilesChain(servers[2]!, 15),
      profilesChain(servers[3]!, 42),
    ]);
    console.info(counts.join('\n'));
    // Each signal was sent at least once over the chains (a SIGTERM must end the run as Ctrl-C does).
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'])
      expect(counts.join()).toMatch(new RegExp(`"${signal}":[1-9]`));
  });
});

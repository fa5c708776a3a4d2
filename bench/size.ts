/**
 * `npm run bench -- size`: the bundle size of one named import of `chameleon-webhooks/web` (the
 * budgets of test/import-size.test.ts), and the cold import of the web entry against standardwebhooks,
 * each in fresh Node processes, interleaved, in this run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { stageAndPack } from '../generator/pack.js';
import { IMPORT_BUDGETS, IMPORT_TARGETS, importSize } from './import-cost.js';

const exec = promisify(execFile);
// 41 fresh processes each: at 21, runs of the same build here gave ratios from 0.87× to 0.96×.
const COLD_RUNS = 41;

interface Cost {
  /** Wall milliseconds of the import, timed inside the process (Node's own start-up is left out). */
  wall: number;
  /** CPU milliseconds the process spent on it (user + system): what a loaded machine inflates least. */
  cpu: number;
}

/** What importing `url` costs one fresh process. */
async function coldImport(url: string): Promise<Cost> {
  const script = [
    'const cpu = process.cpuUsage(); const t = performance.now();',
    `await import(${JSON.stringify(url)});`,
    'const wall = performance.now() - t; const used = process.cpuUsage(cpu);',
    'console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / 1000 }));',
  ].join(' ');
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as Cost;
}

/** The target, for a budget that is still a ratchet above it. */
function target(name: string, measured: number): string {
  const bytes = IMPORT_TARGETS[name];
  return bytes === undefined ? '' : `, ≤ ${bytes} B (issue 13's target): ${measured <= bytes ? 'yes' : 'NO'}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'chameleon-size-'));
  try {
    const { dirs } = await stageAndPack(work);
    const packageDir = dirs['chameleon-webhooks'];
    console.log('\none named import of chameleon-webhooks/web, esbuild --bundle --minify (browser)');
    for (const budget of IMPORT_BUDGETS) {
      const size = await importSize(packageDir, budget.name);
      const measured = budget.measure === 'gzip' ? size.gzip : size.minified;
      console.log(
        `  ${budget.name.padEnd(16)} ${String(size.minified).padStart(7)} B minified ${String(size.gzip).padStart(6)} B gzip` +
          `   ${budget.measure} ≤ ${budget.maxBytes} B (budget): ${measured <= budget.maxBytes ? 'yes' : 'NO'}` +
          target(budget.name, measured),
      );
    }
    const ours = pathToFileURL(path.join(packageDir, 'dist', 'web.mjs')).href;
    const standard = pathToFileURL(createRequire(import.meta.url).resolve('standardwebhooks')).href;
    const costs = { ours: [] as Cost[], standard: [] as Cost[] };
    for (let index = 0; index < COLD_RUNS; index++) {
      costs.ours.push(await coldImport(ours));
      costs.standard.push(await coldImport(standard));
    }
    console.log(`\ncold import in a fresh process (median of ${COLD_RUNS}, interleaved)`);
    for (const measure of ['cpu', 'wall'] as const) {
      const a = median(costs.ours.map((cost) => cost[measure]));
      const b = median(costs.standard.map((cost) => cost[measure]));
      console.log(
        `  ${measure.padEnd(4)} chameleon-webhooks/web ${a.toFixed(1).padStart(6)} ms, standardwebhooks ${b.toFixed(1).padStart(6)} ms:` +
          ` ${(a / b).toFixed(2)}× (target ≤ 1×)`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Cold load of every topic and model validator: validate.ts is bundled once
 * (esbuild, as the package build does, unminified ESM), then fresh Node
 * processes each time `import()` of the bundle plus one first validation
 * (what a server pays on its first request). Prints the median; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../test/helpers.js';

const PROCESSES = 21;
const TARGET_MS = 15;

const PROBE = `
const started = performance.now();
const { validateWebhook } = await import(process.argv[2]);
const loaded = performance.now();
validateWebhook({ id: '5f3c4232c712de665632a6d9', kind: 'ping', sent_at: '2029-12-11T00:28:59.650Z', data: {} });
console.log(JSON.stringify({ load: loaded - started, first: performance.now() - loaded }));
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chameleon-load-'));
  try {
    const bundle = path.join(dir, 'validate.mjs');
    await build({
      entryPoints: [path.join(ROOT, 'generated/typescript/src/validate.ts')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      outfile: bundle,
      logLevel: 'silent',
    });
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    const loads: number[] = [];
    const firsts: number[] = [];
    for (let index = 0; index < PROCESSES; index++) {
      const child = spawnSync(process.execPath, [probe, bundle], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`load probe failed: ${child.stderr}`);
      const { load, first } = JSON.parse(child.stdout) as { load: number; first: number };
      loads.push(load);
      firsts.push(first);
    }
    const load = median(loads);
    console.log(
      `\nCold load of validate.ts (all topic and model validators), median of ${PROCESSES} fresh processes`,
    );
    console.log(
      `  import            ${load.toFixed(2)} ms (min ${Math.min(...loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)})`,
    );
    console.log(`  first validation  ${median(firsts).toFixed(2)} ms`);
    console.log(`  import + first    ${(load + median(firsts)).toFixed(2)} ms`);
    console.log(
      `  ${load + median(firsts) <= TARGET_MS ? 'met   ' : 'MISSED'} import + first validation ≤ ${TARGET_MS} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

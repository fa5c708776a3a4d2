/**
 * Type budget: a consumer that imports the union from the built package and
 * switches over every topic must stay cheap for tsc (and so for an IDE).
 * Measured with `tsc --extendedDiagnostics` as counts, never time: the cost
 * of the package is the consumer's counts minus those of an empty program
 * with the same options (lib and @types/node).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_TSC_FLAGS, TSC } from './helpers.js';
import { sharedPackages } from './shared-packages.js';
import { loadModel } from '../generator/pipeline.js';

const run = promisify(execFile);

/**
 * Recorded budget: about twice what 27 topics cost when it was set (1,064
 * types, 335 instantiations, 1,816 symbols over an empty program), so the spec
 * may grow, but a type that explodes (a deep mapped or conditional type) fails.
 */
const BUDGET = { types: 2_500, instantiations: 1_000, symbols: 4_000 };

type Counts = Record<'types' | 'instantiations' | 'symbols', number>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chameleon-type-budget-'));
  const { dirs } = await sharedPackages();
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(dirs['chameleon-webhooks'], path.join(dir, 'node_modules', 'chameleon-webhooks'), 'dir');
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function countsOf(file: string, source: string): Promise<Counts> {
  await writeFile(path.join(dir, file), source);
  const flags = [...CONSUMER_TSC_FLAGS, '--extendedDiagnostics'];
  const { stdout } = await run(process.execPath, [TSC, ...flags, file], { cwd: dir });
  const read = (label: string) => Number(new RegExp(`^${label}:\\s+(\\d+)`, 'm').exec(stdout)?.[1] ?? NaN);
  return { types: read('Types'), instantiations: read('Instantiations'), symbols: read('Symbols') };
}

describe('type budget', () => {
  it('a consumer switching over every topic stays within the recorded budget', async () => {
    const { topics } = await loadModel();
    const cases = topics.map(
      (topic) =>
        `    case '${topic.topic}': {\n      const data: WebhookDataOf<'${topic.topic}'> = webhook.data;\n      return Object.keys(data).length;\n    }`,
    );
    const consumer = [
      "import type { ChameleonWebhook, WebhookDataOf } from 'chameleon-webhooks';",
      'export function handle(webhook: ChameleonWebhook): number {',
      '  switch (webhook.kind) {',
      ...cases,
      '    default: {',
      '      const unreachable: never = webhook;',
      '      return unreachable;',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    // Two separate tsc processes, so they may run at once.
    const [empty, full] = await Promise.all([
      countsOf('empty.ts', 'export const nothing = 0;\n'),
      countsOf('consumer.ts', consumer),
    ]);
    const cost: Counts = {
      types: full.types - empty.types,
      instantiations: full.instantiations - empty.instantiations,
      symbols: full.symbols - empty.symbols,
    };
    console.log(
      `type budget: ${topics.length} topics cost ${JSON.stringify(cost)} (budget ${JSON.stringify(BUDGET)})`,
    );
    for (const key of Object.keys(BUDGET) as Array<keyof Counts>) {
      expect(Number.isFinite(cost[key])).toBe(true);
      expect(cost[key], key).toBeGreaterThan(0);
      expect(cost[key], key).toBeLessThanOrEqual(BUDGET[key]);
    }
  });
});

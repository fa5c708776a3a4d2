/**
 * Pay for what you import: one named import of `chameleon-webhooks/web`, bundled and minified by
 * esbuild from the built package (export map and `sideEffects: false` as a consumer's bundler sees
 * them), stays within issue 13's budgets. `npm run bench -- size` prints the same numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_BUDGETS, importSize } from '../bench/import-cost.js';
import { sharedPackages } from './shared-packages.js';

let packageDir: string;

beforeAll(async () => {
  packageDir = (await sharedPackages()).dirs['chameleon-webhooks'];
}, 120_000);

describe('one named import of chameleon-webhooks/web costs only what it needs', () => {
  it.each(IMPORT_BUDGETS.map((budget) => [budget.name, budget] as const))('%s', async (_name, budget) => {
    const size = await importSize(packageDir, budget.name);
    console.log(`${budget.name}: ${size.minified} B minified, ${size.gzip} B gzip`);
    expect(budget.measure === 'gzip' ? size.gzip : size.minified).toBeLessThanOrEqual(budget.maxBytes);
  });

  it('the validators come along only with what validates', async () => {
    // The guards and the schema table are most of the package: a verdict on the signature alone never needs them.
    const signature = await importSize(packageDir, 'verifySignature');
    const validation = await importSize(packageDir, 'validateWebhook');
    expect(validation.minified).toBeGreaterThan(10 * signature.minified);
  });
});

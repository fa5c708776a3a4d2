/**
 * Every example in the spec type-checks as its topic's type: the examples are
 * written into a TypeScript file as object literals (so excess-property checks
 * apply: an undocumented key in a docs example fails) and compiled with tsc.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { loadModel } from '../generator/pipeline.js';

const run = promisify(execFile);

describe('spec examples as TypeScript', () => {
  it('each example is assignable to its topic type, with no undocumented keys', async () => {
    const model = await loadModel();
    const dir = path.join(ROOT, '.tmp', 'examples-typecheck');
    await mkdir(dir, { recursive: true });
    const lines = [
      `import type { WebhookOf } from '../../generated/typescript/src/index.js';`,
      ...model.topics.flatMap((topic) =>
        topic.examples.map(
          (example, index) =>
            `export const ${topic.camelName}${index}: WebhookOf<'${topic.topic}'> = ${JSON.stringify(example.payload, null, 2)};`,
        ),
      ),
    ];
    await writeFile(path.join(dir, 'examples.ts'), lines.join('\n\n'));
    const tsconfig = {
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true },
      include: ['examples.ts'],
    };
    await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    try {
      await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
        cwd: ROOT,
      });
    } catch (error) {
      const { stdout } = error as { stdout: string };
      expect.fail(`examples do not type-check:\n${stdout}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

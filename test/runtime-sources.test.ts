/** Tests import the package through generated/, and run its runtime modules where they are written. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyWebhookOrThrow } from '../generated/typescript/src/index.js';
import { DEFAULT_TOLERANCE_SECONDS } from '../generated/typescript/src/verification.js';
import { ROOT } from './helpers.js';

describe('runtime sources under test', () => {
  it('runs a runtime module from templates/typescript/runtime/, not its copy in generated/', () => {
    let stack = '';
    try {
      verifyWebhookOrThrow('{}', 'not-a-signature', 'secret');
    } catch (error) {
      stack = String((error as Error).stack);
    }
    expect(stack).toContain('templates/typescript/runtime/verify.ts');
    expect(stack).not.toContain('generated/typescript/src/verify.ts');
  });

  it('still gives runtime sources the generated facts they import', async () => {
    const api = JSON.parse(await readFile(path.join(ROOT, 'spec/api.json'), 'utf8'));
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(api.outgoing.replayWindow.toleranceSeconds);
  });
});

/** The example server starts with one command and accepts the signed delivery it prints. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

describe('examples/server', () => {
  it('runs, and the curl command it prints is accepted once, acknowledged as a duplicate after, and a forged copy is rejected', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples/server/server.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', CHAMELEON_WEBHOOK_SECRET: '' },
    });
    child.stderr.resume();
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        child.once('exit', () => reject(new Error(`the example exited:\n${output}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('--data')) resolve();
        });
      });
      const url = /curl -i -X POST (\S+)/.exec(output)![1]!;
      const headers = Object.fromEntries(
        [...output.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1]!, m[2]!]),
      );
      const body = /--data '(.+)'/.exec(output)![1]!;
      const first = await fetch(url, { method: 'POST', headers, body });
      expect([first.status, await first.json()]).toMatchObject([200, { ok: true }]);
      const again = await fetch(url, { method: 'POST', headers, body });
      expect(await again.json()).toMatchObject({ ok: true, duplicate: true });
      const forged = await fetch(url, { method: 'POST', headers, body: body.replace('Acme', 'Evil') });
      // A forged request learns nothing: the reason goes to onRejected (the example logs it).
      expect([forged.status, await forged.json()]).toEqual([400, { error: 'unauthenticated' }]);
    } finally {
      child.kill();
    }
  });
});

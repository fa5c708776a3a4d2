/** The example server starts with one command, on loopback, and accepts the deliveries it tells you to send. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSend } from '../generated/typescript/src/cli/send.js';
import { ROOT } from './helpers.js';

/** Starts the example with `env` and resolves to what it printed once it is listening, and the child. */
async function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples/server/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '', ...env },
  });
  child.stderr.resume();
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`the example exited:\n${output}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('--data')) resolve(output);
    });
  });
  try {
    return { child, output: await listening };
  } catch (error) {
    child.kill();
    throw error;
  }
}

/** Runs the printed `chameleon-webhooks send …` line with the package's CLI; resolves to its exit code and output. */
async function runPrintedSend(output: string, env: Record<string, string> = {}) {
  const line = /^\s*chameleon-webhooks send (.+)$/m.exec(output)![1]!;
  // What a shell would do with "$NAME".
  const args = line.split(' ').map((arg) => arg.replace(/^"\$(\w+)"$/, (_, name: string) => env[name] ?? ''));
  let stdout = '';
  const code = await runSend(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stdout += text) },
    env: {},
  });
  return { code, stdout, args: line };
}

describe('examples/server', () => {
  it('binds 127.0.0.1 and prints its throwaway secret with a ready send line and a curl, which it accepts', async () => {
    const { child, output } = await start({
      CHAMELEON_VERIFICATION_SECRET: '',
      CHAMELEON_WEBHOOK_SECRET: '',
    });
    try {
      const url = /Receiving Chameleon webhooks on (\S+)/.exec(output)![1]!;
      expect(new URL(url).hostname).toBe('127.0.0.1');
      const secret = /Secret: ([0-9a-f]{48}) /.exec(output)![1]!;
      const sent = await runPrintedSend(output);
      expect(sent.args).toBe(`tour.completed --url ${url} --secret ${secret}`);
      expect([sent.code, sent.stdout]).toEqual([
        0,
        expect.stringMatching(/tour\.completed [0-9a-f]{24} attempt 1\/1: 200/),
      ]);

      expect(/curl -i -X POST (\S+)/.exec(output)![1]).toBe(url);
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

  it.each([['CHAMELEON_VERIFICATION_SECRET'], ['CHAMELEON_WEBHOOK_SECRET (the old name)']])(
    'verifies with the secret from %s and prints a send line that uses it',
    async (variable) => {
      const name = variable.split(' ')[0]!;
      const { child, output } = await start({
        CHAMELEON_VERIFICATION_SECRET: '',
        CHAMELEON_WEBHOOK_SECRET: '',
        [name]: 'example-secret-from-env',
      });
      try {
        expect(output).toContain(`Secret: from $${name}.`);
        // A real secret is never printed: the send line names its variable.
        expect(output).not.toContain('example-secret-from-env');
        const sent = await runPrintedSend(output, { [name]: 'example-secret-from-env' });
        expect(sent.args).toMatch(new RegExp(` --secret "\\$${name}"$`));
        expect(sent.code).toBe(0);
      } finally {
        child.kill();
      }
    },
  );
});

/**
 * Custom properties of profiles and companies, typed by module augmentation of the built
 * package, as a consumer writes it: `declare module 'chameleon-webhooks' { interface
 * ProfileProperties { plan_name?: string } }` makes `webhook.data.profile.plan_name` a
 * `string | undefined`, through the Node and the Web entry points, from ESM and from CommonJS.
 * Two tsc programs: ESM and CommonJS consumers augmenting the main entry (which types the Web
 * entry's webhooks too), and an ESM consumer augmenting the Web entry alone. One program augments
 * through one specifier: TypeScript keeps only the last of two augmentations of one interface made
 * through two entry points that re-export it, so the README tells consumers to augment the main one.
 * Every wrong narrowing carries `@ts-expect-error`: beside the exact type asserted, it fails the build.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_TSC_FLAGS, TSC } from './helpers.js';
import { sharedPackages } from './shared-packages.js';

const run = promisify(execFile);

const HELPERS = `
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}
`;

const AUGMENT = (specifier: string) => `
declare module '${specifier}' {
  interface ProfileProperties {
    plan_name?: string;
    seats?: number;
  }
  interface CompanyProperties {
    industry?: string;
  }
}
`;

/** Reads the augmented properties off a webhook of each entry point it is given. */
const READS = `
  if (webhook.kind === 'tour.completed') {
    const profile = webhook.data.profile;
    assertType<Equal<typeof profile.plan_name, string | undefined>>();
    assertType<Equal<typeof profile.seats, number | undefined>>();
    // @ts-expect-error a wrong narrowing: plan_name is a string, not a number
    const wrong: number | undefined = profile.plan_name;
    // @ts-expect-error a custom property nobody declared is still a typo
    void profile.plan_nmae;
    const company = profile.company;
    if (company) assertType<Equal<typeof company.industry, string | undefined>>();
    void wrong;
  }
`;

/** ESM, augmenting the main entry, reading webhooks of both entries. */
const ESM_MAIN = `import type { ChameleonWebhook, Profile } from 'chameleon-webhooks';
import type { ChameleonWebhook as WebWebhook } from 'chameleon-webhooks/web';
${AUGMENT('chameleon-webhooks')}${HELPERS}
export function node(webhook: ChameleonWebhook): void {${READS}}
export function web(webhook: WebWebhook): void {${READS}}
export const plain: Profile = { id: '5f885a88e7daf3000e3eb4f6' };
`;

/** ESM, augmenting the Web entry only, with a property of its own. */
const ESM_WEB = `import type { ChameleonWebhook } from 'chameleon-webhooks/web';
declare module 'chameleon-webhooks/web' {
  interface ProfileProperties {
    trial_days?: number;
  }
}
${HELPERS}
export function web(webhook: ChameleonWebhook): void {
  if (webhook.kind === 'survey.completed') {
    assertType<Equal<typeof webhook.data.profile.trial_days, number | undefined>>();
    // @ts-expect-error a wrong narrowing: trial_days is a number
    const wrong: string | undefined = webhook.data.profile.trial_days;
    void wrong;
  }
}
`;

/** CommonJS (.cts), augmenting the main entry as \`require\` resolves it (its own declarations). */
const CJS_MAIN = `import type { ChameleonWebhook } from 'chameleon-webhooks';
${AUGMENT('chameleon-webhooks')}${HELPERS}
export function node(webhook: ChameleonWebhook): void {${READS}}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'chameleon-augmentation-'));
  const { dirs } = await sharedPackages();
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(dirs['chameleon-webhooks'], path.join(dir, 'node_modules', 'chameleon-webhooks'), 'dir');
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** tsc over the consumer files: its exit code and its diagnostics. */
async function typecheck(files: Record<string, string>): Promise<{ code: number; output: string }> {
  for (const [file, source] of Object.entries(files)) await writeFile(path.join(dir, file), source);
  const flags = [...CONSUMER_TSC_FLAGS, '--pretty', 'false'];
  return run(process.execPath, [TSC, ...flags, ...Object.keys(files)], { cwd: dir }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
}

describe('custom properties typed by module augmentation of the built package', () => {
  it('type the profile and company of webhooks from both entry points, in ESM and CommonJS', async () => {
    const results = await Promise.all([
      typecheck({ 'esm-main.ts': ESM_MAIN, 'cjs-main.cts': CJS_MAIN }),
      typecheck({ 'esm-web.ts': ESM_WEB }),
    ]);
    for (const result of results) expect(result).toEqual({ code: 0, output: '' });
  }, 120_000);
});

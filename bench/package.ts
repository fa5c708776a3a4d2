/**
 * The package as its users run it: the bundles `npm run build:package` writes to
 * generated/typescript/dist, built once per bench run by {@link ensureBuilt} (measureChild calls it
 * before it forks a server). Not the sources through tsx, whose transform wraps every closure in a
 * naming helper that costs the receivers a call per closure per request. Types come from the sources the bundles are built from.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type NodeEntry = typeof import('../generated/typescript/src/index.js');
type RedisEntry = typeof import('../generated/typescript/src/redis.js');
type BullmqEntry = typeof import('../generated/typescript/src/bullmq.js');

const dist = (name: string) =>
  fileURLToPath(new URL(`../generated/typescript/dist/${name}.mjs`, import.meta.url));

async function load<T>(name: string): Promise<T> {
  const file = dist(name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build:package (measureChild does)`);
  return (await import(file)) as T;
}

export const nodeEntry = () => load<NodeEntry>('index');
export const redisEntry = () => load<RedisEntry>('redis');
export const bullmqEntry = () => load<BullmqEntry>('bullmq');

let building: Promise<unknown> | undefined;

/** Builds dist/ from the current sources, once per bench process, so no server loads a stale build. */
export function ensureBuilt(): Promise<unknown> {
  building ??= import('../generator/build-package.js').then(({ buildPackage }) => buildPackage());
  return building;
}

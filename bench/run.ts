/**
 * `npm run bench -- <suite>`: runs one benchmark suite (or all, without a name).
 * Suites register here; each runs its competitors side by side in this process.
 */
type Suite = () => Promise<void>;

const suites: Record<string, Suite> = {
  validate: async () => (await import('./validate.js')).run(),
  verify: async () => (await import('./verify.js')).run(),
  load: async () => (await import('./load.js')).run(),
  store: async () => (await import('./store.js')).run(),
  receive: async () => {
    await (await import('./receive.js')).run();
    // The scale-out rows (Redis store, BullMQ enqueue), each against bare node:http in its own run.
    await (await import('./receive-redis.js')).run();
  },
  'receive-redis': async () => (await import('./receive-redis.js')).run(),
  size: async () => (await import('./size.js')).run(),
};

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((name) => !(name in suites));
  if (unknown.length) {
    console.error(`Unknown suite(s): ${unknown.join(', ')}. Suites: ${Object.keys(suites).join(', ')}`);
    return 1;
  }
  for (const name of names.length ? names : Object.keys(suites)) {
    console.log(`\n== ${name}`);
    await suites[name]!();
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));

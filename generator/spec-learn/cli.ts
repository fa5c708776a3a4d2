/**
 * `npm run spec:learn -- CAPTURE... [--spec DIR] [--out DIR | --write] [--no-bump] [--json]`
 *
 * Reads capture files (.jsonl, from the receivers' `capture` option) or plain
 * payload files (.json) and proposes an edit of the spec: new properties, widened
 * types, enum values, new topics and models, each with its evidence as
 * `x-learned`. The edit goes to `--out DIR` (default `.tmp/spec-learned`, a copy
 * of the spec), or into the spec itself with `--write`; it lints (it is loaded
 * like any spec), and spec:diff classifies it. Prints the proposals, then what
 * it left to a person. Exit codes: 0 after a run, 2 for invalid input.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, ROOT, SPEC_DIR, SpecError } from '../pipeline.js';
import type { SpecModel } from '../model.js';
import { loadSpec } from '../spec/load.js';
import { learn, type LearnResult } from './propose.js';
import { isDelivery, readInput, type Delivery, type Unreadable } from './read.js';
import { writeLearnedSpec } from './write.js';

const USAGE =
  'usage: npm run spec:learn -- CAPTURE_OR_PAYLOAD_FILE... [--spec DIR] [--out DIR | --write] [--no-bump] [--json]';
const VALUED = ['--spec', '--out'];
const DEFAULT_OUT = path.join(ROOT, '.tmp', 'spec-learned');
const FLAGS = ['--write', '--no-bump', '--json'];

export interface LearnRun extends LearnResult {
  deliveries: Delivery[];
  unreadable: Unreadable[];
  before: SpecModel;
  /** The learned spec, loaded (so it lints). */
  after: SpecModel;
  outDir: string;
}

/** Each webhook once: a capture records every attempt, and Chameleon retries with the same id. */
function uniqueById(deliveries: Delivery[]): Delivery[] {
  const seen = new Set<string>();
  return deliveries.filter((delivery) => {
    const id = delivery.body.id;
    if (typeof id !== 'string') return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The library entry: read, learn, write. */
export async function learnSpec(
  inputs: string[],
  { specDir = SPEC_DIR, outDir, bump = true }: { specDir?: string; outDir: string; bump?: boolean },
): Promise<LearnRun> {
  const read = (await Promise.all(inputs.map((file) => readInput(file)))).flat();
  const deliveries = uniqueById(read.filter(isDelivery));
  const unreadable = read.filter((item): item is Unreadable => !isDelivery(item));
  const before = await loadModel(specDir);
  const spec = await loadSpec(specDir);
  const result = learn(before, spec.files, deliveries);
  const after = await writeLearnedSpec(before, result, specDir, outDir, {
    bump,
    deliveries: deliveries.length,
  });
  return { ...result, deliveries, unreadable, before, after, outDir };
}

export function formatRun(run: LearnRun): string {
  const lines = [
    `spec:learn: ${run.deliveries.length} deliveries read, ${run.proposals.length} proposals`,
    '',
  ];
  for (const p of run.proposals) {
    const e = p.evidence;
    lines.push(
      `+ spec/${p.file}#${p.pointer}: ${p.summary}`,
      `    ${e.deliveries} of ${e.of} deliveries, ${e.firstSeen} to ${e.lastSeen}, e.g. ${e.example}`,
    );
  }
  if (run.human.length) lines.push('', `For a person to decide (${run.human.length}):`);
  for (const note of run.human)
    lines.push(`? ${note.where}: ${note.what} (${note.deliveries} deliveries, e.g. ${note.example})`);
  for (const [file, keys] of Object.entries(run.customProperties))
    lines.push('', `Custom properties of spec/${file}, by design not proposed: ${keys.join(', ')}`);
  for (const item of run.unreadable) lines.push(`! ${item.source}: ${item.reason}`);
  lines.push(
    '',
    `Written to ${path.relative(process.cwd(), run.outDir) || '.'}; review it with npm run spec:diff.`,
  );
  return lines.join('\n');
}

function optionValue(argv: string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const inputs = argv.filter((arg, i) => !arg.startsWith('--') && !VALUED.includes(argv[i - 1] ?? ''));
  const unknown = argv.filter((arg) => arg.startsWith('--') && !FLAGS.includes(arg) && !VALUED.includes(arg));
  const write = argv.includes('--write');
  if (!inputs.length || unknown.length || (write && argv.includes('--out'))) {
    console.error(USAGE);
    return 2;
  }
  const specDir = path.resolve(cwd, optionValue(argv, '--spec') ?? SPEC_DIR);
  const outDir = write ? specDir : path.resolve(cwd, optionValue(argv, '--out') ?? DEFAULT_OUT);
  try {
    if (outDir === DEFAULT_OUT) await rm(DEFAULT_OUT, { recursive: true, force: true }); // ours: no stale files
    const run = await learnSpec(
      inputs.map((file) => path.resolve(cwd, file)),
      { specDir, outDir, bump: !argv.includes('--no-bump') },
    );
    if (argv.includes('--json')) {
      const { proposals, human, customProperties, unreadable } = run;
      console.log(JSON.stringify({ proposals, human, customProperties, unreadable, outDir }, null, 2));
    } else console.log(formatRun(run));
    return 0;
  } catch (error) {
    const message =
      error instanceof SpecError ? `the learned spec does not lint: ${error.message}` : String(error);
    console.error(
      `spec:learn: ${error instanceof Error && !(error instanceof SpecError) ? error.message : message}`,
    );
    return 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

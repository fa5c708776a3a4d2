/**
 * Validator speed, side by side in one process: the generated validators, Ajv
 * compiling the same bundled schemas at run time (with ajv-formats), Zod 4
 * schemas for three topics and a hand-written guard for tour.completed.
 * Prints ops/s and ratios against the issue's targets; it asserts nothing.
 * `generated` reads only `ok` (the guard's verdict); `generated + read errors`
 * also reads `errors`, which the detailed validator works out on first read.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { loadModel } from '../generator/generate.js';
import { invalidPayloadsFor } from '../generator/validators/mutations.js';
import { validateWebhook } from '../generated/typescript/src/validate.js';
import { isTourCompleted } from './competitors/hand-guard.js';
import * as zod from './competitors/zod.js';

type Check = (value: unknown) => boolean;

/** Where the standalone modules are written: inside the repository, so their imports of ajv resolve. */
const STANDALONE_DIR = path.join(import.meta.dirname, '..', '.tmp', 'bench-ajv-standalone');

/**
 * Ajv standalone (code generated ahead of time, as a package would ship it) with allErrors: true, for
 * one schema; the check reads `errors`, as a caller who explains a failure does.
 */
async function ajvStandaloneReadingErrors(name: string, schema: object): Promise<Check> {
  const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, code: { source: true } }));
  const toCode = standaloneCode as unknown as (ajv: Ajv, validate: ValidateFunction) => string;
  await mkdir(STANDALONE_DIR, { recursive: true });
  // CommonJS: ajv-formats' generated code requires its formats.
  const file = path.join(STANDALONE_DIR, `${name}.cjs`);
  await writeFile(file, toCode(ajv, ajv.compile(schema)));
  const validate = (await import(pathToFileURL(file).href)).default as ValidateFunction;
  return (value) => {
    const ok = validate(value) as boolean;
    if (!ok) sink += validate.errors!.length;
    return ok;
  };
}
interface Competitor {
  name: string;
  check: Check;
}

const WARMUP_MS = 150;
const MEASURE_MS = 250;
/** The machine is shared and noisy: competitors take turns for this many rounds and keep their best. */
const ROUNDS = 3;
/** Distinct copies of each payload, so no engine cache sees the same object every call. */
const COPIES = 16;

let sink = 0;

function opsPerSecond(check: Check, payloads: unknown[], ms: number): number {
  let calls = 0;
  const started = performance.now();
  const end = started + ms;
  while (performance.now() < end) {
    for (let index = 0; index < 1000; index++) if (check(payloads[(calls + index) % payloads.length])) sink++;
    calls += 1000;
  }
  return calls / ((performance.now() - started) / 1000);
}

function copies(payloads: unknown[]): unknown[] {
  return Array.from({ length: COPIES }, (_, index) => structuredClone(payloads[index % payloads.length]));
}

function format(ops: number): string {
  return ops >= 1e6 ? `${(ops / 1e6).toFixed(2)} M` : `${(ops / 1e3).toFixed(0)} k`;
}

/** Runs the competitors on the same payloads; returns ops/s by name. */
function scenario(
  title: string,
  payloads: unknown[],
  competitors: Competitor[],
  expectValid: boolean,
): Map<string, number> {
  console.log(`\n${title} (${payloads.length} payloads)`);
  const results = new Map<string, number>();
  for (const { name, check } of competitors) {
    const disagree = payloads.filter((payload) => check(payload) !== expectValid).length;
    if (disagree) console.log(`  ! ${name} ${expectValid ? 'rejects' : 'accepts'} ${disagree} payload(s)`);
    opsPerSecond(check, payloads, WARMUP_MS);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, check } of competitors)
      results.set(name, Math.max(results.get(name) ?? 0, opsPerSecond(check, payloads, MEASURE_MS)));
  }
  const ours = results.get('generated') ?? 0;
  for (const [name, ops] of results) {
    const ratio = name === 'generated' ? '' : `  generated is ${(ours / ops).toFixed(2)}×`;
    console.log(`  ${name.padEnd(22)} ${format(ops).padStart(9)} ops/s${ratio}`);
  }
  return results;
}

function target(label: string, value: number, goal: number, unit = '×'): void {
  console.log(
    `  ${value >= goal ? 'met   ' : 'MISSED'} ${label}: ${unit === '×' ? `${value.toFixed(2)}×` : `${format(value)} ops/s`} (target ≥ ${unit === '×' ? `${goal}×` : `${format(goal)} ops/s`})`,
  );
}

export async function run(): Promise<void> {
  const model = await loadModel();
  const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ strict: false }));
  const runtime = new Map<string, ValidateFunction>(
    model.topics.map((topic) => [topic.topic, ajv.compile(model.schemas.bundle(topic.path))]),
  );
  const ajvCheck: Check = (value) => runtime.get((value as { kind: string }).kind)?.(value) ?? false;
  const ours: Check = (value) => validateWebhook(value).ok;
  // Errors are worked out when first read: this row pays for the verdict and for reading them.
  const oursReadingErrors: Check = (value) => {
    const result = validateWebhook(value);
    if (!result.ok) sink += result.errors.length;
    return result.ok;
  };
  const examplesOf = (kind: string) =>
    model.topics.find((topic) => topic.topic === kind)!.examples.map((example) => example.payload);

  const all = scenario(
    'All topics, valid examples',
    copies(model.topics.flatMap((topic) => topic.examples.map((e) => e.payload))),
    [
      { name: 'generated', check: ours },
      { name: 'ajv runtime + formats', check: ajvCheck },
    ],
    true,
  );

  const tour = copies(examplesOf('tour.completed'));
  const valid = scenario(
    'tour.completed, valid',
    tour,
    [
      { name: 'generated', check: ours },
      { name: 'hand-written guard', check: isTourCompleted },
      { name: 'ajv runtime + formats', check: ajvCheck },
      { name: 'zod 4', check: (value) => zod.tourCompleted.safeParse(value).success },
    ],
    true,
  );

  const zodRatios: number[] = [valid.get('generated')! / valid.get('zod 4')!];
  for (const [kind, schema] of [
    ['response.finished', zod.responseFinished],
    ['demo.finished', zod.demoFinished],
  ] as const) {
    const results = scenario(
      `${kind}, valid`,
      copies(examplesOf(kind)),
      [
        { name: 'generated', check: ours },
        { name: 'ajv runtime + formats', check: ajvCheck },
        { name: 'zod 4', check: (value) => schema.safeParse(value).success },
      ],
      true,
    );
    zodRatios.push(results.get('generated')! / results.get('zod 4')!);
  }

  const badTour = structuredClone(examplesOf('tour.completed')[0]!) as Record<string, any>;
  badTour.data.tour.id = 'not-an-id';
  const invalid = scenario(
    'tour.completed, invalid (one bad nested ID)',
    copies([badTour]),
    [
      { name: 'generated', check: ours },
      { name: 'generated + read errors', check: oursReadingErrors },
      { name: 'hand-written guard', check: isTourCompleted },
      { name: 'ajv runtime + formats', check: ajvCheck },
      { name: 'zod 4', check: (value) => zod.tourCompleted.safeParse(value).success },
    ],
    false,
  );

  const defects = model.topics.flatMap((topic) =>
    invalidPayloadsFor(topic, model.schemas).map((payload) => payload.payload),
  );
  const allInvalid = scenario(
    'All topics, every derived defect',
    defects,
    [
      { name: 'generated', check: ours },
      { name: 'generated + read errors', check: oursReadingErrors },
      { name: 'ajv runtime + formats', check: ajvCheck },
    ],
    false,
  );

  // Reading `errors` of invalid payloads, three topics, against Ajv standalone with allErrors on the same schema.
  const errorRatios: number[] = [];
  for (const kind of ['tour.completed', 'response.finished', 'demo.finished']) {
    const topic = model.topics.find((candidate) => candidate.topic === kind)!;
    const standalone = await ajvStandaloneReadingErrors(kind, model.schemas.bundle(topic.path));
    const results = scenario(
      `${kind}, every derived defect, reading errors`,
      invalidPayloadsFor(topic, model.schemas).map((payload) => payload.payload),
      [
        { name: 'generated', check: oursReadingErrors },
        { name: 'ajv standalone allErrors', check: standalone },
      ],
      false,
    );
    errorRatios.push(results.get('generated')! / results.get('ajv standalone allErrors')!);
  }

  console.log('\nTargets');
  target('valid vs hand-written guard', valid.get('generated')! / valid.get('hand-written guard')!, 1);
  target(
    'invalid, verdict only, vs hand-written guard',
    invalid.get('generated')! / invalid.get('hand-written guard')!,
    1,
  );
  target('reading errors vs Ajv standalone allErrors (worst of 3 topics)', Math.min(...errorRatios), 1);
  target('invalid (one defect), verdict only', invalid.get('generated')!, 1e6, 'ops');
  target('invalid (all derived defects), verdict only', allInvalid.get('generated')!, 1e6, 'ops');
  console.log(
    `  info   invalid, verdict + reading errors: ${format(invalid.get('generated + read errors')!)} ops/s (one defect), ${format(allInvalid.get('generated + read errors')!)} ops/s (all defects)`,
  );
  target('vs Ajv runtime, all topics valid', all.get('generated')! / all.get('ajv runtime + formats')!, 1);
  target('vs Zod 4 (worst of 3 topics)', Math.min(...zodRatios), 3);
  if (sink < 0) console.log(sink);
}

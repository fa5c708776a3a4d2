/**
 * The two generated paths against each other and against Ajv: the fast guard
 * (validators/guards.ts) must give the verdict the detailed validator gives,
 * and the detailed validator (validators/detailed.ts) must report exactly the
 * errors Ajv reports when it compiles the same schemas at run time. Its walk
 * for a failure (which skips what passes a guard, and the warnings) must
 * classify to the very errors of the full walk, in both modes.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SpecModel, Topic } from '../generator/model.js';
import {
  invalidPayloadsFor,
  missingPromisedPayloadsFor,
  strictOnlyPayloadsFor,
} from '../generator/validators/mutations.js';
import { createOracle, type Oracle } from '../generator/validators/oracle.js';
import { detailedErrors, failureErrors } from '../generated/typescript/src/validators/detailed.js';
import * as guards from '../generated/typescript/src/validators/guards.js';
import { classify, pointerSegments } from '../generated/typescript/src/validators/issues.js';
import { loadModel } from '../generator/pipeline.js';
import { mutate, type Json } from './json-mutations.js';

let model: SpecModel;
let oracle: Oracle;

beforeAll(async () => {
  model = await loadModel();
  oracle = createOracle(model);
});

const MODES = ['tolerant', 'strict'] as const;

function guardOf(typeName: string): guards.Guard {
  const guard = (guards as unknown as Record<string, guards.Guard | undefined>)[`is${typeName}`];
  if (!guard) throw new Error(`no guard for ${typeName}`);
  return guard;
}

/** The value at a JSON Pointer, through own properties only (else undefined). */
function ownValueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Asserts that guard, detailed validator and Ajv agree on `value` against `typeName`, in both modes. */
function agree(typeName: string, value: unknown, label: string): void {
  const guard = guardOf(typeName);
  const detailed = detailedErrors(guard, value);
  expect(
    detailed.map(({ value: _received, ...error }) => error),
    `${label}: detailed errors = Ajv's`,
  ).toEqual(oracle(typeName, value));
  for (const error of detailed)
    expect(error.value, `${label}: the value received at ${error.instancePath}`).toBe(
      ownValueAt(value, error.instancePath),
    );
  for (const mode of MODES) {
    const { errors } = classify(detailed, mode, Number.MAX_SAFE_INTEGER);
    const passes = guard(value, mode === 'strict');
    expect(passes, `${label} (${mode}): guard verdict = detailed verdict`).toBe(errors.length === 0);
    if (passes) continue;
    const failure = failureErrors(guard, value, mode === 'strict');
    expect(
      classify(failure, mode, Number.MAX_SAFE_INTEGER).errors,
      `${label} (${mode}): the failure's walk finds the full walk's errors`,
    ).toEqual(errors);
  }
}

/** Values that sit near the spec's rules: IDs, date-times, enum-like strings, edge numbers. */
const nearValues: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  '',
  'abc',
  '5f3c4232c712de665632a6d9',
  '5F3C4232C712DE665632A6D9',
  '2029-12-11T00:28:59.650Z',
  '2029-02-30T00:28:59Z',
  'auto',
  'manual',
  'chrome',
  'unknown_value',
  0,
  -1,
  1.5,
  2 ** 31,
  true,
  null,
  [],
  {},
  ['5f3c4232c712de665632a6d9'],
  [1],
  { id: 'x' },
);

function topicsOf(): Topic[] {
  return model.topics;
}

describe('fast verdict === detailed verdict, detailed errors === Ajv', () => {
  it('on every spec example of every topic, and on each model inside them', () => {
    for (const topic of topicsOf()) {
      for (const example of topic.examples)
        agree(topic.typeName, example.payload, `${topic.topic} ${example.name}`);
    }
    agree(model.envelope.typeName, topicsOf()[0]!.examples[0]!.payload, 'envelope');
  });

  it('on every derived invalid payload (both modes) and every strict-only and missing-promised payload', () => {
    let count = 0;
    for (const topic of topicsOf()) {
      for (const invalid of [
        ...invalidPayloadsFor(topic, model.schemas),
        ...strictOnlyPayloadsFor(topic, model.schemas),
        ...missingPromisedPayloadsFor(topic, model.schemas),
      ]) {
        agree(topic.typeName, invalid.payload, `${topic.topic} ${invalid.name}`);
        agree(model.envelope.typeName, invalid.payload, `envelope ${topic.topic} ${invalid.name}`);
        count++;
      }
    }
    expect(count).toBeGreaterThan(500);
  });

  it('on arbitrary mutations of valid payloads (replace, delete or add anywhere)', () => {
    const mutation = fc.record({
      topic: fc.nat(),
      example: fc.nat(),
      op: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const),
      at: fc.nat(),
      value: fc.oneof(nearValues, fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>),
      key: fc.oneof(
        fc.constantFrom('id', 'kind', 'x_extra', '__proto__', 'constructor'),
        fc.string({ maxLength: 8 }),
      ),
    });
    fc.assert(
      fc.property(mutation, fc.integer({ min: 1, max: 3 }), (first, count) => {
        const topic = topicsOf()[first.topic % topicsOf().length]!;
        let payload = topic.examples[first.example % topic.examples.length]!.payload as Json;
        for (let step = 0; step < count; step++)
          payload = mutate(payload, { ...first, at: first.at + step * 7 });
        agree(topic.typeName, payload, `${topic.topic} mutated`);
      }),
      { numRuns: 2000 },
    );
  });

  it('on every model, fed the models found in the examples and mutations of them', () => {
    const models = new Map(model.models.map((doc) => [doc.typeName, doc]));
    fc.assert(
      fc.property(
        fc.constantFrom(...models.keys()),
        fc.oneof(nearValues, fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>),
        (typeName, value) => {
          agree(typeName, value, `${typeName} arbitrary`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on arbitrary JSON values for every topic', () => {
    fc.assert(
      fc.property(fc.nat(), fc.jsonValue() as fc.Arbitrary<Json>, (index, value) => {
        agree(topicsOf()[index % topicsOf().length]!.typeName, value, 'arbitrary');
      }),
      { numRuns: 500 },
    );
  });
});

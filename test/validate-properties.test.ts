/** Property tests: no JSON value makes a validator throw; extra properties never break a valid payload. */
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Topic } from '../generator/model.js';
import { modelValidators, validateWebhook, validators } from '../generated/typescript/src/validate.js';
import { isDateTime } from '../generated/typescript/src/validators/formats.js';
import { loadModel } from '../generator/pipeline.js';

let topics: Topic[];

beforeAll(async () => {
  topics = (await loadModel()).topics;
});

const modes = fc.constantFrom('tolerant' as const, 'strict' as const);
/** Keys no schema documents (a prefix keeps them apart from real property names). */
const extraKey = fc.string({ minLength: 1, maxLength: 12 }).map((key) => `x_${key}`);

describe('validators on arbitrary values', () => {
  it('never throw on any JSON value, in any mode, and always answer ok or errors', () => {
    fc.assert(
      fc.property(fc.jsonValue(), modes, (value, mode) => {
        const result = validateWebhook(value, { mode, maxErrors: 5 });
        if (!result.ok) expect(result.errors.length).toBeGreaterThanOrEqual(1);
        expect(validators['response.finished'](value, { mode }).ok).toBeTypeOf('boolean');
        expect(modelValidators.Profile(value, { mode }).ok).toBeTypeOf('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throw on webhook-shaped objects with arbitrary values at every key', () => {
    const kinds = fc.constantFrom(...topics.map((topic) => topic.topic), 'not.a.topic');
    const shaped = fc.record({
      id: fc.jsonValue(),
      kind: kinds,
      sent_at: fc.jsonValue(),
      data: fc.dictionary(
        fc.constantFrom('profile', 'tour', 'step', 'survey', 'response', 'account', 'action'),
        fc.jsonValue(),
      ),
    });
    fc.assert(
      fc.property(shaped, modes, (value, mode) => {
        const result = validateWebhook(value, { mode });
        expect(
          result.ok || result.errors.every((error) => error.path.startsWith('/') || error.path === ''),
        ).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throw on arbitrary JavaScript values (objects with __proto__, symbols, functions, cycles)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withObjectString: true,
          withNullPrototype: true,
          withBigInt: true,
          withMap: true,
          withSet: true,
          withSparseArray: true,
          withTypedArray: true,
        }),
        (value) => {
          expect(() => validateWebhook(value)).not.toThrow();
          expect(() =>
            validateWebhook({ kind: 'tour.completed', data: value, id: value, sent_at: value }),
          ).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('valid payloads with extra properties', () => {
  it("still pass, with one unknown-property warning per extra key (none for a profile's custom properties)", () => {
    const cases = fc.record({
      index: fc.nat(),
      top: fc.dictionary(extraKey, fc.jsonValue(), { maxKeys: 3 }),
      data: fc.dictionary(extraKey, fc.jsonValue(), { maxKeys: 3 }),
      model: fc.dictionary(extraKey, fc.jsonValue(), { maxKeys: 3 }),
      mode: modes,
    });
    fc.assert(
      fc.property(cases, ({ index, top, data, model, mode }) => {
        const spec = topics[index % topics.length]!;
        const payload = structuredClone(spec.examples[0]!.payload) as Record<string, any>;
        Object.assign(payload, top);
        Object.assign(payload.data, data);
        const firstModel = Object.keys(payload.data).find(
          (key) =>
            payload.data[key] &&
            typeof payload.data[key] === 'object' &&
            !Array.isArray(payload.data[key]) &&
            !(key in data) &&
            key !== 'profile',
        );
        if (firstModel) Object.assign(payload.data[firstModel], model);
        // A profile's extra keys are its custom properties, expected by design: no warning (issue 11).
        const profile = payload.data.profile;
        if (profile && typeof profile === 'object' && !('profile' in data)) Object.assign(profile, model);
        const result = validateWebhook(payload, { mode });
        expect(result.ok, JSON.stringify(result)).toBe(true);
        const expected =
          Object.keys(top).length + Object.keys(data).length + (firstModel ? Object.keys(model).length : 0);
        expect(result.warnings.filter((warning) => warning.kind === 'unknown-property')).toHaveLength(
          expected,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('date-time', () => {
  it('agrees with ajv-formats full mode on arbitrary date-time-like strings', () => {
    const full = (addFormatsPlugin as unknown as (ajv: Ajv) => Ajv)(new Ajv()).compile({
      type: 'string',
      format: 'date-time',
    });
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
    const part = <T>(common: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: common, weight: 4 }, { arbitrary: odd, weight: 1 });
    const text = fc
      .tuple(
        part(fc.integer({ min: 1600, max: 2400 }).map(String), fc.string({ maxLength: 5 })),
        part(fc.constantFrom('-'), fc.constantFrom('', '/', '--')),
        part(
          fc.integer({ min: 0, max: 13 }).map((n) => String(n).padStart(2, '0')),
          two,
        ),
        part(
          fc.integer({ min: 0, max: 32 }).map((n) => String(n).padStart(2, '0')),
          fc.string({ maxLength: 3 }),
        ),
        part(fc.constantFrom('T', 't', ' '), fc.constantFrom('\t', '\u00a0', 'X', '', 'TT')),
        fc.tuple(
          part(
            fc.integer({ min: 0, max: 25 }).map((n) => String(n).padStart(2, '0')),
            two,
          ),
          part(fc.constantFrom(':'), fc.constantFrom('', '.')),
        ),
        fc.tuple(
          part(
            fc.integer({ min: 0, max: 60 }).map((n) => String(n).padStart(2, '0')),
            two,
          ),
          fc.constantFrom(':'),
        ),
        part(
          fc.integer({ min: 0, max: 61 }).map((n) => String(n).padStart(2, '0')),
          two,
        ),
        fc.constantFrom('', '.5', '.650', '.', '.123456789', '.x'),
        fc.constantFrom(
          'Z',
          'z',
          '',
          '+01:00',
          '-01:00',
          '+0530',
          '-05',
          '+24:00',
          '+02:60',
          '+01:',
          '+1:00',
          'ZZ',
          'Z ',
          '-23:59',
          '+23:59',
        ),
      )
      .map(
        ([year, dash, month, day, separator, [hour, colon], [minute, colon2], second, fraction, zone]) =>
          `${year}${dash}${month}-${day}${separator}${hour}${colon}${minute}${colon2}${second}${fraction}${zone}`,
      );
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ maxLength: 30 })), (value) => {
        expect(isDateTime(value), JSON.stringify(value)).toBe(full(value));
      }),
      { numRuns: 20000 },
    );
  });
});

/** The generated validators against the spec: examples pass, derived defects fail where they should, nothing throws. */
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SpecModel, Topic } from '../generator/model.js';
import {
  invalidPayloadsFor,
  missingPromisedPayloadsFor,
  strictOnlyPayloadsFor,
} from '../generator/validators/mutations.js';
import {
  isWebhook,
  modelValidators,
  validateWebhook,
  validators,
  webhookSchema,
  type ValidationWarning,
} from '../generated/typescript/src/validate.js';
import { isDateTime } from '../generated/typescript/src/validators/formats.js';
import { loadModel } from '../generator/pipeline.js';

let model: SpecModel;
let tourCompleted: Record<string, any>;

beforeAll(async () => {
  model = await loadModel();
  tourCompleted = structuredClone(topic('tour.completed').examples[0]!.payload);
});

function topic(kind: string): Topic {
  const found = model.topics.find((candidate) => candidate.topic === kind);
  if (!found) throw new Error(`no topic ${kind}`);
  return found;
}

const MODES = ['tolerant', 'strict'] as const;

describe('spec examples', () => {
  it('every example of every topic validates in both modes, with no warning', () => {
    expect(model.topics).toHaveLength(27);
    for (const { topic: kind, examples } of model.topics) {
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        for (const mode of MODES) {
          const result = validateWebhook(example.payload, { mode });
          expect(result, `${kind} ${example.name} (${mode})`).toMatchObject({
            ok: true,
            known: true,
            warnings: [],
          });
          expect(validators[kind as keyof typeof validators](example.payload, { mode }).ok).toBe(true);
        }
      }
    }
  });
});

describe('invalid payloads derived from the spec', () => {
  it('each defect is rejected in both modes with exactly one error, at its path', () => {
    let count = 0;
    for (const spec of model.topics) {
      const payloads = invalidPayloadsFor(spec, model.schemas);
      const names = payloads.map((payload) => payload.name);
      expect(new Set(names).size, `${spec.topic}: names are unique`).toBe(names.length);
      for (const invalid of payloads) {
        for (const mode of MODES) {
          const result = validateWebhook(invalid.payload, { mode });
          const where = `${spec.topic} ${invalid.name} (${mode})`;
          expect(result.ok, where).toBe(false);
          if (result.ok) continue;
          expect(
            result.errors.map((error) => error.path),
            where,
          ).toEqual([invalid.errorPath]);
          const [error] = result.errors;
          expect(error!.message, where).toContain(invalid.errorPath);
          expect(error!.message.includes('\n'), where).toBe(false);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(500);
  });

  it('covers every kind of defect the issue names, for every topic', () => {
    for (const spec of model.topics) {
      const names = invalidPayloadsFor(spec, model.schemas)
        .map((payload) => payload.name)
        .join(' ');
      expect(names, spec.topic).toMatch(/kind-not-a-string/);
      expect(names, spec.topic).toMatch(/-missing\b/);
      expect(names, spec.topic).toMatch(/-wrong-type\b/);
      expect(names, spec.topic).toMatch(/-not-a-chameleon-id\b/);
      expect(names, spec.topic).toMatch(/sent-at-not-a-date-time/);
    }
    const withEnums = model.topics.filter((spec) =>
      invalidPayloadsFor(spec, model.schemas).some((p) => p.name.endsWith('-not-in-enum')),
    );
    expect(withEnums.length).toBeGreaterThan(20);
  });

  it('is deterministic', () => {
    const spec = topic('response.finished');
    expect(invalidPayloadsFor(spec, model.schemas)).toEqual(invalidPayloadsFor(spec, model.schemas));
  });

  it('says what was expected and what was received', () => {
    const payload = structuredClone(tourCompleted);
    payload.data.tour.id = 'abc';
    const result = validateWebhook(payload);
    expect(result).toMatchObject({
      ok: false,
      errors: [
        {
          path: '/data/tour/id',
          keyword: 'pattern',
          expected: 'a Chameleon ID (24 lowercase hex characters)',
          received: '"abc"',
          message: '/data/tour/id: expected a Chameleon ID (24 lowercase hex characters), received "abc"',
        },
      ],
    });
  });

  it('reports all errors, up to maxErrors', () => {
    const payload = structuredClone(tourCompleted);
    payload.id = 1;
    payload.sent_at = 'yesterday';
    payload.data.tour.id = 'x';
    payload.data.profile.id = 'y';
    const all = validateWebhook(payload);
    expect(all.ok ? [] : all.errors.map((error) => error.path)).toEqual([
      '/id',
      '/sent_at',
      '/data/profile/id',
      '/data/tour/id',
    ]);
    const capped = validateWebhook(payload, { maxErrors: 2 });
    expect(capped.ok ? 0 : capped.errors.length).toBe(2);
  });
});

describe('tolerant and strict modes', () => {
  it('an unknown value of a closed enum: an error in strict mode, a warning in tolerant mode', () => {
    let count = 0;
    for (const spec of model.topics) {
      for (const payload of strictOnlyPayloadsFor(spec, model.schemas)) {
        const strict = validateWebhook(payload.payload, { mode: 'strict' });
        expect(strict.ok ? [] : strict.errors.map((error) => [error.path, error.keyword])).toEqual([
          [payload.errorPath, 'enum'],
        ]);
        const tolerant = validateWebhook(payload.payload);
        expect(tolerant.ok).toBe(true);
        expect(tolerant.warnings).toEqual([
          expect.objectContaining({ path: payload.errorPath, kind: 'unknown-enum-value' }),
        ]);
        count++;
      }
    }
    // Spec 1.0 opened the enums the vendor may grow; consent_mode and step_additional_trigger stay closed.
    expect(count).toBeGreaterThan(20);
  });

  it('a missing promised property (x-required-strict): an error in strict mode, nothing at all in tolerant mode', () => {
    const topics = new Set<string>();
    for (const spec of model.topics) {
      for (const payload of missingPromisedPayloadsFor(spec, model.schemas)) {
        const strict = validateWebhook(payload.payload, { mode: 'strict' });
        expect(strict.ok ? [] : strict.errors.map((error) => [error.path, error.keyword])).toEqual([
          [payload.errorPath, 'requiredStrict'],
        ]);
        expect(strict.ok ? '' : strict.errors[0]!.message).toMatch(/is missing \(promised by the docs\)$/);
        const tolerant = validateWebhook(payload.payload);
        expect(tolerant).toMatchObject({ ok: true, warnings: [] });
        topics.add(spec.topic);
      }
    }
    expect([...topics].sort()).toEqual([
      'demo.email.added',
      'demo.finished',
      'demo.form.submitted',
      'demo.reveal',
      'embed.snoozed',
      'survey.snoozed',
      'tour.snoozed',
    ]);
  });

  it('undocumented properties pass in both modes and are reported as warnings and to onWarning', () => {
    const payload = structuredClone(tourCompleted);
    payload.delivery_attempt = 2;
    payload.data.tour.plan_name = 'pro';
    payload.data.extra_model = {};
    for (const mode of MODES) {
      const onWarning = vi.fn<(warning: ValidationWarning) => void>();
      const result = validateWebhook(payload, { mode, onWarning });
      expect(result.ok).toBe(true);
      const paths = result.warnings.map((warning) => `${warning.kind} ${warning.path}`).sort();
      expect(paths).toEqual([
        'unknown-property /data/extra_model',
        'unknown-property /data/tour/plan_name',
        'unknown-property /delivery_attempt',
      ]);
      expect(onWarning.mock.calls.map(([warning]) => warning)).toEqual(result.warnings);
    }
  });

  it('custom properties of profiles and companies are never a warning, in either mode (issue 11)', () => {
    const payload = structuredClone(tourCompleted);
    payload.data.profile.plan_name = 'pro';
    payload.data.profile.lifetime_value = 1200.5;
    payload.data.profile.company = { id: '5f3c4232c712de665632a6d9', industry: 'retail', seats: 40 };
    for (const mode of MODES) {
      const onWarning = vi.fn<(warning: ValidationWarning) => void>();
      expect(validateWebhook(payload, { mode, onWarning })).toMatchObject({ ok: true, warnings: [] });
      expect(onWarning).not.toHaveBeenCalled();
      expect(modelValidators.Profile(payload.data.profile, { mode })).toMatchObject({
        ok: true,
        warnings: [],
      });
    }
    // Their documented properties are still checked.
    payload.data.profile.company.uid = { not: 'an id' };
    expect(validateWebhook(payload).ok).toBe(false);
  });

  it('open enums (x-open-enum) accept any value of their type in both modes, without a warning', () => {
    const payload = structuredClone(topic('tour.completed').examples[0]!.payload) as Record<string, any>;
    payload.data.action = { ...payload.data.action, group_kind: 'something_new' };
    for (const mode of MODES)
      expect(validateWebhook(payload, { mode })).toMatchObject({ ok: true, warnings: [] });
    payload.data.action.group_kind = 5;
    expect(validateWebhook(payload, { mode: 'tolerant' }).ok).toBe(false);
  });

  it('nullable values accept null and say so when they fail', () => {
    const payload = structuredClone(tourCompleted);
    payload.data.tour.published_at = null;
    expect(validateWebhook(payload, { mode: 'strict' }).ok).toBe(true);
    payload.data.tour.published_at = 5;
    const result = validateWebhook(payload);
    expect(result.ok ? undefined : result.errors[0]!.expected).toBe('a string or null');
    const demo = structuredClone(topic('demo.started').examples[0]!.payload) as Record<string, any>;
    demo.data.profile = null;
    expect(validateWebhook(demo, { mode: 'strict' }).ok).toBe(true);
    demo.data.profile = { id: 'nope', custom: 1 };
    demo.data.demo.extra = 1;
    const failed = validateWebhook(demo);
    expect(failed.ok ? [] : failed.errors.map((error) => error.path)).toEqual(['/data/profile/id']);
    // A profile's custom property is no warning; an undocumented key of the Demo is.
    expect(failed.warnings.map((warning) => warning.path)).toEqual(['/data/demo/extra']);
  });
});

describe('unknown topics', () => {
  it('are validated as the envelope and returned as the unknown-topic case', () => {
    const payload = { ...tourCompleted, kind: 'tour.teleported' };
    const result = validateWebhook(payload);
    expect(result).toMatchObject({ ok: true, known: false, webhook: payload });
    expect(result.warnings).toEqual([expect.objectContaining({ kind: 'unknown-topic', path: '/kind' })]);
    const broken = validateWebhook({ ...payload, id: 'nope' });
    expect(broken.ok ? [] : broken.errors.map((error) => error.path)).toEqual(['/id']);
  });

  it('are rejected with unknownTopics: reject', () => {
    const result = validateWebhook(
      { ...tourCompleted, kind: 'tour.teleported' },
      { unknownTopics: 'reject' },
    );
    expect(result).toMatchObject({ ok: false, errors: [{ path: '/kind', keyword: 'unknown-topic' }] });
  });
});

describe('never throws', () => {
  const deep = () => {
    let value: Record<string, unknown> = {};
    for (let depth = 0; depth < 10_000; depth++) value = { nested: value };
    return value;
  };
  const cyclic = () => {
    const value: Record<string, any> = structuredClone(tourCompleted);
    value.data.profile.self = value;
    value.data.tour.self = value;
    value.data.loop = value.data;
    return value;
  };
  const hostile: Array<[string, () => unknown]> = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['a string', () => 'tour.completed'],
    ['a number', () => 42],
    ['an array', () => [tourCompleted]],
    ['a function', () => () => tourCompleted],
    ['a symbol', () => Symbol('webhook')],
    ['a bigint', () => 10n],
    ['a cyclic object', cyclic],
    ['10,000 levels of nesting', () => ({ ...tourCompleted, data: deep() })],
    [
      '10,000 levels of nesting in a profile',
      () => ({
        ...tourCompleted,
        data: { ...tourCompleted.data, profile: { ...tourCompleted.data.profile, x: deep() } },
      }),
    ],
    ['a 100 MB kind', () => ({ ...tourCompleted, kind: 'k'.repeat(100 * 1024 * 1024) })],
    ['a 100 MB id', () => ({ ...tourCompleted, id: 'a'.repeat(100 * 1024 * 1024) })],
    [
      '__proto__ keys from JSON.parse',
      () => JSON.parse('{"__proto__":{"kind":"tour.completed"},"data":{"__proto__":{"x":1}}}'),
    ],
    [
      'a getter that throws',
      () =>
        Object.defineProperty({ ...tourCompleted }, 'sent_at', {
          enumerable: true,
          get: () => {
            throw new Error('boom');
          },
        }),
    ],
    [
      'a Proxy that throws',
      () =>
        new Proxy(
          {},
          {
            get: () => {
              throw new Error('trap');
            },
            ownKeys: () => {
              throw new Error('trap');
            },
          },
        ),
    ],
  ];

  it.each(hostile)('%s', (_name, make) => {
    const value = make();
    for (const mode of MODES) {
      let result: ReturnType<typeof validateWebhook> | undefined;
      expect(() => (result = validateWebhook(value, { mode }))).not.toThrow();
      expect(typeof result?.ok).toBe('boolean');
      if (result && !result.ok) {
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) expect(error.message.length).toBeLessThan(400);
      }
      expect(() => validators['tour.completed'](value, { mode })).not.toThrow();
      expect(() => isWebhook(value)).not.toThrow();
    }
  });

  it('a cyclic object with valid documented fields is accepted, its extra keys reported', () => {
    const result = validateWebhook(cyclic());
    expect(result.ok).toBe(true);
    // `data.profile.self` is a custom property of the profile: by design, no warning.
    expect(result.warnings.map((warning) => warning.path).sort()).toEqual(['/data/loop', '/data/tour/self']);
  });
});

describe('per-topic and per-model validators', () => {
  it('isWebhook guards by kind', () => {
    expect(isWebhook(tourCompleted)).toBe(true);
    expect(isWebhook(tourCompleted, 'tour.completed')).toBe(true);
    expect(isWebhook(tourCompleted, 'tour.started')).toBe(false);
    expect(isWebhook({ ...tourCompleted, kind: 'tour.teleported' })).toBe(false);
    expect(isWebhook({ ...tourCompleted, id: 1 }, 'tour.completed')).toBe(false);
  });

  it('model validators check one model', () => {
    expect(modelValidators.Profile(tourCompleted.data.profile).ok).toBe(true);
    expect(modelValidators.Profile.is({ id: 'x' })).toBe(false);
    const result = modelValidators.Tour({ id: tourCompleted.data.tour.id, style: 'auto', position: 'first' });
    expect(result.ok ? [] : result.errors.map((error) => error.path)).toEqual(['/position']);
  });

  it('implement Standard Schema v1', () => {
    const standard = validators['tour.completed']['~standard'];
    expect(standard).toMatchObject({ version: 1, vendor: 'chameleon-webhooks' });
    expect(standard.validate(tourCompleted)).toEqual({ value: tourCompleted });
    const failed = standard.validate({ ...tourCompleted, sent_at: 'soon' });
    expect(failed.issues).toEqual([expect.objectContaining({ path: ['sent_at'] })]);
    const nested = webhookSchema['~standard'].validate({
      ...tourCompleted,
      data: { ...tourCompleted.data, tour: { id: 'x' } },
    });
    expect(nested.issues?.[0]?.path).toEqual(['data', 'tour', 'id']);
  });
});

describe('date-time', () => {
  const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
  const full = addFormats(new Ajv()).compile({ type: 'string', format: 'date-time' });
  const cases = [
    '2029-12-11T00:28:59.650Z',
    '2029-12-11T00:28:59Z',
    '2029-12-11t00:28:59z',
    '2029-12-11 00:28:59Z',
    '2029-12-11T00:28:59+02:00',
    '2029-12-11T00:28:59-0230',
    '2029-12-11T00:28:59+05',
    '2029-12-11T00:28:59.123456789Z',
    '2024-02-29T12:00:00Z',
    '2023-02-29T12:00:00Z',
    '2000-02-29T12:00:00Z',
    '1900-02-29T12:00:00Z',
    '2029-02-30T12:00:00Z',
    '2029-13-01T00:00:00Z',
    '2029-00-10T00:00:00Z',
    '2029-04-31T00:00:00Z',
    '2029-04-00T00:00:00Z',
    '2029-12-11T24:00:00Z',
    '2029-12-11T23:60:00Z',
    '2029-12-11T23:59:60Z',
    '2029-12-11T22:59:60-01:00',
    '2029-12-11T23:59:60+01:00',
    '2029-12-11T23:59:61Z',
    '2029-12-11T00:28:59',
    '2029-12-11T00:28:59+24:00',
    '2029-12-11T00:28:59+02:60',
    '2029-12-11',
    '2029-12-11T00:28Z',
    '29-12-11T00:28:59Z',
    '2029-12-11T00:28:59.Z',
    '2029-12-11T00:28:59ZZ',
    ' 2029-12-11T00:28:59Z',
    '2029-12-11T00:28:59Z ',
    '2029-12-11\t00:28:59Z',
    '2029-12-11X00:28:59Z',
    '２０２９-12-11T00:28:59Z',
    '',
    // ajv-formats' leap-second rule taken to the letter: 23:59 UTC by the offset, any second below 61.
    '2029-12-11T24:59:30+01:00',
    '2029-12-11T00:59:60+01:00',
    '2029-12-11T00:00:60+00:01',
    '2029-12-11T23:59:60.5Z',
    '2029-12-11T23:59:61.5Z',
  ];

  it.each(cases)('agrees with ajv-formats full mode on %j', (text) => {
    expect(isDateTime(text)).toBe(full(text));
  });

  it('rejects month 13 and Feb 30 and accepts leap days', () => {
    expect(isDateTime('2029-13-01T00:00:00Z')).toBe(false);
    expect(isDateTime('2029-02-30T00:00:00Z')).toBe(false);
    expect(isDateTime('2028-02-29T00:00:00Z')).toBe(true);
  });
});

/**
 * One contract: the fixtures package's schemas (generated/fixtures/schemas/*.json),
 * read by a stock draft-07 validator (Ajv with ajv-formats, our keywords unknown to it),
 * and the library's strict mode give the same verdict on every fixture, every derived
 * invalid payload and 20,000 random mutations of them. And a validator that does not
 * assert `format` reaches every verdict but those the manifest marks `format-assertion`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateWebhook } from '../generated/typescript/src/validate.js';
import type { SpecModel } from '../generator/model.js';
import { loadModel } from '../generator/pipeline.js';
import { invalidPayloadsFor, strictOnlyPayloadsFor } from '../generator/validators/mutations.js';
import { GENERATED_DIR } from './helpers.js';
import { mutate, type Json } from './json-mutations.js';

interface Fixture {
  topic: string;
  name: string;
  file: string;
  schema: string;
  valid: boolean;
  errorPath?: string;
  requires?: string[];
  tolerant?: { valid: boolean; warning: string };
}

const FIXTURES_DIR = path.join(GENERATED_DIR, 'fixtures');
const MUTATIONS = 20_000;

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

/** Every topic's shipped schema, compiled as a stock validator would: formats asserted or not. */
async function stockValidators(assertFormats: boolean): Promise<Map<string, ValidateFunction>> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: assertFormats });
  if (assertFormats) addFormats(ajv);
  const dir = path.join(FIXTURES_DIR, 'schemas');
  const validators = new Map<string, ValidateFunction>();
  for (const file of (await readdir(dir)).sort()) {
    const schema = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as object;
    validators.set(file.replace(/\.json$/, ''), ajv.compile(schema));
  }
  return validators;
}

let model: SpecModel;
let withFormats: Map<string, ValidateFunction>;
let withoutFormats: Map<string, ValidateFunction>;
let fixtures: Array<Fixture & { payload: Json }>;

beforeAll(async () => {
  model = await loadModel();
  withFormats = await stockValidators(true);
  withoutFormats = await stockValidators(false);
  const manifest = JSON.parse(await readFile(path.join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as {
    fixtures: Fixture[];
  };
  fixtures = await Promise.all(
    manifest.fixtures.map(async (fixture) => ({
      ...fixture,
      payload: JSON.parse(await readFile(path.join(FIXTURES_DIR, fixture.file), 'utf8')) as Json,
    })),
  );
});

/** The library's verdict: strict mode, and a `kind` other than the topic's is not that topic. */
function libraryAccepts(topic: string, payload: unknown): boolean {
  const result = validateWebhook(payload, { mode: 'strict', unknownTopics: 'reject' });
  return result.ok && result.webhook.kind === topic;
}

function ajvAccepts(validators: Map<string, ValidateFunction>, topic: string, payload: unknown): boolean {
  const validate = validators.get(topic);
  if (!validate) throw new Error(`no shipped schema for ${topic}`);
  return validate(payload) as boolean;
}

/** A disagreement between the shipped schema and the library, or undefined. */
function disagreement(topic: string, payload: unknown, label: string): string | undefined {
  const ajv = ajvAccepts(withFormats, topic, payload);
  const library = libraryAccepts(topic, payload);
  return ajv === library ? undefined : `${label}: Ajv says ${ajv}, strict mode says ${library}`;
}

/** Values near the spec's rules: IDs, date-times of every shape, enum values known and not, edge numbers. */
const nearValues: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  '',
  'abc',
  '5f3c4232c712de665632a6d9',
  '5F3C4232C712DE665632A6D9',
  '2029-12-11T00:28:59.650Z',
  '2029-12-11t00:28:59z',
  '2029-12-11 00:28:59+01:00',
  '2029-12-11T00:28:59+0100',
  '2029-12-11T00:28:59',
  '2029-02-30T00:28:59Z',
  '2028-02-29T00:28:59Z',
  '2029-02-29T00:28:59Z',
  '2029-13-01T00:28:59Z',
  '2029-12-11T24:00:00Z',
  '2029-12-31T23:59:60Z',
  'auto',
  'manual',
  'chrome',
  'link',
  'survey_nps',
  'unknown_value',
  0,
  -1,
  1.5,
  2 ** 31,
  7,
  true,
  null,
  [],
  {},
  ['5f3c4232c712de665632a6d9'],
  ['url', 'not-a-kind'],
  [1],
  { id: 'x' },
);

describe('the shipped schemas (Ajv) and strict mode: one verdict', () => {
  it('on every fixture of the manifest, and Ajv reaches the manifest verdict', () => {
    const problems: string[] = [];
    for (const fixture of fixtures) {
      const found = disagreement(fixture.topic, fixture.payload, fixture.file);
      if (found) problems.push(found);
      if (ajvAccepts(withFormats, fixture.topic, fixture.payload) !== fixture.valid)
        problems.push(`${fixture.file}: Ajv does not reach the manifest's verdict`);
    }
    expect(problems).toEqual([]);
    expect(fixtures.length).toBeGreaterThan(1000);
  });

  it('on every derived invalid and strict-only payload', () => {
    const problems: string[] = [];
    let count = 0;
    for (const topic of model.topics) {
      for (const invalid of [
        ...invalidPayloadsFor(topic, model.schemas),
        ...strictOnlyPayloadsFor(topic, model.schemas),
      ]) {
        const found = disagreement(topic.topic, invalid.payload, `${topic.topic}/${invalid.name}`);
        if (found) problems.push(found);
        count++;
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(900);
  });

  it(`on ${MUTATIONS} mutations of the fixtures (replace, delete or add, one to three times)`, () => {
    const problems: string[] = [];
    const outcomes = { accepted: 0, rejected: 0 };
    const mutation = fc.record({
      fixture: fc.nat(),
      op: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const),
      at: fc.nat(),
      value: fc.oneof(nearValues, fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>),
      key: fc.oneof(fc.constantFrom('id', 'kind', 'x_extra', '__proto__'), fc.string({ maxLength: 8 })),
    });
    fc.assert(
      fc.property(mutation, fc.integer({ min: 1, max: 3 }), (first, count) => {
        const fixture = fixtures[first.fixture % fixtures.length]!;
        let payload = fixture.payload;
        for (let step = 0; step < count; step++)
          payload = mutate(payload, { ...first, at: first.at + step * 7 });
        const found = disagreement(fixture.topic, payload, `${fixture.file} mutated`);
        if (found) problems.push(`${found}: ${JSON.stringify(payload).slice(0, 400)}`);
        outcomes[libraryAccepts(fixture.topic, payload) ? 'accepted' : 'rejected']++;
      }),
      { numRuns: MUTATIONS, seed: 14 },
    );
    expect(problems).toEqual([]);
    expect(outcomes.accepted + outcomes.rejected).toBe(MUTATIONS);
    // Both verdicts occur often: a differential over one verdict would prove nothing.
    expect(Math.min(outcomes.accepted, outcomes.rejected)).toBeGreaterThan(MUTATIONS / 20);
  });
});

describe('tolerant mode, as the manifest records it', () => {
  it('reaches `tolerant.valid` where the manifest gives one, with its warning at errorPath, and `valid` elsewhere', () => {
    const problems: string[] = [];
    for (const fixture of fixtures) {
      const result = validateWebhook(fixture.payload, { mode: 'tolerant', unknownTopics: 'reject' });
      const accepted = result.ok && result.webhook.kind === fixture.topic;
      if (accepted !== (fixture.tolerant?.valid ?? fixture.valid))
        problems.push(`${fixture.file}: tolerant mode says ${accepted}`);
      const warned = result.warnings.some(
        (warning) => warning.kind === fixture.tolerant?.warning && warning.path === fixture.errorPath,
      );
      if (fixture.tolerant && !warned)
        problems.push(`${fixture.file}: no ${fixture.tolerant.warning} warning`);
    }
    expect(problems).toEqual([]);
    // Exactly the unknown values of closed enums have a tolerant verdict of their own.
    const closedUnknown = fixtures.filter((f) => !f.valid && f.name.endsWith('-unknown-enum-value'));
    expect(closedUnknown.length).toBeGreaterThan(0);
    expect(fixtures.filter((fixture) => fixture.tolerant).map((f) => f.file)).toEqual(
      closedUnknown.map((f) => f.file),
    );
  });
});

describe('format assertion, as the manifest marks it', () => {
  it('without format assertion, a stock validator reaches every verdict but the marked ones', () => {
    const reached = fixtures.filter(
      (fixture) => ajvAccepts(withoutFormats, fixture.topic, fixture.payload) === fixture.valid,
    );
    const marked = fixtures.filter((fixture) => fixture.requires?.includes('format-assertion'));
    expect(fixtures.filter((fixture) => !reached.includes(fixture)).map((f) => f.file)).toEqual(
      marked.map((f) => f.file),
    );
    expect(marked.every((fixture) => !fixture.valid)).toBe(true);
  });

  it('the date-time pattern lets stock validators catch a month out of range', () => {
    const months = fixtures.filter(
      (fixture) => fixture.name.endsWith('not-a-date-time') && !fixture.requires?.length,
    );
    expect(months.length).toBeGreaterThan(0);
    for (const fixture of months)
      expect(ajvAccepts(withoutFormats, fixture.topic, fixture.payload), fixture.file).toBe(false);
  });
});

describe('open enums in the shipped schemas', () => {
  it('accept an unknown string where the library does, and still list the known values', async () => {
    const schema = JSON.parse(await readFile(path.join(FIXTURES_DIR, 'schemas/embed.started.json'), 'utf8'));
    expect(schema.definitions.CampaignAction.properties.group_kind).toMatchObject({
      anyOf: [
        {
          enum: [
            null,
            'link',
            'api_js',
            'launcher',
            'experiment',
            'campaign',
            'delivery',
            'helpbar',
            'agent',
          ],
        },
        { type: ['null', 'string'] },
      ],
      'x-open-enum': true,
    });
    const fixture = fixtures.find((f) => f.file === 'payloads/embed.started/full.json')!;
    const payload = structuredClone(fixture.payload) as { data: { action: { group_kind: Json } } };
    payload.data.action.group_kind = 'a-kind-from-next-year';
    expect(libraryAccepts('embed.started', payload)).toBe(true);
    expect(ajvAccepts(withFormats, 'embed.started', payload)).toBe(true);
    payload.data.action.group_kind = 7;
    expect(libraryAccepts('embed.started', payload)).toBe(false);
    expect(ajvAccepts(withFormats, 'embed.started', payload)).toBe(false);
  });
});

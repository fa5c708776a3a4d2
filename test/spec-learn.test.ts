/**
 * spec:learn's rules one by one (the end-to-end test covers the proposals of a whole corpus):
 * what it widens, what it opens, and what it leaves to a person instead of guessing; its inputs;
 * and the lint of the `x-learned` evidence it writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, SpecError } from '../generator/generate.js';
import type { SpecModel } from '../generator/model.js';
import { loadSpec, type SpecFile } from '../generator/spec/load.js';
import { learn } from '../generator/spec-learn/propose.js';
import { readInput, type Delivery } from '../generator/spec-learn/read.js';
import { copySpec, editJson, SPEC_DIR } from './helpers.js';
import { exampleOf } from './verify-deliveries.js';

let model: SpecModel;
let raw: SpecFile[];
const scratch = mkdtempSync(path.join(tmpdir(), 'chameleon-learn-'));
beforeAll(async () => {
  model = await loadModel(SPEC_DIR);
  raw = (await loadSpec(SPEC_DIR)).files;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** tour.completed deliveries, each edited. */
function tours(...edits: Array<(payload: any) => void>): Delivery[] {
  return edits.map((edit, index) => {
    const body = exampleOf('tour.completed') as any;
    edit(body);
    return { source: `t.jsonl:${index + 1}`, seenAt: `2026-11-0${index + 1}T00:00:00.000Z`, body };
  });
}

describe('what spec:learn decides', () => {
  it('a string that got integers becomes string | integer (a numeric uid, as the REST docs show)', () => {
    const result = learn(
      model,
      raw,
      tours(
        (p) => (p.data.profile.uid = 92340834),
        () => {},
      ),
    );
    expect(result.proposals).toEqual([
      expect.objectContaining({
        change: 'type-widened',
        file: 'models/profile.json',
        pointer: '/properties/uid',
        evidence: expect.objectContaining({ deliveries: 1, of: 2, example: 't.jsonl:1#/data/profile/uid' }),
      }),
    ]);
    expect(readType(result.files.get('models/profile.json'), 'uid')).toEqual(['string', 'integer']);
  });

  it(`a closed enum that got many new values is opened`, () => {
    const styles = ['modal', 'sheet', 'toast', 'drawer'];
    const result = learn(
      model,
      raw,
      tours(...styles.map((style) => (p: any) => (p.data.tour.style = style))),
    );
    const tour = result.files.get('models/tour.json') as any;
    const [proposal] = result.proposals;
    expect(proposal).toMatchObject({
      change: 'enum-opened',
      file: 'models/tour.json',
      pointer: '/properties/style',
    });
    expect(tour.properties.style['x-open-enum']).toBe(true);
    expect(tour.properties.style.enum.slice(-4)).toEqual(styles);
  });

  it('custom properties of a profile are not proposed, by design', () => {
    const result = learn(
      model,
      raw,
      tours((p) => (p.data.profile.plan = 'pro')),
    );
    expect(result.proposals).toEqual([]);
    expect(result.customProperties).toEqual({ 'models/profile.json': ['plan'] });
  });
});

describe('what spec:learn leaves to a person', () => {
  it.each([
    ['only null seen', (p: any) => (p.data.tour.sunset_at = null), /only null was seen/],
    [
      'values of several types',
      (p: any, i: number) => (p.data.tour.theme = i ? 'dark' : { name: 'dark' }),
      /several types \(object, string\)/,
    ],
    [
      'a shared definition refused a value (an upper-case ID)',
      (p: any) => (p.data.tour.id = p.data.tour.id.toUpperCase()),
      /a shared definition refused string values/,
    ],
    [
      'a required key was absent',
      (p: any) => delete p.data.step,
      /required, but absent from 2 of 2: making it optional is a breaking change/,
    ],
    [
      'a type that does not widen (an object for a string)',
      (p: any) => (p.data.tour.name = { en: 'x' }),
      /no widening rule applies/,
    ],
  ])('%s', (_name, edit, want) => {
    const result = learn(
      model,
      raw,
      tours(
        (p) => edit(p, 0),
        (p) => edit(p, 1),
      ),
    );
    expect(result.proposals).toEqual([]);
    expect(result.human.map((note) => note.what)).toEqual([expect.stringMatching(want)]);
    expect(result.human[0]!.example).toMatch(/^t\.jsonl:1#\//);
  });
});

function readType(json: unknown, property: string): unknown {
  return (json as any).properties[property].type;
}

describe('a new topic', () => {
  it('reuses the models of unambiguous keys, and leaves a key that names several models to a person', () => {
    const [delivery] = tours((p) => (p.kind = 'tour.reset'));
    const result = learn(model, raw, [delivery!]);
    const data = (result.files.get('topics/tour.reset.json') as any).properties.data;
    expect(Object.keys(data.properties)).toEqual(['profile', 'tour', 'step']);
    expect(data.properties.profile).toEqual({ $ref: '../models/profile.json' });
    expect(result.human).toEqual([
      expect.objectContaining({
        where: 'topic tour.reset.data.action',
        what: expect.stringMatching(/different models/),
      }),
    ]);
  });
});

describe('inputs', () => {
  it('plain payload files (one webhook or an array) and capture lines, with bad entries reported', async () => {
    const single = path.join(scratch, 'one.json');
    const many = path.join(scratch, 'many.json');
    const lines = path.join(scratch, 'c.jsonl');
    writeFileSync(single, JSON.stringify(exampleOf('ping')));
    writeFileSync(many, JSON.stringify([exampleOf('ping'), { not: 'a webhook' }]));
    const captured = { received_at: '2026-11-05T10:00:00.000Z', body: JSON.stringify(exampleOf('ping')) };
    writeFileSync(lines, `${JSON.stringify(captured)}\nnot json\n`);
    expect(await readInput(single, 'one.json')).toEqual([
      expect.objectContaining({ source: 'one.json', body: exampleOf('ping') }),
    ]);
    expect(await readInput(many, 'many.json')).toEqual([
      expect.objectContaining({ source: 'many.json:1' }),
      { source: 'many.json:2', reason: 'not a webhook (no kind or data)' },
    ]);
    expect(await readInput(lines, 'c.jsonl')).toEqual([
      expect.objectContaining({ source: 'c.jsonl:1', seenAt: '2026-11-05T10:00:00.000Z' }),
      { source: 'c.jsonl:2', reason: 'the line is not JSON' },
    ]);
  });
});

describe('the lint of x-learned', () => {
  it('accepts well-formed evidence beside a $ref, refuses malformed evidence', async () => {
    const dir = await copySpec();
    try {
      const good = {
        change: 'property',
        deliveries: 2,
        of: 3,
        firstSeen: '2026-11-01T00:00:00.000Z',
        lastSeen: '2026-11-02T00:00:00.000Z',
        example: 'c.jsonl:1#/data/tour/owner_id',
      };
      await editJson(path.join(dir, 'models/tour.json'), (json) => {
        json.properties.owner_id = { $ref: '../common.json#/definitions/ChameleonId', 'x-learned': good };
      });
      await expect(loadModel(dir)).resolves.toBeDefined();
      await editJson(path.join(dir, 'models/tour.json'), (json) => {
        json.properties.owner_id['x-learned'] = { ...good, deliveries: 4, firstSeen: 'yesterday', extra: 1 };
      });
      const error = await loadModel(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).problems).toEqual([
        'spec/models/tour.json#/properties/owner_id: x-learned needs deliveries (at most of), firstSeen (UTC ISO 8601), no other keys (found extra)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

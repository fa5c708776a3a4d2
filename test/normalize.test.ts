/** Normalization predicts what Chameleon stores: every documented example, the documented choices, and properties. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normalizeName,
  normalizeProperties,
  truncateUtf8,
  utf8ByteLength,
} from '../generated/typescript/src/incoming/normalize.js';
import { SPEC_DIR } from './helpers.js';

const api = JSON.parse(readFileSync(path.join(SPEC_DIR, 'api.json'), 'utf8'));
const examples: Array<{ input: string; output: string }> = api.incoming.normalizationExamples;
const { valueBytes, maxHashDepth } = api.incoming.limits as { valueBytes: number; maxHashDepth: number };
const reservedKeys: string[] = api.incoming.reservedKeys;

const bytes = (text: string) => new TextEncoder().encode(text).length;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every string, array item and hash value of a normalized result. */
function leaves(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [value];
}

function hashDepth(value: unknown): number {
  if (Array.isArray(value)) return Math.max(0, ...value.map(hashDepth));
  if (value && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(hashDepth));
  return 0;
}

describe('normalizeName: the documented examples (spec/api.json normalizationExamples)', () => {
  it('has the examples of chameleon-facts §5.4', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
    expect(examples).toContainEqual({ input: 'ImporteD leads', output: 'imported_leads' });
  });

  it.each(examples)('$input → $output', ({ input, output }) => {
    expect(normalizeName(input)).toBe(output);
    // The same rule renames property keys.
    expect(normalizeProperties({ [input]: 1 }).properties).toEqual({ [output]: 1 });
  });
});

describe('normalizeName: the choices the docs leave open (docs/normalization.md)', () => {
  it.each([
    // acronyms: a run of capitals is one word; a capital followed by lower case starts a new one
    ['HTMLParser', 'html_parser'],
    ['userID', 'user_id'],
    ['ABC', 'abc'],
    ['iPhone', 'i_phone'],
    // a lone capital ending a word does not split it (the documented ImporteD case)
    ['ImporteD', 'imported'],
    // digits stick to the word before them and never start a word on their own
    ['plan2Name', 'plan2_name'],
    ['2ndPlace', '2nd_place'],
    ['v2API', 'v2api'],
    ['utm_source1', 'utm_source1'],
    ['4XX', '4xx'],
    // repeated, leading and trailing separators
    ['a--b  c', 'a_b_c'],
    ['__private__', 'private'],
    ['  Plan   Name  ', 'plan_name'],
    ['plan.name/v2', 'plan_name_v2'],
    // unicode: accents removed, letters of any script kept, compatibility forms folded
    ['Café Crème', 'cafe_creme'],
    ['İstanbul', 'istanbul'],
    ['ﬁle', 'file'],
    ['日本語 Name', '日本語_name'],
    ['Straße', 'straße'],
    // nothing left
    ['!!!', ''],
  ])('%s → %s', (input, output) => {
    expect(normalizeName(input)).toBe(output);
  });
});

describe('normalizeProperties', () => {
  it('renames without warnings (the issue example)', () => {
    expect(normalizeProperties({ planName: 'Growth' })).toEqual({
      properties: { plan_name: 'Growth' },
      warnings: [],
    });
  });

  it('warns when two keys normalize to the same name; the later key wins', () => {
    const result = normalizeProperties({ planName: 'first', plan_name: 'second', other: 1 });
    expect(result.properties).toEqual({ plan_name: 'second', other: 1 });
    expect(Object.keys(result.properties)).toEqual(['plan_name', 'other']);
    expect(result.warnings).toEqual([
      { path: '/planName', kind: 'duplicate-key', message: expect.stringContaining('"plan_name" is kept') },
    ]);
  });

  it('lets a documented key win over a custom key that normalizes onto it, whatever the order', () => {
    for (const input of [
      { uid: 'real', UID: 'custom' },
      { UID: 'custom', uid: 'real' },
    ]) {
      const result = normalizeProperties(input, { keepKeys: ['uid'] });
      expect(result.properties).toEqual({ uid: 'real' });
      expect(result.warnings).toEqual([{ path: '/UID', kind: 'duplicate-key', message: expect.any(String) }]);
    }
  });

  it('keeps documented keys as they are and does not flag them', () => {
    const result = normalizeProperties({ company_id: 'c1', id: 'p1' }, { keepKeys: ['company_id', 'id'] });
    expect(result).toEqual({ properties: { company_id: 'c1', id: 'p1' }, warnings: [] });
  });

  it.each(reservedKeys)('flags the reserved identify key %s', (key) => {
    const result = normalizeProperties({ [key]: 'x' });
    expect(result.warnings).toContainEqual({
      path: `/${key}`,
      kind: 'reserved-key',
      message: expect.any(String),
    });
    expect(Object.values(result.properties)).toEqual(['x']);
  });

  it('truncates values over the byte limit on a character boundary, with the path and the original length', () => {
    const long = `${'x'.repeat(valueBytes - 1)}étail`; // é would straddle the limit
    const result = normalizeProperties({
      bio: long,
      tags: ['ok', 'ü'.repeat(valueBytes)],
      nested: { deep: '€'.repeat(300) },
    });
    expect(result.properties.bio).toBe('x'.repeat(valueBytes - 1));
    expect((result.properties.tags as string[])[1]).toBe('ü'.repeat(valueBytes / 2));
    expect((result.properties.nested as { deep: string }).deep).toBe('€'.repeat(Math.floor(valueBytes / 3)));
    expect(result.warnings).toEqual([
      { path: '/bio', kind: 'truncated', message: expect.stringContaining(`${bytes(long)} bytes`) },
      { path: '/tags/1', kind: 'truncated', message: expect.stringContaining(`${valueBytes * 2} bytes`) },
      { path: '/nested/deep', kind: 'truncated', message: expect.stringContaining('900 bytes') },
    ]);
  });

  it('keeps a value of exactly the limit', () => {
    const exact = 'é'.repeat(valueBytes / 2);
    expect(normalizeProperties({ a: exact })).toEqual({ properties: { a: exact }, warnings: [] });
  });

  it(`drops hashes nested deeper than ${maxHashDepth} levels`, () => {
    const result = normalizeProperties({ a: { b: { c: { keep: 1, d: { dropped: true } } } } });
    expect(result.properties).toEqual({ a: { b: { c: { keep: 1 } } } });
    expect(result.warnings).toEqual([
      { path: '/a/b/c/d', kind: 'too-deep', message: expect.stringContaining('level 4') },
    ]);
  });

  it('drops hashes and nulls inside arrays, and keeps arrays inside hashes', () => {
    const result = normalizeProperties({ list: ['992', { x: 1 }, null, 3], hash: { list: [1, null] } });
    expect(result.properties).toEqual({ list: ['992', 3], hash: { list: [1] } });
    expect(result.warnings.map(({ path, kind }) => [path, kind])).toEqual([
      ['/list/1', 'hash-in-array'],
      ['/list/2', 'null-in-array'],
      ['/hash/list/1', 'null-in-array'],
    ]);
  });

  it('drops keys with no name and values JSON cannot carry; sends Dates as ISO text', () => {
    const at = new Date('2024-05-06T07:08:09.000Z');
    const result = normalizeProperties({
      '!!': 1,
      nan: Number.NaN,
      fn: () => 1,
      at,
      gone: undefined,
      a: '\uD800x',
    });
    expect(result.properties).toEqual({ at: '2024-05-06T07:08:09.000Z', a: '\uFFFDx' });
    expect(Object.keys(result.properties)).toEqual(['at', 'a']);
    expect(result.warnings.map(({ path, kind }) => [path, kind])).toEqual([
      ['/!!', 'empty-name'],
      ['/nan', 'unsupported-value'],
      ['/fn', 'unsupported-value'],
      ['/at', 'reserved-key'],
      ['/a', 'invalid-unicode'],
    ]);
  });

  it('escapes JSON Pointer characters in warning paths', () => {
    const result = normalizeProperties({ 'a/b~c': 'x'.repeat(valueBytes + 1) });
    expect(result.warnings[0]?.path).toBe('/a~1b~0c');
  });

  it('does not let a key named __proto__ change the prototype of a nested hash', () => {
    const input = JSON.parse('{"meta":{"__proto__":{"polluted":1}}}');
    const { properties } = normalizeProperties(input);
    expect(Object.getPrototypeOf(properties.meta)).toBe(Object.prototype);
    expect(Object.keys(properties.meta as object)).toEqual(['__proto__']);
  });
});

describe('UTF-8 helpers', () => {
  it('count bytes like TextEncoder', () => {
    fc.assert(fc.property(anyText(50), (text) => utf8ByteLength(text) === bytes(text)));
  });

  it('cut on a character boundary, as long as fits', () => {
    fc.assert(
      fc.property(anyText(30), fc.nat(40), (text, max) => {
        const cut = truncateUtf8(text, max);
        const next = text.slice(cut.length, cut.length + (text.codePointAt(cut.length)! > 0xffff ? 2 : 1));
        return text.startsWith(cut) && bytes(cut) <= max && (cut === text || bytes(cut + next) > max);
      }),
    );
  });
});

/**
 * Text from any code point, plus the troublemakers: lone surrogates, letters whose case
 * mapping changes length or adds marks, capitals, separators.
 */
const unit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.constantFrom(
    '\uD83D',
    '\uDE00',
    '😀',
    'İ',
    'ẞ',
    'ǅ',
    'ﬁ',
    'é',
    'e\u0301',
    'A',
    'D',
    'e',
    '1',
    ' ',
    '-',
    '_',
    '!',
  ),
);
const anyText = (maxLength: number, minLength = 0) => fc.string({ unit, minLength, maxLength });

/** JSON-like values, deeper and longer than the limits, with any unicode. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyText(900),
    anyText(800, 300),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyText(12), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const properties = fc.dictionary(anyText(16), jsonValue, { maxKeys: 6 });

describe('normalization properties', () => {
  it('normalizeName is idempotent and yields only lower-case words joined by single underscores', () => {
    fc.assert(
      fc.property(anyText(30), (name) => {
        const once = normalizeName(name);
        expect(normalizeName(once)).toBe(once);
        expect(once).toMatch(/^(?:[\p{L}\p{N}]+(?:_[\p{L}\p{N}]+)*)?$/u);
        expect(once).toBe(once.toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: normalizing the result again changes nothing', () => {
    fc.assert(
      fc.property(properties, (input) => {
        const once = normalizeProperties(input).properties;
        const twice = normalizeProperties(once);
        expect(twice.properties).toEqual(once);
        expect(twice.warnings.filter((warning) => warning.kind !== 'reserved-key')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it(`never outputs a string over ${valueBytes} bytes, nor invalid UTF-8, nor hashes beyond depth ${maxHashDepth}`, () => {
    fc.assert(
      fc.property(properties, (input) => {
        const { properties: output } = normalizeProperties(input);
        for (const leaf of leaves(output)) {
          if (typeof leaf !== 'string') continue;
          expect(bytes(leaf)).toBeLessThanOrEqual(valueBytes);
          expect(LONE_SURROGATE.test(leaf)).toBe(false);
        }
        for (const value of Object.values(output)) expect(hashDepth(value)).toBeLessThanOrEqual(maxHashDepth);
        expect(JSON.parse(JSON.stringify(output))).toEqual(output);
      }),
      { numRuns: 300, examples: [[{ e: -0, nested: { z: -0 }, list: [-0] }]] },
    );
  });

  it('reports a warning for every truncation (no silent change of a value)', () => {
    fc.assert(
      fc.property(anyText(1200), (text) => {
        const { properties: output, warnings } = normalizeProperties({ value: text });
        const changed = output.value !== text;
        expect(warnings.length > 0).toBe(changed);
      }),
    );
  });
});

/**
 * The serializer's `portable` option (the fixtures package's schemas): given a schema, want
 * the JSON Schema any draft-07 validator reads as the library does. Without the option,
 * nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { buildSchema, DATE_TIME_PATTERN, toJsonSchema } from '../../generator/schema/index.js';
import type { JsonSchema } from '../../generator/spec/load.js';

const rows: Array<{ name: string; given: JsonSchema; want: JsonSchema }> = [
  {
    name: 'open enum of strings',
    given: { type: 'string', enum: ['a', 'b'], 'x-open-enum': true },
    want: { anyOf: [{ enum: ['a', 'b'] }, { type: 'string' }], 'x-open-enum': true },
  },
  {
    name: 'nullable open enum: null stays a value, strings stay open',
    given: { type: ['string', 'null'], enum: [null, 'a'], 'x-open-enum': true },
    want: { anyOf: [{ enum: [null, 'a'] }, { type: ['null', 'string'] }], 'x-open-enum': true },
  },
  {
    name: 'closed enum: unchanged',
    given: { type: 'string', enum: ['a', 'b'] },
    want: { type: 'string', enum: ['a', 'b'] },
  },
  {
    name: 'date-time: a pattern for its shape',
    given: { type: 'string', format: 'date-time' },
    want: { type: 'string', format: 'date-time', pattern: DATE_TIME_PATTERN },
  },
  {
    name: 'nullable date-time: the pattern applies to strings only',
    given: { type: ['string', 'null'], format: 'date-time' },
    want: { type: ['string', 'null'], format: 'date-time', pattern: DATE_TIME_PATTERN },
  },
  {
    name: 'promised properties (x-required-strict): required, as strict mode requires them, and still listed',
    given: {
      type: 'object',
      required: ['id'],
      'x-required-strict': ['email'],
      properties: { id: { type: 'string' }, email: { type: 'string' } },
    },
    want: {
      type: 'object',
      required: ['id', 'email'],
      'x-required-strict': ['email'],
      properties: { id: { type: 'string' }, email: { type: 'string' } },
    },
  },
  {
    name: 'custom properties (x-custom-properties): the object stays open, the annotation stays',
    given: { type: 'object', 'x-custom-properties': true, properties: { id: { type: 'string' } } },
    want: { type: 'object', 'x-custom-properties': true, properties: { id: { type: 'string' } } },
  },
];

describe('toJsonSchema({ portable: true }): given a schema, want what stock validators read', () => {
  it.each(rows)('$name', ({ given, want }) => {
    const { node, problems } = buildSchema(given, 'inline.json', []);
    expect(problems).toEqual([]);
    expect(toJsonSchema(node, { portable: true })).toEqual(want);
  });

  it.each(rows)('$name: without the option, written as given', ({ given }) => {
    expect(toJsonSchema(buildSchema(given, 'inline.json', []).node)).toEqual(given);
  });
});

describe('DATE_TIME_PATTERN: the shape of a date-time, never stricter than the runtime', () => {
  const pattern = new RegExp(DATE_TIME_PATTERN);
  it.each([
    '2029-12-11T00:28:59.650Z',
    '2029-12-11t00:28:59z',
    '2029-12-11 00:28:59+01:00',
    '2029-12-11T00:28:59+0100',
    '2029-12-11T00:28:59-01',
    '2029-02-30T00:00:00Z',
  ])('matches %s (the day of the month is left to format)', (text) => {
    expect(pattern.test(text)).toBe(true);
  });
  it.each(['2029-13-01T00:00:00Z', '2029-00-01T00:00:00Z', '2029-12-32T00:00:00Z', '2029-12-11', 'abc'])(
    'rejects %s',
    (text) => {
      expect(pattern.test(text)).toBe(false);
    },
  );
});

/**
 * The schema table (generator/validators/table.ts) as a unit: the data the
 * detailed validator walks. Given small inline schemas, want the table entry:
 * every keyword the interpreter reads kept (nested ones rewritten too), `$ref`s
 * turned into table names, everything else dropped.
 */
import { describe, expect, it } from 'vitest';
import type { SchemaDocument } from '../../generator/model.js';
import type { JsonSchema } from '../../generator/spec/load.js';
import { schemaTable, validatorTable } from '../../generator/validators/table.js';

const DOC: SchemaDocument = {
  kind: 'model',
  path: 'models/thing.json',
  id: 'https://spec.test/v1/models/thing.json',
  typeName: 'Thing',
  description: '',
  schema: {},
  // The table reads the compilable JSON Schema, not the nodes.
  root: { kind: 'any', origin: { file: 'models/thing.json', pointer: '' }, annotations: {} },
  definitions: [],
  errata: [],
};

/** Names a `$ref` as the table does: here, the last segment of the pointer or the file's base name. */
const resolve = (ref: string) =>
  ref
    .split(/[#/]/)
    .filter(Boolean)
    .pop()!
    .replace(/\.json$/, '');

const tableOf = (schema: JsonSchema) => schemaTable([['Thing', schema, DOC]], resolve).Thing;

const CASES: Array<[string, JsonSchema, JsonSchema]> = [
  ['type, as one type', { type: 'string' }, { type: 'string' }],
  ['type, as an array of types', { type: ['string', 'null'] }, { type: ['string', 'null'] }],
  ['enum', { enum: ['a', 'b'] }, { enum: ['a', 'b'] }],
  ['const', { const: 0 }, { const: 0 }],
  ['pattern and format', { pattern: '^a$', format: 'date-time' }, { pattern: '^a$', format: 'date-time' }],
  ['minLength and maxLength', { minLength: 1, maxLength: 2 }, { minLength: 1, maxLength: 2 }],
  [
    'minimum, maximum, exclusiveMinimum, exclusiveMaximum',
    { minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10 },
    { minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10 },
  ],
  [
    'required, properties and additionalProperties, with the properties rewritten',
    {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: { $ref: '../common.json#/definitions/ChameleonId', description: 'x' } },
    },
    {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: { $ref: 'ChameleonId' } },
    },
  ],
  [
    'items, rewritten',
    { type: 'array', items: { $ref: 'step.json', title: 'Step' } },
    { type: 'array', items: { $ref: 'step' } },
  ],
  [
    'anyOf, each branch rewritten',
    { anyOf: [{ $ref: 'a.json' }, { type: 'string', examples: ['x'] }] },
    { anyOf: [{ $ref: 'a' }, { type: 'string' }] },
  ],
  [
    'if / else, both rewritten',
    { if: { type: 'null', $comment: 'nullable' }, else: { $ref: 'b.json' } },
    { if: { type: 'null' }, else: { $ref: 'b' } },
  ],
  [
    'annotations and keywords the interpreter does not read are dropped',
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://spec.test/v1/models/thing.json',
      title: 'Thing',
      description: 'A thing.',
      examples: [{}],
      definitions: { Inner: { type: 'string' } },
      'x-errata': ['none'],
      type: 'object',
    },
    { type: 'object' },
  ],
  [
    'a property named like a keyword is a property, not a keyword',
    { properties: { $ref: { type: 'string' }, title: { type: 'integer' } } },
    { properties: { $ref: { type: 'string' }, title: { type: 'integer' } } },
  ],
];

describe('schemaTable: given a schema, want its table entry', () => {
  it.each(CASES)('%s', (_name, given, want) => {
    expect(tableOf(given)).toEqual(want);
  });

  it('keeps the order the guards are written in', () => {
    const table = schemaTable(
      [
        ['B', { type: 'string' }, DOC],
        ['A', { type: 'integer' }, DOC],
      ],
      resolve,
    );
    expect(Object.keys(table)).toEqual(['B', 'A']);
  });

  it('refuses a $ref beside other keywords (the interpreter would ignore them)', () => {
    expect(() => tableOf({ $ref: 'a.json', type: 'string' })).toThrow(
      /\$ref beside type in https:\/\/spec\.test\/v1\/models\/thing\.json/,
    );
  });
});

describe('validatorTable: the table of a small spec', () => {
  it('names every schema as its guard does and resolves refs across documents', () => {
    const common: SchemaDocument = {
      ...DOC,
      kind: 'common',
      path: 'common.json',
      id: 'https://spec.test/v1/common.json',
      typeName: 'Common',
      schema: { definitions: { Code: { type: 'string', pattern: '^[a-z]{3}$' } } },
    };
    const thing: SchemaDocument = {
      ...DOC,
      schema: {
        type: 'object',
        required: ['code'],
        properties: { code: { $ref: '../common.json#/definitions/Code' }, other: { $ref: 'other.json' } },
      },
    };
    const other: SchemaDocument = {
      ...DOC,
      path: 'models/other.json',
      id: 'https://spec.test/v1/models/other.json',
      typeName: 'Other',
      schema: { type: 'object', properties: { back: { $ref: 'thing.json' } } },
    };
    const schemas = validatorTable(common, [thing, other], (doc) => doc.schema);
    expect(Object.keys(schemas)).toEqual(['Code', 'Thing', 'Other']);
    expect(schemas).toEqual({
      Code: { type: 'string', pattern: '^[a-z]{3}$' },
      Thing: {
        type: 'object',
        required: ['code'],
        properties: { code: { $ref: 'Code' }, other: { $ref: 'Other' } },
      },
      Other: { type: 'object', properties: { back: { $ref: 'Thing' } } },
    });
  });

  it('refuses two schemas that would share a name', () => {
    const common: SchemaDocument = {
      ...DOC,
      kind: 'common',
      path: 'common.json',
      id: 'https://spec.test/v1/common.json',
      schema: { definitions: { Thing: { type: 'string' } } },
    };
    expect(() => validatorTable(common, [DOC], (doc) => doc.schema)).toThrow(
      /two schemas would be named Thing/,
    );
  });
});

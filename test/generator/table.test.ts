/**
 * The schema table (generator/validators/table.ts, compiled by schemas.ts) as a
 * unit: the data the detailed validator walks. Given small inline schemas, built
 * into nodes as the spec's are, want the table entry: the rules as both
 * validator paths check them, `$ref`s by table name, annotations left out.
 */
import { describe, expect, it } from 'vitest';
import { SPEC_ID_BASE, type JsonSchema } from '../../generator/spec/load.js';
import { buildInlineSpec } from './inline-spec.js';
import { sharedDefinitions } from '../../generator/validators/documents.js';
import { compilableDocument } from '../../generator/validators/schemas.js';
import { schemaSource, validatorTable } from '../../generator/validators/table.js';

const COMMON: JsonSchema = {
  title: 'Common',
  definitions: {
    Code: { title: 'Code', description: 'Three letters.', type: 'string', pattern: '^[a-z]{3}$' },
    Box: { type: 'object', properties: { size: { type: 'integer' } } },
  },
};

function build(files: Record<string, JsonSchema>) {
  const { documents, problems, index } = buildInlineSpec(files);
  if (problems.length) throw new Error(problems.join('\n'));
  return { documents, index };
}

/** The table of common.json's definitions and of one model, Thing, whose schema is `schema`. */
function tableOf(schema: JsonSchema, others: Record<string, JsonSchema> = {}) {
  const files: Record<string, JsonSchema> = {
    'common.json': COMMON,
    'models/thing.json': { title: 'Thing', ...schema },
  };
  for (const [name, other] of Object.entries(others))
    files[`models/${name.toLowerCase()}.json`] = { title: name, ...other };
  const { documents, index } = build(files);
  const [common, ...models] = documents;
  const entries = [
    ...common!.definitions.map((definition) => ({ name: definition.key, node: definition.node })),
    ...models.map((doc) => ({ name: doc.typeName, node: doc.root })),
  ];
  return validatorTable(entries, sharedDefinitions('common.json', index));
}

const CASES: Array<[string, JsonSchema, JsonSchema]> = [
  ['type, as one type', { type: 'string' }, { type: 'string' }],
  ['type, as an array of types', { type: ['string', 'integer'] }, { type: ['string', 'integer'] }],
  ['a closed enum', { type: 'string', enum: ['a', 'b'] }, { type: 'string', enum: ['a', 'b'] }],
  [
    'an open enum becomes its values’ types',
    { enum: ['a', 1], 'x-open-enum': true },
    { type: ['number', 'string'] },
  ],
  ['const', { const: 0 }, { const: 0 }],
  [
    'string rules',
    { type: 'string', pattern: '^a$', format: 'date-time', minLength: 1, maxLength: 2 },
    { type: 'string', format: 'date-time', pattern: '^a$', minLength: 1, maxLength: 2 },
  ],
  [
    'number rules',
    { type: 'number', minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10 },
    { type: 'number', minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10 },
  ],
  [
    'an object with properties is closed; its refs are by table name',
    {
      type: 'object',
      required: ['id'],
      properties: {
        id: { $ref: '../common.json#/definitions/Code', description: 'x' },
        other: { $ref: 'other.json' },
      },
    },
    {
      type: 'object',
      required: ['id'],
      properties: { id: { $ref: 'Code' }, other: { $ref: 'Other' } },
      additionalProperties: false,
    },
  ],
  [
    'an object that says additionalProperties: true stays open',
    { type: 'object', properties: { a: {} }, additionalProperties: true },
    { type: 'object', properties: { a: {} }, additionalProperties: true },
  ],
  [
    'items',
    { type: 'array', items: { type: 'string', title: 'Item' } },
    { type: 'array', items: { type: 'string' } },
  ],
  [
    'anyOf: objects inside stay open',
    {
      anyOf: [
        { type: 'object', properties: { a: { type: 'string' } } },
        { type: 'string', examples: ['x'] },
      ],
    },
    { anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'string' }] },
  ],
  [
    'a nullable with one type on the other side: one more type',
    { anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'null' }] },
    { type: ['object', 'null'], properties: { a: { type: 'string' } }, additionalProperties: false },
  ],
  [
    'a nullable ref to a shared single check: the check, inlined, or null',
    { anyOf: [{ $ref: '../common.json#/definitions/Code' }, { type: 'null' }] },
    { type: ['string', 'null'], pattern: '^[a-z]{3}$' },
  ],
  [
    'a nullable ref to a shared object or a document: if null / else the ref',
    {
      type: 'object',
      properties: {
        box: { anyOf: [{ $ref: '../common.json#/definitions/Box' }, { type: 'null' }] },
        other: { anyOf: [{ type: 'null' }, { $ref: 'other.json' }] },
      },
    },
    {
      type: 'object',
      properties: {
        box: { if: { type: 'null' }, else: { $ref: 'Box' } },
        other: { if: { type: 'null' }, else: { $ref: 'Other' } },
      },
      additionalProperties: false,
    },
  ],
  [
    'a nullable enum: if null / else the enum',
    { anyOf: [{ type: 'string', enum: ['a'] }, { type: 'null' }] },
    { if: { type: 'null' }, else: { type: 'string', enum: ['a'] } },
  ],
  [
    'type: [T, "null"] with a closed enum keeps both',
    { type: ['string', 'null'], enum: ['a', null] },
    { type: ['string', 'null'], enum: ['a', null] },
  ],
  [
    'type: [T, "null"] with an open enum: the values decide',
    { type: ['string', 'null'], enum: ['a', null], 'x-open-enum': true },
    { type: ['null', 'string'] },
  ],
  [
    'a nullable union of three keeps null where it is written',
    { anyOf: [{ type: 'null' }, { type: 'string' }, { type: 'integer' }] },
    { anyOf: [{ type: 'null' }, { type: 'string' }, { type: 'integer' }] },
  ],
  [
    'annotations are left out',
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      description: 'A thing.',
      examples: [{}],
      'x-errata': ['none'],
      $comment: 'for authors',
      type: 'object',
    },
    { type: 'object' },
  ],
  [
    'a property named like a keyword is a property, not a keyword',
    { properties: { $ref: { type: 'string' }, title: { type: 'integer' } } },
    { properties: { $ref: { type: 'string' }, title: { type: 'integer' } }, additionalProperties: false },
  ],
];

describe('validatorTable: given a schema, want its table entry', () => {
  it.each(CASES)('%s', (_name, given, want) => {
    expect(tableOf(given, { Other: { type: 'string' } }).Thing).toEqual(want);
  });

  it('names shared definitions by key and documents by title, in the order given', () => {
    const table = tableOf({ type: 'string' }, { Other: { type: 'integer' } });
    expect(Object.keys(table)).toEqual(['Code', 'Box', 'Thing', 'Other']);
    expect(table.Code).toEqual({ type: 'string', pattern: '^[a-z]{3}$' });
    expect(table.Box).toEqual({
      type: 'object',
      properties: { size: { type: 'integer' } },
      additionalProperties: false,
    });
  });

  it('refuses two schemas that would share a name', () => {
    expect(() => tableOf({ type: 'string' }, { Code: { type: 'string' } })).toThrow(
      /two schemas would be named Code/,
    );
  });

  it('refuses a ref it cannot name', () => {
    expect(() => tableOf({ properties: { a: { type: 'string' }, b: { $ref: '#/properties/a' } } })).toThrow(
      /cannot name the target of #\/properties\/a at spec\/models\/thing\.json#\/properties\/b/,
    );
  });
});

describe('compilableDocument: what Ajv compiles', () => {
  it('keeps $schema, $id, refs as written and the definitions', () => {
    const { documents, index } = build({
      'common.json': {
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: `${SPEC_ID_BASE}common.json`,
        ...COMMON,
      },
    });
    const options = {
      ref: (ref: { ref: string }) => ({ $ref: ref.ref }),
      inline: sharedDefinitions('common.json', index),
    };
    expect(compilableDocument(documents[0]!, options)).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `${SPEC_ID_BASE}common.json`,
      definitions: {
        Code: { type: 'string', pattern: '^[a-z]{3}$' },
        Box: { type: 'object', properties: { size: { type: 'integer' } }, additionalProperties: false },
      },
    });
  });
});

describe('schemaSource: a table entry as the schemas module writes it', () => {
  it.each([
    ['a ref alone is its guard', { $ref: 'Code' }, 'isCode'],
    ['a type alone is its name', { type: 'string' }, '"string"'],
    [
      'a ref beside another keyword stays an object',
      { $ref: 'Code', requiredStrict: ['a'] },
      '{ "$ref": isCode, "requiredStrict": ["a"] }',
    ],
    ['types as a list stay an object', { type: ['string', 'null'] }, '{ "type": ["string","null"] }'],
    [
      'properties, items and alternatives are schemas; a property named $ref is only a name',
      {
        type: 'object',
        properties: { $ref: { type: 'string' }, list: { type: 'array', items: { $ref: 'Box' } } },
        anyOf: [{ required: ['a'] }, { $ref: 'Code' }],
      },
      '{ "type": "object", "properties": { "$ref": "string", "list": { "type": "array", "items": isBox } }, ' +
        '"anyOf": [{ "required": ["a"] }, isCode] }',
    ],
    [
      'enum and const values are data',
      { enum: [{ $ref: 'x' }], const: 'Code' },
      '{ "enum": [{"$ref":"x"}], "const": "Code" }',
    ],
  ])('%s', (_name, schema, want) => {
    expect(schemaSource(schema as JsonSchema)).toBe(want);
  });
});

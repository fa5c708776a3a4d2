/**
 * The model builder (generator/schema), given/want: small inline schemas in, typed nodes
 * out. Every keyword the builder claims to support has a row, including ones today's
 * spec does not use; every row also round-trips through the serializer.
 */
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import {
  acceptsNull,
  buildSchema,
  buildSchemaIndex,
  SUPPORTED_KEYWORDS,
  toJsonSchema,
  type SchemaNode,
} from '../../generator/schema/index.js';
import type { SpecFile } from '../../generator/spec/load.js';

const BASE = 'https://spec.chameleon-webhooks.dev/v3/';
const file = (path: string, json: Record<string, unknown>): SpecFile => ({ path, id: BASE + path, json });
const at = (pointer: string) => ({ origin: { file: 'inline.json', pointer } });

const common = file('common.json', {
  $id: `${BASE}common.json`,
  title: 'Common',
  definitions: {
    Id: { title: 'ChameleonId', type: 'string', pattern: '^[0-9a-f]{24}$' },
    Untitled: { type: 'string' },
  },
});
const profile = file('models/profile.json', {
  $id: `${BASE}models/profile.json`,
  title: 'Profile',
  description: 'A profile.',
  type: 'object',
});

interface Row {
  name: string;
  given: unknown;
  want: Record<string, unknown>;
}

const rows: Row[] = [
  { name: 'empty schema: any value', given: {}, want: { kind: 'any', ...at('') } },
  { name: 'string', given: { type: 'string' }, want: { kind: 'primitive', type: 'string' } },
  { name: 'number', given: { type: 'number' }, want: { kind: 'primitive', type: 'number' } },
  { name: 'integer', given: { type: 'integer' }, want: { kind: 'primitive', type: 'integer' } },
  { name: 'boolean', given: { type: 'boolean' }, want: { kind: 'primitive', type: 'boolean' } },
  { name: 'null', given: { type: 'null' }, want: { kind: 'primitive', type: 'null' } },
  {
    name: 'string rules: format, pattern, minLength, maxLength',
    given: { type: 'string', format: 'date-time', pattern: '^2', minLength: 1, maxLength: 30 },
    want: {
      kind: 'primitive',
      type: 'string',
      format: 'date-time',
      pattern: '^2',
      minLength: 1,
      maxLength: 30,
    },
  },
  {
    name: 'number rules: minimum, maximum, exclusive bounds, multipleOf',
    given: {
      type: 'number',
      minimum: 0,
      maximum: 9,
      exclusiveMinimum: -1,
      exclusiveMaximum: 10,
      multipleOf: 0.5,
    },
    want: {
      kind: 'primitive',
      minimum: 0,
      maximum: 9,
      exclusiveMinimum: -1,
      exclusiveMaximum: 10,
      multipleOf: 0.5,
    },
  },
  {
    name: 'several primitive types',
    given: { type: ['string', 'integer'], minLength: 1 },
    want: { kind: 'multiType', types: ['string', 'integer'], minLength: 1 },
  },
  {
    name: 'closed enum with its type',
    given: { type: 'string', enum: ['a', 'b'] },
    want: { kind: 'enum', values: ['a', 'b'], open: false, type: 'string' },
  },
  {
    name: 'open enum (x-open-enum)',
    given: { type: 'string', enum: ['a'], 'x-open-enum': true },
    want: { kind: 'enum', values: ['a'], open: true },
  },
  {
    name: 'enum without a type',
    given: { enum: [1, 'x', null] },
    want: { kind: 'enum', values: [1, 'x', null] },
  },
  { name: 'const', given: { const: 'ping' }, want: { kind: 'const', value: 'ping' } },
  {
    name: 'const with a type',
    given: { type: 'string', const: '' },
    want: { kind: 'const', value: '', type: 'string' },
  },
  {
    name: 'object: properties in order, required flags, required-only keys',
    given: {
      type: 'object',
      required: ['b', 'z'],
      properties: { b: { type: 'string' }, a: { type: 'integer' } },
    },
    want: {
      kind: 'object',
      typeWritten: true,
      required: ['b', 'z'],
      additional: 'open',
      properties: [
        { name: 'b', required: true, node: { kind: 'primitive', type: 'string', ...at('/properties/b') } },
        { name: 'a', required: false, node: { kind: 'primitive', type: 'integer', ...at('/properties/a') } },
      ],
    },
  },
  {
    name: 'object implied by properties',
    given: { properties: { a: {} } },
    want: { kind: 'object', typeWritten: false },
  },
  {
    name: 'closed object',
    given: { type: 'object', additionalProperties: false },
    want: { kind: 'object', additional: 'closed' },
  },
  {
    name: 'additionalProperties: true written out',
    given: { type: 'object', additionalProperties: true },
    want: { kind: 'object', additional: 'open', additionalWritten: true },
  },
  {
    name: 'additionalProperties as a schema, min/maxProperties',
    given: { type: 'object', additionalProperties: { type: 'number' }, minProperties: 1, maxProperties: 3 },
    want: {
      kind: 'object',
      additional: { kind: 'primitive', type: 'number', ...at('/additionalProperties') },
      minProperties: 1,
      maxProperties: 3,
    },
  },
  {
    name: 'identifier rule: anyOf of required key sets',
    given: {
      type: 'object',
      properties: { uid: { type: 'string' }, email: { type: 'string' } },
      anyOf: [
        { required: ['uid'], properties: { uid: {} } },
        { required: ['email'], properties: { email: {} } },
      ],
    },
    want: { kind: 'object', requiredAlternatives: [['uid'], ['email']] },
  },
  {
    name: 'array: items, minItems, maxItems, uniqueItems',
    given: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5, uniqueItems: true },
    want: {
      kind: 'array',
      items: { kind: 'primitive', ...at('/items') },
      minItems: 1,
      maxItems: 5,
      uniqueItems: true,
    },
  },
  { name: 'array without items', given: { type: 'array' }, want: { kind: 'array', typeWritten: true } },
  {
    name: 'anyOf union',
    given: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    want: {
      kind: 'union',
      combinator: 'anyOf',
      branches: [
        { ...at('/anyOf/0'), type: 'string' },
        { ...at('/anyOf/1'), type: 'integer' },
      ],
    },
  },
  {
    name: 'oneOf union',
    given: { oneOf: [{ const: 1 }, { const: 2 }] },
    want: { kind: 'union', combinator: 'oneOf' },
  },
  {
    name: 'allOf',
    given: { allOf: [{ type: 'object' }, { required: ['a'], properties: { a: {} } }] },
    want: { kind: 'allOf', branches: [{ kind: 'object' }, { kind: 'object', required: ['a'] }] },
  },
  {
    name: 'not',
    given: { not: { type: 'null' } },
    want: { kind: 'not', node: { kind: 'primitive', type: 'null' } },
  },
  {
    name: 'nullable: type [T, "null"] wraps T with its rules',
    given: { description: 'When.', type: ['string', 'null'], format: 'date-time' },
    want: {
      kind: 'nullable',
      form: 'type',
      annotations: { description: 'When.' },
      node: { kind: 'primitive', type: 'string', format: 'date-time', annotations: {} },
    },
  },
  {
    name: 'nullable: anyOf [X, null]',
    given: { description: 'The profile.', anyOf: [{ $ref: 'models/profile.json' }, { type: 'null' }] },
    want: {
      kind: 'nullable',
      form: 'anyOf-null-last',
      annotations: { description: 'The profile.' },
      node: { kind: 'ref', typeName: 'Profile', target: { file: 'models/profile.json', pointer: '' } },
    },
  },
  {
    name: 'nullable: anyOf [null, X]',
    given: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
    want: { kind: 'nullable', form: 'anyOf-null-first', node: { kind: 'primitive', ...at('/anyOf/1') } },
  },
  {
    name: 'nullable: oneOf [X, null]',
    given: { oneOf: [{ type: 'boolean' }, { type: 'null' }] },
    want: { kind: 'nullable', form: 'oneOf-null-last', node: { kind: 'primitive', type: 'boolean' } },
  },
  {
    name: 'nullable union: anyOf [A, B, null]',
    given: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] },
    want: { kind: 'nullable', node: { kind: 'union', branches: [{ type: 'string' }, { type: 'number' }] } },
  },
  {
    name: 'a lone null branch is a plain union',
    given: { anyOf: [{ type: 'null' }] },
    want: { kind: 'union', branches: [{ kind: 'primitive', type: 'null' }] },
  },
  {
    name: 'two null branches: a plain union, not a nullable',
    given: { oneOf: [{ type: 'null' }, { type: 'string' }, { type: 'null' }] },
    want: { kind: 'union', combinator: 'oneOf' },
  },
  {
    name: 'nullable enum: type [string, null] with enum',
    given: { type: ['string', 'null'], enum: ['a', null] },
    want: { kind: 'nullable', form: 'type', node: { kind: 'enum', type: 'string', values: ['a', null] } },
  },
  {
    name: 'reference to a definition of another file, with a description beside it',
    given: { description: 'Its id.', $ref: 'common.json#/definitions/Id' },
    want: {
      kind: 'ref',
      ref: 'common.json#/definitions/Id',
      target: { file: 'common.json', pointer: '/definitions/Id' },
      typeName: 'ChameleonId',
      annotations: { description: 'Its id.' },
    },
  },
  {
    name: 'reference to an untitled definition: named by its key',
    given: { $ref: 'common.json#/definitions/Untitled' },
    want: { kind: 'ref', typeName: 'Untitled' },
  },
  {
    name: 'reference inside the document',
    given: { definitions: { Local: { title: 'Local', type: 'string' } }, $ref: '#/definitions/Local' },
    want: { kind: 'ref', target: { file: 'inline.json', pointer: '/definitions/Local' }, typeName: 'Local' },
  },
  {
    name: 'annotations: title, description, examples, default, $comment, x-errata',
    given: {
      title: 'T',
      description: 'D',
      examples: ['e'],
      default: 'd',
      $comment: 'c',
      'x-errata': ['the vendor said x'],
      type: 'string',
    },
    want: {
      kind: 'primitive',
      annotations: {
        title: 'T',
        description: 'D',
        examples: ['e'],
        default: 'd',
        comment: 'c',
        errata: ['the vendor said x'],
      },
    },
  },
  {
    name: "annotations: x-learned (spec:learn's evidence), beside a $ref too",
    given: {
      $ref: '#/definitions/Local',
      'x-learned': {
        change: 'property',
        deliveries: 1,
        of: 2,
        firstSeen: 't0',
        lastSeen: 't1',
        example: 'c:1#/a',
      },
      definitions: { Local: { type: 'string' } },
    },
    want: {
      kind: 'ref',
      annotations: {
        learned: {
          change: 'property',
          deliveries: 1,
          of: 2,
          firstSeen: 't0',
          lastSeen: 't1',
          example: 'c:1#/a',
        },
      },
    },
  },
  {
    name: 'document keywords at the root',
    given: { $schema: 'http://json-schema.org/draft-07/schema#', $id: `${BASE}inline.json`, type: 'boolean' },
    want: { kind: 'primitive', type: 'boolean' },
  },
];

describe('schema builder: given a schema, want its node', () => {
  it.each(rows)('$name', ({ given, want }) => {
    const { node, problems } = buildSchema(given, 'inline.json', [common, profile]);
    expect(problems).toEqual([]);
    expect(node).toMatchObject(want);
  });

  it.each(rows)('$name: round-trips through toJsonSchema', ({ given }) => {
    const { node } = buildSchema(given, 'inline.json', [common, profile]);
    const {
      $schema: _schema,
      $id: _id,
      definitions: _definitions,
      ...rest
    } = given as Record<string, unknown>;
    expect(toJsonSchema(node)).toEqual(rest);
  });

  it('gives every node of the table (full form, with origins)', async () => {
    const nodes = Object.fromEntries(
      rows.map((row) => [row.name, buildSchema(row.given, 'inline.json', [common, profile]).node]),
    );
    const text = await prettier.format(JSON.stringify(nodes), { parser: 'json', printWidth: 110 });
    await expect(text).toMatchFileSnapshot('__snapshots__/model.nodes.json');
  });

  it('has a row for every keyword it supports', () => {
    const used = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object')
        for (const [key, sub] of Object.entries(value)) {
          used.add(key);
          if (key !== 'enum' && key !== 'examples' && key !== 'const') collect(sub);
        }
    };
    for (const row of rows) collect(row.given);
    expect([...SUPPORTED_KEYWORDS].filter((keyword) => !used.has(keyword))).toEqual([]);
  });
});

describe('schema builder: what it cannot read is a problem naming the file and the JSON pointer', () => {
  const cases: Array<{ name: string; given: unknown; want: string }> = [
    {
      name: 'an unsupported keyword',
      given: { type: 'object', properties: { tags: { type: 'object', patternProperties: { '^x': {} } } } },
      want: 'spec/inline.json#/properties/tags: keyword "patternProperties" is not allowed in the spec (the generator does not support it)',
    },
    {
      name: 'a supported keyword where it means nothing',
      given: { properties: { id: { pattern: '^a' } } },
      want: 'spec/inline.json#/properties/id: keyword "pattern" has no meaning here for the generator',
    },
    {
      name: 'a $ref to nothing',
      given: { items: { $ref: 'models/tuor.json' } },
      want: 'spec/inline.json#/items: $ref "models/tuor.json" does not resolve to anything in spec/',
    },
    {
      name: 'a boolean schema',
      given: { properties: { a: true } },
      want: 'spec/inline.json#/properties/a: a schema must be an object (booleans are not supported), got true',
    },
    {
      name: 'a document keyword below the root',
      given: { properties: { a: { $id: 'x', type: 'string' } } },
      want: 'spec/inline.json#/properties/a: keyword "$id" belongs at the root of a document',
    },
    {
      name: 'tuple items',
      given: { type: 'array', items: [{ type: 'string' }] },
      want: 'spec/inline.json#: items as an array (tuples) is not supported',
    },
    {
      name: 'keywords beside anyOf',
      given: { type: 'string', anyOf: [{ minLength: 1, type: 'string' }, { const: 'x' }] },
      want: 'spec/inline.json#: keyword "type" beside anyOf is not supported; move it into the branches',
    },
    {
      name: 'x-open-enum without an enum',
      given: { type: 'string', 'x-open-enum': true },
      want: 'spec/inline.json#: keyword "x-open-enum" has no meaning here for the generator',
    },
  ];
  it.each(cases)('$name', ({ given, want }) => {
    expect(buildSchema(given, 'inline.json', [common, profile]).problems).toContain(want);
  });
});

describe('acceptsNull: the one nullability rule', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['type [T, null]', { type: ['integer', 'null'] }, true],
    ['anyOf [X, null]', { anyOf: [{ type: 'string' }, { type: 'null' }] }, true],
    ['anyOf [null, X]', { anyOf: [{ type: 'null' }, { $ref: 'models/profile.json' }] }, true],
    ['type null', { type: 'null' }, true],
    ['enum listing null', { enum: ['a', null] }, true],
    ['const null', { const: null }, true],
    ['any value', {}, true],
    ['a string', { type: 'string' }, false],
    [
      'an object with a nullable property (not itself nullable)',
      { properties: { a: { type: ['string', 'null'] } } },
      false,
    ],
    ["a ref (nullability of the target is the target's)", { $ref: 'models/profile.json' }, false],
  ];
  it.each(cases)('%s → %s', (_name, given, want) => {
    expect(acceptsNull(buildSchema(given, 'inline.json', [common, profile]).node)).toBe(want);
  });
});

describe('SchemaIndex: refs across documents', () => {
  const topic = file('topics/x.json', {
    $id: `${BASE}topics/x.json`,
    title: 'XWebhook',
    type: 'object',
    properties: {
      id: { $ref: '../common.json#/definitions/Id' },
      profile: { anyOf: [{ $ref: '../models/profile.json' }, { type: 'null' }] },
      other: { $ref: '../common.json#/definitions/Id' },
    },
  });
  const { index, problems } = buildSchemaIndex([common, profile, topic]);

  it("resolves each ref relative to its document's $id, to the node it names", () => {
    expect(problems).toEqual([]);
    const root = index.document('topics/x.json').root as Extract<SchemaNode, { kind: 'object' }>;
    const id = root.properties[0]!.node as Extract<SchemaNode, { kind: 'ref' }>;
    expect(id.target).toEqual({ file: 'common.json', pointer: '/definitions/Id' });
    expect(index.target(id)).toMatchObject({ kind: 'primitive', pattern: '^[0-9a-f]{24}$' });
  });

  it('dereferences: every ref replaced by its target', () => {
    expect(index.dereference('topics/x.json').properties).toEqual({
      id: { title: 'ChameleonId', type: 'string', pattern: '^[0-9a-f]{24}$' },
      profile: {
        anyOf: [
          { $id: `${BASE}models/profile.json`, title: 'Profile', description: 'A profile.', type: 'object' },
          { type: 'null' },
        ],
      },
      other: { title: 'ChameleonId', type: 'string', pattern: '^[0-9a-f]{24}$' },
    });
  });

  it('bundles: each reached schema once under definitions, by type name', () => {
    expect(index.bundle('topics/x.json')).toEqual({
      $id: `${BASE}topics/x.json`,
      title: 'XWebhook',
      type: 'object',
      properties: {
        id: { $ref: '#/definitions/ChameleonId' },
        profile: { anyOf: [{ $ref: '#/definitions/Profile' }, { type: 'null' }] },
        other: { $ref: '#/definitions/ChameleonId' },
      },
      definitions: {
        ChameleonId: { title: 'ChameleonId', type: 'string', pattern: '^[0-9a-f]{24}$' },
        Profile: { title: 'Profile', description: 'A profile.', type: 'object' },
      },
    });
  });
});

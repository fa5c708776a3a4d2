/**
 * The type emitter's core, given/want: named inline schemas in, the TypeScript
 * declarations json-schema-to-typescript writes from their nodes out (formatted).
 */
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { declarationsOf } from '../../generator/emitters/types.js';
import { buildDocuments } from '../../generator/schema/index.js';

/** Builds `schemas` as the definitions of one file (so refs between them resolve) and declares them. */
async function typesOf(schemas: Record<string, Record<string, unknown>>): Promise<string> {
  const definitions = Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [name, { title: name, ...schema }]),
  );
  const { documents, problems } = buildDocuments([
    { path: 'inline.json', id: 'https://spec.chameleon-webhooks.dev/v3/inline.json', json: { definitions } },
  ]);
  expect(problems).toEqual([]);
  const named = documents[0]!.definitions.map((definition) => ({
    name: definition.typeName,
    node: definition.node,
  }));
  return prettier.format(await declarationsOf(named), {
    parser: 'typescript',
    printWidth: 110,
    singleQuote: true,
  });
}

const rows: Array<{ name: string; given: Record<string, Record<string, unknown>>; want: string }> = [
  {
    name: 'a primitive with a description: a type alias with JSDoc',
    given: { Name: { type: 'string', description: 'A name.' } },
    want: '/**\n * A name.\n */\nexport type Name = string;\n',
  },
  {
    name: 'integer and number are number',
    given: { N: { anyOf: [{ type: 'integer' }, { type: 'number' }] } },
    want: 'export type N = number;\n',
  },
  { name: 'boolean', given: { B: { type: 'boolean' } }, want: 'export type B = boolean;\n' },
  {
    name: 'nullable by type array',
    given: { When: { type: ['string', 'null'] } },
    want: 'export type When = string | null;\n',
  },
  {
    name: 'nullable reference by anyOf',
    given: {
      Item: { type: 'object' },
      MaybeItem: { anyOf: [{ $ref: '#/definitions/Item' }, { type: 'null' }] },
    },
    want: 'export type MaybeItem = Item | null;\n\nexport interface Item {}\n',
  },
  {
    name: 'closed enum: a union of literals',
    given: { Kind: { enum: ['a', 1] } },
    want: "export type Kind = 'a' | 1;\n",
  },
  {
    name: 'open enum: the literals plus (string & {}), so new values still compile',
    given: { Color: { type: 'string', enum: ['red', 'blue'], 'x-open-enum': true } },
    want: "export type Color = 'red' | 'blue' | (string & {});\n",
  },
  { name: 'const: one literal', given: { Ping: { const: 'ping' } }, want: "export type Ping = 'ping';\n" },
  {
    name: 'array of items',
    given: { List: { type: 'array', items: { type: 'number' } } },
    want: 'export type List = number[];\n',
  },
  {
    name: 'union of branches',
    given: { Id: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
    want: 'export type Id = string | number;\n',
  },
  {
    name: 'object: closed for types, required and optional keys, JSDoc per property, refs by name (one declaration)',
    given: {
      Profile: { type: 'object', properties: { id: { type: 'string' } } },
      Tour: {
        description: 'A tour.',
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          profile: { description: 'Who took it.', $ref: '#/definitions/Profile' },
          owner: { $ref: '#/definitions/Profile' },
        },
      },
    },
    want: [
      'export interface Profile {',
      '  id?: string;',
      '}',
      '/**',
      ' * A tour.',
      ' */',
      'export interface Tour {',
      '  id: string;',
      '  /**',
      '   * Who took it.',
      '   */',
      '  profile?: Profile;',
      '  owner?: Profile;',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'additional properties as a schema: an index signature',
    given: { Labels: { type: 'object', additionalProperties: { type: 'string' } } },
    want: 'export interface Labels {\n  [k: string]: string | undefined;\n}\n',
  },
  {
    name: 'examples, x-errata and $comment stay out of the types',
    given: { Code: { type: 'string', examples: ['x'], 'x-errata': ['e'], $comment: 'c' } },
    want: 'export type Code = string;\n',
  },
];

describe('type emitter: given named schemas, want TypeScript', () => {
  it.each(rows)('$name', async ({ given, want }) => {
    expect(await typesOf(given)).toBe(want);
  });

  it('declares a whole small spec (file snapshot)', async () => {
    const given = Object.assign({}, ...rows.map((row) => row.given)) as Record<
      string,
      Record<string, unknown>
    >;
    await expect(await typesOf(given)).toMatchFileSnapshot('__snapshots__/types.small-spec.ts.snap');
  });
});

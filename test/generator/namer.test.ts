/**
 * The namer, given/want: how topics become type and value names, how refs are named
 * (title, else the definition's key), and how the docs describe a node in one line.
 */
import { describe, expect, it } from 'vitest';
import { TypeNamer } from '../../generator/emitters/docs.js';
import { camelCase, pascalCase } from '../../generator/model.js';
import { buildSchemaIndex, type SchemaNode } from '../../generator/schema/index.js';
import type { SpecFile } from '../../generator/spec/load.js';

describe('topic names', () => {
  const cases: Array<[string, string, string]> = [
    ['ping', 'ping', 'Ping'],
    ['tour.completed', 'tourCompleted', 'TourCompleted'],
    ['helpbar.item.error', 'helpbarItemError', 'HelpbarItemError'],
    ['demo.email-added', 'demoEmailAdded', 'DemoEmailAdded'],
    ['survey_button.clicked', 'surveyButtonClicked', 'SurveyButtonClicked'],
  ];
  it.each(cases)('%s → %s, %s', (topic, camel, pascal) => {
    expect(camelCase(topic)).toBe(camel);
    expect(pascalCase(topic)).toBe(pascal);
  });
});

const BASE = 'https://spec.chameleon-webhooks.dev/v3/';
const file = (path: string, json: Record<string, unknown>): SpecFile => ({ path, id: BASE + path, json });

const files = [
  file('common.json', {
    title: 'Common',
    definitions: {
      Id: { title: 'ChameleonId', description: 'An id.', type: 'string' },
      Timestamp: { description: 'A time.', type: 'string', format: 'date-time' },
    },
  }),
  file('models/profile.json', { title: 'Profile', description: 'A user.', type: 'object' }),
  file('incoming/body.json', { title: 'IncomingBody', description: 'A body.', type: 'object' }),
];

/** Builds `schema` as the property `p` of a topic file, and returns its node and the namer. */
function propertyNode(schema: unknown): { node: SchemaNode; namer: TypeNamer } {
  const topic = file('topics/t.json', { type: 'object', properties: { p: schema } });
  const { index, problems } = buildSchemaIndex([...files, topic]);
  expect(problems).toEqual([]);
  const root = index.document('topics/t.json').root;
  if (root.kind !== 'object') throw new Error('not an object');
  return { node: root.properties[0]!.node, namer: new TypeNamer(index) };
}

describe('ref names: the target title, else its key under definitions', () => {
  const cases: Array<[string, string]> = [
    ['../common.json#/definitions/Id', 'ChameleonId'],
    ['../common.json#/definitions/Timestamp', 'Timestamp'],
    ['../models/profile.json', 'Profile'],
  ];
  it.each(cases)('%s → %s', (ref, want) => {
    const { node } = propertyNode({ $ref: ref });
    expect(node.kind === 'ref' && node.typeName).toBe(want);
  });
});

describe('docs TypeNamer: one line of Markdown per node', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a primitive', { type: 'integer' }, 'integer'],
    ['a format', { type: 'string', format: 'uri' }, 'string (uri)'],
    [
      'a model ref: a link to its page',
      { $ref: '../models/profile.json' },
      '[Profile](../models/Profile.md)',
    ],
    ['a non-model document ref: its name', { $ref: '../incoming/body.json' }, '`IncomingBody`'],
    ['a definition ref: its type name', { $ref: '../common.json#/definitions/Id' }, '`ChameleonId`'],
    [
      'nullable by type array: null among the types, format last',
      { type: ['string', 'null'], format: 'date-time' },
      'string \\| null (date-time)',
    ],
    [
      'nullable ref, null last',
      { anyOf: [{ $ref: '../models/profile.json' }, { type: 'null' }] },
      '[Profile](../models/Profile.md) \\| null',
    ],
    ['nullable, null first', { anyOf: [{ type: 'null' }, { type: 'boolean' }] }, 'null \\| boolean'],
    ['a union', { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 0 }] }, 'string \\| integer'],
    ['a const', { const: 'ping' }, '`"ping"`'],
    ['a typed enum', { type: 'string', enum: ['a', 'b'] }, 'string: one of `"a"`, `"b"`'],
    ['an open enum', { enum: ['a'], 'x-open-enum': true }, 'one of `"a"`, or a newer value'],
    [
      'an array of refs',
      { type: 'array', items: { $ref: '../common.json#/definitions/Id' } },
      'array of `ChameleonId`',
    ],
    ['an array without items', { type: 'array' }, 'array'],
    ['an object', { type: 'object' }, 'object'],
    ['anything', {}, 'any'],
  ];
  it.each(cases)('%s', (_name, schema, want) => {
    const { node, namer } = propertyNode(schema);
    expect(namer.describe(node, '../')).toBe(want);
  });

  it('describes a field without a description by its ref target', () => {
    const { node, namer } = propertyNode({ $ref: '../common.json#/definitions/Timestamp' });
    expect(node.kind === 'ref' && namer.refDescription(node)).toBe('A time.');
  });
});

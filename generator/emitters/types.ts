/**
 * Types: one interface per model and per topic, the `ChameleonWebhook` union
 * discriminated on `kind`, and the topic map, all from json-schema-to-typescript
 * run once over a single root so every model is declared exactly once.
 *
 * Types are closed (`additionalProperties: false` for jstt only) so a typo such
 * as `webhook.data.tuor` fails to compile, while the validators stay open.
 */
import { compile } from 'json-schema-to-typescript';
import { toJsonSchema, type JsonSchema, type SchemaNode, type SerializeOptions } from '../schema/index.js';
import { render } from '../templates.js';
import type { SchemaDocument, SpecModel } from '../model.js';
import type { Emitter } from './emitter.js';

function openEnumType(values: unknown[]): string {
  return `(${[...values.map((value) => JSON.stringify(value)), '(string & {})'].join(' | ')})`;
}

/**
 * How nodes become jstt's input: every ref points at the one declaration of its type
 * under the root's definitions, open enums keep `(string & {})`, and what means nothing
 * to types (examples, errata, learned evidence, comments) is left out.
 */
const FOR_JSTT: SerializeOptions = {
  ref: (node) => ({ $ref: `#/definitions/${node.typeName}` }),
  after(node, json) {
    const {
      examples: _examples,
      'x-errata': _errata,
      'x-learned': _learned,
      $comment: _comment,
      ...rest
    } = json;
    if (node.kind === 'enum' && node.open) {
      const { 'x-open-enum': _open, ...closed } = rest;
      return { ...closed, tsType: openEnumType(node.values) };
    }
    // jstt declares a `$ref` with a sibling description as a second type (Profile1):
    // wrapping the ref in allOf keeps one declaration and still carries the JSDoc.
    if (node.kind === 'ref' && node.annotations.description !== undefined) {
      const { $ref, ...annotations } = rest;
      return { ...annotations, allOf: [{ $ref }] };
    }
    return rest;
  },
};

/**
 * The root of one document as jstt's input. `customProperties` documents (bodies sent
 * into Chameleon, whose other keys become custom properties) get an index signature, and
 * their "at least one identifier" rule is left to the client's run-time check, because
 * jstt renders it as an unreadable intersection.
 */
function toDefinition(doc: SchemaDocument, customProperties: boolean): JsonSchema {
  let root: SchemaNode = doc.root;
  if (customProperties && root.kind === 'object')
    root = { ...root, additional: 'open', additionalWritten: true, requiredAlternatives: [] };
  return toJsonSchema(root, FOR_JSTT);
}

function commonDefinitions(common: SchemaDocument): Array<[string, JsonSchema]> {
  return common.definitions.map((definition) => [
    definition.typeName,
    toJsonSchema(definition.node, FOR_JSTT),
  ]);
}

/** jstt declares only what its root reaches; this synthetic root reaches every type, then is removed. */
const SYNTHETIC_ROOT = 'ChameleonSpecRoot';

async function compileDeclarations(model: SpecModel): Promise<string> {
  const documents = [...model.topics, ...model.models, ...model.incoming];
  const customPropertyBodies = new Set(model.api.incoming.endpoints.map((endpoint) => endpoint.schema));
  const union = {
    title: 'ChameleonWebhook',
    description: 'Every webhook topic this version of the spec knows, discriminated on `kind`.',
    oneOf: model.topics.map((topic) => ({ $ref: `#/definitions/${topic.typeName}` })),
  };
  const definitions = Object.fromEntries([
    ['ChameleonWebhook', union],
    ...commonDefinitions(model.common),
    ...documents.map(
      (doc) => [doc.typeName, toDefinition(doc, customPropertyBodies.has(doc.path))] as [string, JsonSchema],
    ),
  ]);
  const rootNames = [
    'ChameleonWebhook',
    ...model.incoming.map((doc) => doc.typeName),
    ...model.models.map((doc) => doc.typeName),
  ];
  return compileDefinitions(definitions, rootNames);
}

/**
 * TypeScript declarations of named schemas (already in jstt's shape: refs as
 * `#/definitions/<Name>`), declared in the order `rootNames` reaches them.
 */
async function compileDefinitions(
  definitions: Record<string, JsonSchema>,
  rootNames: string[],
): Promise<string> {
  const root = {
    title: SYNTHETIC_ROOT,
    type: 'object',
    properties: Object.fromEntries(rootNames.map((name) => [name, { $ref: `#/definitions/${name}` }])),
    definitions,
  };
  const declarations = await compile(root as never, SYNTHETIC_ROOT, {
    additionalProperties: false,
    declareExternallyReferenced: true,
    strictIndexSignatures: true,
    bannerComment: '',
    format: false,
    cwd: '/nonexistent', // every $ref is internal by now; jstt must not read files
  });
  return withoutDeclaration(declarations, SYNTHETIC_ROOT);
}

/**
 * The declarations the types emitter writes for these named nodes (refs between them by
 * type name), unformatted: the unit the type emitter's tests pin.
 */
export function declarationsOf(named: Array<{ name: string; node: SchemaNode }>): Promise<string> {
  const definitions = Object.fromEntries(named.map(({ name, node }) => [name, toJsonSchema(node, FOR_JSTT)]));
  return compileDefinitions(
    definitions,
    named.map(({ name }) => name),
  );
}

/**
 * Removes the synthetic root's declaration from jstt's (unformatted) output. Its body is one
 * `Name?: Name` line per root property, so the match is exact; anything else is an error
 * rather than a guess. (ts-morph did this structurally, for 0.9 s of start-up per run.)
 */
function withoutDeclaration(source: string, name: string): string {
  const declaration = new RegExp(`^export interface ${name} \\{\\n((?:\\w+\\?: \\w+\\n)*)\\}\\n`, 'gm');
  const matches = [...source.matchAll(declaration)];
  if (matches.length !== 1)
    throw new Error(`types: expected one declaration of ${name} in jstt's output, found ${matches.length}`);
  return source.replace(declaration, '');
}

export const typesEmitter: Emitter = {
  name: 'types',
  async emit(model) {
    const declarations = await compileDeclarations(model);
    const context = { api: model.api, model, topics: model.topics, envelope: model.envelope, declarations };
    return [
      {
        path: 'typescript/src/types.ts',
        contents: render('typescript/types.ts', context),
        exportFrom: ['.', './web'],
      },
      {
        path: 'typescript/src/topics.ts',
        contents: render('typescript/topics.ts', context),
        exportFrom: ['.', './web'],
      },
    ];
  },
};

/**
 * Types: one interface per model and per topic, the `ChameleonWebhook` union
 * discriminated on `kind`, and the topic map, all from json-schema-to-typescript
 * run once over a single root so every model is declared exactly once.
 *
 * Types are closed (`additionalProperties: false` for jstt only) so a typo such
 * as `webhook.data.tuor` fails to compile, while the validators stay open.
 */
import { compile } from 'json-schema-to-typescript';
import { Project } from 'ts-morph';
import { specPathOf, type JsonSchema } from '../spec/load.js';
import { walkSchemas } from '../lint.js';
import { render } from '../templates.js';
import type { SchemaDocument, SpecModel } from '../model.js';
import type { Emitter } from './emitter.js';

/** Keywords that mean nothing to the types (kept out of jstt's input). */
const NOT_FOR_TYPES = ['$schema', '$id', 'examples', 'x-errata', '$comment'];

/** Maps `<spec path>#<pointer>` to the TypeScript name declared for it. */
function typeNamesByRef(documents: SchemaDocument[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const doc of documents) {
    names.set(`${doc.path}#`, doc.typeName);
    const definitions = (doc.schema.definitions ?? {}) as Record<string, JsonSchema>;
    for (const [key, definition] of Object.entries(definitions)) {
      names.set(`${doc.path}#/definitions/${key}`, String(definition.title ?? key));
    }
  }
  return names;
}

function openEnumType(values: unknown[]): string {
  return `(${[...values.map((value) => JSON.stringify(value)), '(string & {})'].join(' | ')})`;
}

/** True for `anyOf: [{required: [..]}, ..]`: "at least one of these keys", checked at run time only. */
function isIdentifierRule(schema: JsonSchema): boolean {
  const branches = schema.anyOf;
  return Array.isArray(branches) && branches.every((branch: JsonSchema) => Array.isArray(branch.required));
}

/**
 * Rewrites one document into a jstt definition: refs point into the root, open enums stay open.
 * `customProperties` documents (bodies sent into Chameleon, whose other keys become custom
 * properties) get an index signature, and their "at least one identifier" rule is left to the
 * client's run-time check, because jstt renders it as an unreadable intersection.
 */
function toDefinition(
  doc: SchemaDocument,
  names: Map<string, string>,
  customProperties: boolean,
): JsonSchema {
  const copy = structuredClone(doc.schema);
  for (const key of NOT_FOR_TYPES) delete copy[key];
  delete copy.definitions;
  if (customProperties) {
    copy.additionalProperties = true;
    if (isIdentifierRule(copy)) delete copy.anyOf;
  }
  const nodes: JsonSchema[] = [];
  walkSchemas(copy, (node) => nodes.push(node)); // collect first: rewriting adds nodes
  for (const node of nodes) {
    if (node['x-open-enum'] === true && Array.isArray(node.enum)) node.tsType = openEnumType(node.enum);
    delete node['x-open-enum'];
    if (typeof node.$ref !== 'string') continue;
    const target = new URL(node.$ref, doc.id).href;
    const [file = '', fragment = ''] = target.split('#');
    const name = names.get(`${specPathOf(file)}#${fragment}`);
    if (!name) throw new Error(`spec/${doc.path}: no type for $ref ${node.$ref}`);
    const ref = `#/definitions/${name}`;
    delete node.$ref;
    // jstt declares a `$ref` with a sibling description as a second type (Profile1):
    // wrapping the ref in allOf keeps one declaration and still carries the JSDoc.
    if (typeof node.description === 'string') node.allOf = [{ $ref: ref }];
    else node.$ref = ref;
  }
  return copy;
}

function commonDefinitions(common: SchemaDocument): Array<[string, JsonSchema]> {
  const definitions = (common.schema.definitions ?? {}) as Record<string, JsonSchema>;
  return Object.values(definitions).map((definition) => [
    String(definition.title),
    structuredClone(definition),
  ]);
}

/** jstt declares only what its root reaches; this synthetic root reaches every type, then is removed. */
const SYNTHETIC_ROOT = 'ChameleonSpecRoot';

async function compileDeclarations(model: SpecModel): Promise<string> {
  const documents = [...model.topics, ...model.models, ...model.incoming];
  const names = typeNamesByRef(model.documents);
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
      (doc) =>
        [doc.typeName, toDefinition(doc, names, customPropertyBodies.has(doc.path))] as [string, JsonSchema],
    ),
  ]);
  const rootNames = [
    'ChameleonWebhook',
    ...model.incoming.map((doc) => doc.typeName),
    ...model.models.map((doc) => doc.typeName),
  ];
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

/** Removes one top-level declaration, structurally (ts-morph), leaving the rest untouched. */
function withoutDeclaration(source: string, name: string): string {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile('types.ts', source);
  file.getInterfaceOrThrow(name).remove();
  return file.getFullText();
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

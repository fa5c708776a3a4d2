/**
 * Types: one interface per model and per topic, the `ChameleonWebhook` union
 * discriminated on `kind`, and the topic map, all from json-schema-to-typescript
 * run once over a single root so every model is declared exactly once.
 *
 * Types are closed (`additionalProperties: false` for jstt only) so a typo such
 * as `webhook.data.tuor` fails to compile, while the validators stay open.
 */
import { compile } from 'json-schema-to-typescript';
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

/** Rewrites one document into a jstt definition: refs point into the root, open enums stay open. */
function toDefinition(doc: SchemaDocument, names: Map<string, string>): JsonSchema {
  const copy = structuredClone(doc.schema);
  for (const key of NOT_FOR_TYPES) delete copy[key];
  delete copy.definitions;
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
  return Object.values(definitions).map((definition) => [String(definition.title), structuredClone(definition)]);
}

async function compileDeclarations(model: SpecModel): Promise<string> {
  const documents = [...model.topics, ...model.models, ...model.incoming];
  const names = typeNamesByRef(model.documents);
  const definitions = Object.fromEntries([
    ...commonDefinitions(model.common),
    ...documents.map((doc) => [doc.typeName, toDefinition(doc, names)] as [string, JsonSchema]),
  ]);
  const root = {
    title: 'ChameleonWebhook',
    description: 'Every webhook topic this version of the spec knows, discriminated on `kind`.',
    oneOf: model.topics.map((topic) => ({ $ref: `#/definitions/${topic.typeName}` })),
    definitions,
  };
  return compile(root as never, 'ChameleonWebhook', {
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    strictIndexSignatures: true,
    bannerComment: '',
    format: false,
    cwd: '/nonexistent', // every $ref is internal by now; jstt must not read files
  });
}

export const typesEmitter: Emitter = {
  name: 'types',
  async emit(model) {
    const declarations = await compileDeclarations(model);
    const context = { api: model.api, model, topics: model.topics, envelope: model.envelope, declarations };
    return [
      { path: 'typescript/src/types.ts', contents: render('typescript/types.ts', context), exportFrom: ['.', './web'] },
      { path: 'typescript/src/topics.ts', contents: render('typescript/topics.ts', context), exportFrom: ['.', './web'] },
    ];
  },
};

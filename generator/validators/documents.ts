/** Which spec documents get validators, how their schemas are named, and how they are compiled for them. */
import type { SchemaDocument, SpecModel } from '../model.js';
import type { RefNode, SchemaIndex, SchemaNode } from '../schema/index.js';
import type { JsonSchema } from '../spec/load.js';
import { compilableDocument, type CompileOptions } from './schemas.js';

/** The documents that get an exported validator: the envelope, every topic and every model. */
export function validatedDocuments(model: SpecModel): SchemaDocument[] {
  return [model.envelope, ...model.topics, ...model.models];
}

/** Where a node is written, for errors: `spec/models/step.json#/properties/preset`. */
export function at(origin: { file: string; pointer: string }): string {
  return `spec/${origin.file}#${origin.pointer}`;
}

/**
 * The name a ref's target has in the validators (its guard is `is` + name): the
 * document's name, or the key of the definition.
 */
export function schemaName(ref: RefNode): string {
  if (!ref.target.file)
    throw new Error(`validators: $ref ${ref.ref} at ${at(ref.origin)} points outside the spec`);
  if (ref.target.pointer === '') return ref.typeName;
  const definition = /^\/definitions\/([A-Za-z]\w*)$/.exec(ref.target.pointer);
  if (!definition) throw new Error(`validators: cannot name the target of ${ref.ref} at ${at(ref.origin)}`);
  return definition[1]!;
}

/** A ref's target when it is one of `commonPath`'s definitions that are a single check (Timestamp, ChameleonId). */
export function sharedDefinitions(commonPath: string, schemas: SchemaIndex) {
  return (ref: RefNode): SchemaNode | undefined => {
    if (ref.target.file !== commonPath || !ref.target.pointer.startsWith('/definitions/')) return undefined;
    const target = schemas.target(ref);
    return target.kind === 'object' && target.properties.length ? undefined : target;
  };
}

/** How the spec's nodes compile for Ajv: refs as written, shared single checks inlined where a nullable needs it. */
export function compileOptions(model: SpecModel): CompileOptions {
  return { ref: (node) => ({ $ref: node.ref }), inline: sharedDefinitions(model.common.path, model.schemas) };
}

/** A document's schema as both validator paths check it (see schemas.ts). */
export function validatedSchema(model: SpecModel, doc: SchemaDocument): JsonSchema {
  return compilableDocument(doc, compileOptions(model));
}

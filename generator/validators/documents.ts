/** Which spec documents get validators, and how their schemas are prepared for them. */
import type { SchemaDocument, SpecModel } from '../model.js';
import type { JsonSchema } from '../spec/load.js';
import { compilableSchema } from './schemas.js';

/** The documents that get an exported validator: the envelope, every topic and every model. */
export function validatedDocuments(model: SpecModel): SchemaDocument[] {
  return [model.envelope, ...model.topics, ...model.models];
}

/** Inlines `$ref`s to common.json's definitions that are a single check (Timestamp, ChameleonId) where a nullable needs it. */
export function sharedDefinitions(model: SpecModel, doc: SchemaDocument) {
  const definitions = (model.common.schema.definitions ?? {}) as Record<string, JsonSchema>;
  return (ref: string): JsonSchema | undefined => {
    const [file, fragment = ''] = new URL(ref, doc.id).href.split('#');
    if (file !== model.common.id) return undefined;
    const definition = definitions[fragment.replace(/^\/definitions\//, '')];
    return definition && !definition.properties ? definition : undefined;
  };
}

/** A document's schema as both validator paths check it (see schemas.ts). */
export function validatedSchema(model: SpecModel, doc: SchemaDocument): JsonSchema {
  return compilableSchema(doc.schema, sharedDefinitions(model, doc));
}

/**
 * An Ajv instance that knows every schema document of the spec, used at
 * generate time to check the spec's own examples (and by the validator emitter).
 */
import { Ajv, type Options } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { SchemaDocument } from '../model.js';

/** Keywords of our own in spec/: metadata for people and for the types emitter. */
export const SPEC_KEYWORDS = ['x-errata', 'x-open-enum'] as const;

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export function createSpecAjv(documents: SchemaDocument[], options: Options = {}): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, ...options });
  addFormats(ajv);
  for (const keyword of SPEC_KEYWORDS) ajv.addKeyword({ keyword, schemaType: ['array', 'boolean'] });
  for (const doc of documents) ajv.addSchema(doc.schema);
  return ajv;
}

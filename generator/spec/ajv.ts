/**
 * An Ajv instance that knows every schema document of the spec, used at
 * generate time to check the spec's own examples (and by the validator emitter).
 * Ajv reads JSON Schema, so each document goes through the nodes' serializer.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { documentToJsonSchema, SPEC_KEYWORDS, type DocumentNode } from '../schema/index.js';

export { SPEC_KEYWORDS };

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export function createSpecAjv(documents: DocumentNode[], options: Options = {}): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, ...options });
  addFormats(ajv);
  for (const keyword of SPEC_KEYWORDS) ajv.addKeyword({ keyword, schemaType: ['array', 'boolean'] });
  for (const doc of documents) ajv.addSchema(documentToJsonSchema(doc));
  return ajv;
}

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

/** One instance per list of documents (the model's), for callers with the default options. */
const shared = new WeakMap<DocumentNode[], Ajv>();

/**
 * An Ajv that knows every document. With the default options the instance is shared by
 * everyone asking for the same documents (the lint and the fixtures emitter), so each
 * topic's validator is compiled once per run.
 */
export function createSpecAjv(documents: DocumentNode[], options?: Options): Ajv {
  if (options) return newSpecAjv(documents, options);
  let ajv = shared.get(documents);
  if (!ajv) {
    ajv = newSpecAjv(documents, {});
    shared.set(documents, ajv);
  }
  return ajv;
}

function newSpecAjv(documents: DocumentNode[], options: Options): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, ...options });
  addFormats(ajv);
  // Annotations only: their shape is the lint's business (x-learned is an object).
  for (const keyword of SPEC_KEYWORDS)
    ajv.addKeyword({ keyword, schemaType: ['array', 'boolean', 'object'] });
  for (const doc of documents) ajv.addSchema(documentToJsonSchema(doc));
  return ajv;
}

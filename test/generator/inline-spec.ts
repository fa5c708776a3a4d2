/** Inline schemas as the files of a small spec, for the generator's given/want tests. */
import { buildDocuments, SchemaIndex } from '../../generator/schema/index.js';
import { SPEC_ID_BASE, type JsonSchema } from '../../generator/spec/load.js';

/** Builds `files` (spec path → schema) into documents and their index, with the builder's problems. */
export function buildInlineSpec(files: Record<string, JsonSchema>) {
  const specFiles = Object.entries(files).map(([path, json]) => ({
    path,
    id: `${SPEC_ID_BASE}${path}`,
    json,
  }));
  const { documents, problems } = buildDocuments(specFiles);
  return { documents, problems, index: new SchemaIndex(documents) };
}

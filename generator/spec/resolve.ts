/**
 * Step 2: resolve `$ref`s with @apidevtools/json-schema-ref-parser.
 *
 * Every `$id` in the spec lives under SPEC_ID_BASE, and ref-parser 15 resolves
 * relative refs against `$id`. A custom resolver maps those URIs back to the
 * files already loaded in memory, and the file and HTTP resolvers are switched
 * off, so resolution is hermetic: it never touches the disk again or the network.
 */
import { $RefParser, type FileInfo, type ParserOptions } from '@apidevtools/json-schema-ref-parser';
import { SPEC_ID_BASE, specPathOf, type JsonSchema, type LoadedSpec } from './load.js';

function parserOptions(spec: LoadedSpec): ParserOptions {
  const byPath = new Map(spec.files.map((file) => [file.path, file]));
  return {
    resolve: {
      file: false,
      http: false,
      external: true,
      spec: {
        order: 1,
        canRead: (file: FileInfo) => file.url.startsWith(SPEC_ID_BASE),
        read: (file: FileInfo) => {
          const rel = specPathOf(file.url);
          const found = rel === undefined ? undefined : byPath.get(rel);
          if (!found) throw new Error(`$ref to ${file.url}, which is not a file in spec/`);
          return JSON.stringify(found.json);
        },
      },
    },
    dereference: { circular: false },
  };
}

/** The document with every `$ref` replaced by its target (shared targets are shared objects). */
export async function dereferenceDocument(spec: LoadedSpec, rel: string): Promise<JsonSchema> {
  const parser = new $RefParser();
  return (await parser.dereference(SPEC_ID_BASE + rel, parserOptions(spec))) as JsonSchema;
}

/** The document as one standalone schema: external targets copied in, refs made internal. */
export async function bundleDocument(spec: LoadedSpec, rel: string): Promise<JsonSchema> {
  const parser = new $RefParser();
  return (await parser.bundle(SPEC_ID_BASE + rel, parserOptions(spec))) as JsonSchema;
}

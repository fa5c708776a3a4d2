/**
 * Compiles the validators with Ajv at generate time and returns Ajv's
 * standalone ESM code: the runtime package runs that code and never Ajv itself
 * (no `new Function`, nothing compiled at start-up, no runtime dependency).
 */
import { Ajv, _ } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { SchemaDocument, SpecModel } from '../model.js';
import { walkSchemas } from '../lint.js';
import type { JsonSchema } from '../spec/load.js';
import { compilableSchema } from './schemas.js';

/** Formats the runtime implements in `validators/formats.ts`; any other format in the spec is an error. */
export const RUNTIME_FORMATS = ['date-time'] as const;

// ajv/dist/standalone is CommonJS; under NodeNext its default import is the module object.
const standaloneCode = ((standaloneModule as { default?: unknown }).default ?? standaloneModule) as (
  ajv: Ajv,
  refsOrFunc: Record<string, string>,
) => string;

/** One exported validator of the compiled module. */
export interface CompiledExport {
  /** The identifier exported by the compiled module (the document's type name). */
  name: string;
  doc: SchemaDocument;
}

function formatsUsed(documents: SchemaDocument[]): string[] {
  const formats = new Set<string>();
  for (const doc of documents) {
    walkSchemas(doc.schema, (node) => {
      if (typeof node.format === 'string') formats.add(node.format);
    });
  }
  return [...formats].sort();
}

function createCompiler(): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    // One function per document: shared models are compiled once, not inlined into every topic.
    inlineRefs: 4,
    messages: false,
    // String lengths as `.length`: the spec's length limits are on ASCII keys, and this avoids
    // the `require("ajv/dist/runtime/ucs2length")` that Ajv's ESM output would otherwise contain.
    unicode: false,
    code: { source: true, esm: true, optimize: true, formats: _`formats` },
    logger: {
      log: () => undefined,
      // `unicode` is deprecated but still honoured; its notice is the one expected warning.
      warn: (...args: unknown[]) => {
        if (!String(args[0]).includes('option unicode')) console.warn(...args);
      },
      error: (...args: unknown[]) => console.error(...args),
    },
  } as ConstructorParameters<typeof Ajv>[0]);
  // The implementation lives in the runtime (formats.ts); the generator only needs the name.
  for (const format of RUNTIME_FORMATS) ajv.addFormat(format, () => true);
  return ajv;
}

/** Removes `const schemaN = {...};` declarations the code never reads (Ajv emits them for every function). */
function dropUnusedSchemas(code: string): string {
  let out = code;
  for (const match of code.matchAll(/const (schema\d+) = /g)) {
    const name = match[1]!;
    const uses = out.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0;
    if (uses > 1) continue;
    const start = out.indexOf(`const ${name} = `);
    const end = endOfJsonLiteral(out, start + `const ${name} = `.length);
    out = out.slice(0, start) + out.slice(end + (out[end] === ';' ? 1 : 0));
  }
  return out;
}

/** Index just past the JSON literal that starts at `from` (strings may hold brackets). */
function endOfJsonLiteral(code: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < code.length; i++) {
    const char = code[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('validators: unterminated schema literal in Ajv output');
}

/** Inlines `$ref`s to common.json's definitions that are a single check (Timestamp, ChameleonId). */
function sharedDefinitions(model: SpecModel, doc: SchemaDocument) {
  const definitions = (model.common.schema.definitions ?? {}) as Record<string, JsonSchema>;
  return (ref: string): JsonSchema | undefined => {
    const [file, fragment = ''] = new URL(ref, doc.id).href.split('#');
    if (file !== model.common.id) return undefined;
    const definition = definitions[fragment.replace(/^\/definitions\//, '')];
    return definition && !definition.properties ? definition : undefined;
  };
}

/**
 * Ajv's code reads only a few parts of each schema literal it keeps (property
 * names for the undocumented-property check, enum lists and type lists for the
 * error params). Keeps exactly those parts, so the literals stop repeating the
 * whole schema.
 */
function pruneSchemaLiterals(code: string): string {
  let out = code;
  for (const match of code.matchAll(/const (schema\d+) = /g)) {
    const name = match[1]!;
    const start = out.indexOf(`const ${name} = `) + `const ${name} = `.length;
    const end = endOfJsonLiteral(out, start);
    const schema = JSON.parse(out.slice(start, end)) as JsonSchema;
    const paths = [...out.matchAll(new RegExp(`\\b${name}((?:\\.[A-Za-z_$][\\w$]*)+)`, 'g'))].map((found) => found[1]!.slice(1).split('.'));
    out = out.slice(0, start) + JSON.stringify(pruned(schema, paths)) + out.slice(end);
  }
  return out;
}

/** A copy of `schema` holding only the values at `paths`; a path to an object keeps its keys. */
function pruned(schema: JsonSchema, paths: string[][]): JsonSchema {
  const copy: JsonSchema = {};
  const sorted = [...paths].sort((a, b) => a.length - b.length);
  for (const path of sorted) {
    let source: unknown = schema;
    let target: Record<string, unknown> = copy;
    path.forEach((key, index) => {
      source = (source as Record<string, unknown> | undefined)?.[key];
      if (index === path.length - 1) {
        const isMap = source !== null && typeof source === 'object' && !Array.isArray(source);
        if (target[key] === undefined) target[key] = isMap ? Object.fromEntries(Object.keys(source as object).map((k) => [k, {}])) : source;
      } else {
        target[key] ??= {};
        target = target[key] as Record<string, unknown>;
      }
    });
  }
  return copy;
}

/**
 * Two size-only rewrites of Ajv's output (the gzipped budget is 15 KB): the
 * runtime never reads `schemaPath`, and the four-statement "append this error"
 * that Ajv repeats at every check becomes one call to `pushError`.
 */
function compact(code: string): string {
  const compacted = code
    .replace(/schemaPath:"(?:[^"\\]|\\.)*",/g, '')
    .replace(
      /const (err\d+) = (\{.*?\});if\(vErrors === null\)\{vErrors = \[\1\];\}else \{vErrors\.push\(\1\);\}errors\+\+;/g,
      (_match, _name: string, error: string) => `vErrors = pushError(vErrors, ${error});errors++;`,
    );
  if (/vErrors\.push\(|schemaPath:/.test(compacted)) throw new Error('validators: Ajv output changed shape; update compact()');
  return compacted;
}

/** The documents that get an exported validator: the envelope, every topic and every model. */
export function compiledExports(model: SpecModel): CompiledExport[] {
  return [model.envelope, ...model.topics, ...model.models].map((doc) => ({ name: doc.typeName, doc }));
}

/** Ajv's standalone ESM code for every export, with no `require(`, `eval` or `new Function`. */
export function compileStandalone(model: SpecModel): string {
  const documents = [model.common, model.envelope, ...model.topics, ...model.models];
  const unknown = formatsUsed(documents).filter((format) => !(RUNTIME_FORMATS as readonly string[]).includes(format));
  if (unknown.length) throw new Error(`validators: the spec uses format(s) ${unknown.join(', ')}; add them to validators/formats.ts`);
  const ajv = createCompiler();
  for (const doc of documents) ajv.addSchema(compilableSchema(doc.schema, sharedDefinitions(model, doc)));
  const refs = Object.fromEntries(compiledExports(model).map(({ name, doc }) => [name, doc.id]));
  const code = compact(pruneSchemaLiterals(dropUnusedSchemas(standaloneCode(ajv, refs).replace(/^"use strict";/, ''))));
  for (const forbidden of ['require(', 'eval(', 'new Function']) {
    if (code.includes(forbidden)) throw new Error(`validators: Ajv's output contains ${forbidden}; the runtime package must not`);
  }
  return code;
}

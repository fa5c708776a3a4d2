/**
 * The detailed path's data: every compilable schema (schemas.ts) by the name
 * of its guard, with `$ref`s rewritten to those names, so the runtime's small
 * interpreter (templates/typescript/validators/detailed.ts.hbs) can walk them
 * and report every error as Ajv would. Only the keywords the interpreter reads
 * are kept; the guards reject every other keyword at generate time.
 */
import type { SchemaDocument } from '../model.js';
import type { JsonSchema } from '../spec/load.js';

const KEPT = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'required',
  'properties',
  'items',
  'anyOf',
  'if',
  'else',
  'additionalProperties',
]);

/** Resolves a `$ref` written in `doc` to the name of its target in the table. */
export type TableRefResolver = (ref: string, doc: SchemaDocument) => string;

function rewrite(node: JsonSchema, doc: SchemaDocument, resolve: TableRefResolver): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT.has(key)) continue;
    if (key === '$ref') {
      const siblings = Object.keys(node).filter((other) => KEPT.has(other) && other !== '$ref');
      if (siblings.length) throw new Error(`validators: $ref beside ${siblings.join(', ')} in ${doc.id}`);
      out.$ref = resolve(value as string, doc);
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [
          name,
          rewrite(sub, doc, resolve),
        ]),
      );
    } else if (key === 'anyOf') {
      out.anyOf = (value as JsonSchema[]).map((sub) => rewrite(sub, doc, resolve));
    } else if ((key === 'items' || key === 'if' || key === 'else') && value && typeof value === 'object') {
      out[key] = rewrite(value as JsonSchema, doc, resolve);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The table: `entries` are [name, schema, document] in the order the guards are written. */
export function schemaTable(
  entries: Array<[string, JsonSchema, SchemaDocument]>,
  resolve: TableRefResolver,
): Record<string, JsonSchema> {
  return Object.fromEntries(entries.map(([name, schema, doc]) => [name, rewrite(schema, doc, resolve)]));
}

/** The name of a document or of one of its definitions (its guard is `is` + name). */
function targetName(doc: SchemaDocument, fragment: string): string {
  if (fragment === '') return doc.typeName;
  const definition = /^\/definitions\/([A-Za-z]\w*)$/.exec(fragment);
  if (!definition) throw new Error(`validators: cannot name the target of #${fragment} in ${doc.id}`);
  return definition[1]!;
}

/**
 * The table of `definitionsDoc`'s definitions and of `exports`, in the order the
 * guards are written; `compile` gives a document's compilable schema (schemas.ts).
 */
export function validatorTable(
  definitionsDoc: SchemaDocument,
  exports: SchemaDocument[],
  compile: (doc: SchemaDocument) => JsonSchema,
): Record<string, JsonSchema> {
  const byId = new Map([definitionsDoc, ...exports].map((doc) => [doc.id, doc]));
  const resolveName = (ref: string, doc: SchemaDocument) => {
    const [file, fragment = ''] = new URL(ref, doc.id).href.split('#');
    const target = byId.get(file!);
    if (!target) throw new Error(`validators: $ref ${ref} in ${doc.id} points outside the spec`);
    return targetName(target, decodeURIComponent(fragment));
  };
  const entries: Array<[string, JsonSchema, SchemaDocument]> = [];
  const common = compile(definitionsDoc);
  for (const [name, schema] of Object.entries((common.definitions ?? {}) as Record<string, JsonSchema>))
    entries.push([name, schema, definitionsDoc]);
  for (const doc of exports) entries.push([doc.typeName, compile(doc), doc]);
  const names = new Set<string>();
  for (const [name] of entries) {
    if (names.has(name)) throw new Error(`validators: two schemas would be named ${name}`);
    names.add(name);
  }
  return schemaTable(entries, resolveName);
}

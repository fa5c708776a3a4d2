/**
 * The detailed path's data: every compilable schema (schemas.ts) by the name
 * of its guard, with `$ref`s written as those names, so the runtime's small
 * interpreter (templates/typescript/runtime/validators/detailed.ts) can walk
 * them and report every error as Ajv would. The generated module keys each
 * schema by its guard and writes each `$ref` as the guard it names
 * (`tableEntries`). The guards reject, at generate time, every node the
 * interpreter could not check.
 */
import type { SchemaNode } from '../schema/index.js';
import type { JsonSchema } from '../spec/load.js';
import { schemaName } from './documents.js';
import { compilableSchema, type CompileOptions } from './schemas.js';

/** A schema of the table: its name (the guard's, without `is`) and its node. */
export interface TableEntry {
  name: string;
  node: SchemaNode;
}

/** The table: `entries` in the order the guards are written; `inline` as in CompileOptions. */
export function validatorTable(
  entries: TableEntry[],
  inline: CompileOptions['inline'],
): Record<string, JsonSchema> {
  const options: CompileOptions = { ref: (ref) => ({ $ref: schemaName(ref) }), inline };
  const table: Record<string, JsonSchema> = {};
  for (const { name, node } of entries) {
    if (name in table) throw new Error(`validators: two schemas would be named ${name}`);
    table[name] = compilableSchema(node, options);
  }
  return table;
}

/** Keywords whose value is a schema, and those whose value is a list of schemas (the rest is data). */
const SCHEMA_KEYWORDS = new Set(['items', 'if', 'then', 'else', 'not', 'additionalProperties']);
const SCHEMA_LIST_KEYWORDS = new Set(['anyOf', 'allOf', 'oneOf']);

/**
 * A table entry as TypeScript source: the JSON of the schema, except that a `$ref` is the guard
 * of the schema it names (`{ $ref: isChameleonId, … }`), so the table is keyed and linked by the
 * guards themselves and needs no names of its own; a schema that is only a `$ref` is that guard
 * (`isChameleonId`) and one that is only a type is its name (`'string'`).
 */
export function schemaSource(schema: JsonSchema): string {
  // The two schemas nearly every property has are written short: a ref as its guard, one type as its name.
  const keywords = Object.keys(schema);
  if (keywords.length === 1 && typeof schema.$ref === 'string') return `is${schema.$ref}`;
  if (keywords.length === 1 && typeof schema.type === 'string') return JSON.stringify(schema.type);
  const members = Object.entries(schema).map(([keyword, value]) => {
    let code: string;
    if (keyword === '$ref') code = `is${String(value)}`;
    else if (keyword === 'properties')
      code = `{ ${Object.entries(value as Record<string, JsonSchema>)
        .map(([name, property]) => `${JSON.stringify(name)}: ${schemaSource(property)}`)
        .join(', ')} }`;
    else if (SCHEMA_KEYWORDS.has(keyword) && typeof value === 'object' && value !== null)
      code = schemaSource(value as JsonSchema);
    else if (SCHEMA_LIST_KEYWORDS.has(keyword))
      code = `[${(value as JsonSchema[]).map(schemaSource).join(', ')}]`;
    else code = JSON.stringify(value);
    return `${JSON.stringify(keyword)}: ${code}`;
  });
  return `{ ${members.join(', ')} }`;
}

/** The table as the template writes it: each schema's guard (its key) and source, in table order. */
export function tableEntries(table: Record<string, JsonSchema>): Array<{ guard: string; source: string }> {
  return Object.entries(table).map(([name, schema]) => ({
    guard: `is${name}`,
    source: schemaSource(schema),
  }));
}

/**
 * The detailed path's data: every compilable schema (schemas.ts) by the name
 * of its guard, with `$ref`s written as those names, so the runtime's small
 * interpreter (templates/typescript/runtime/validators/detailed.ts) can walk
 * them and report every error as Ajv would. The guards reject, at generate
 * time, every node the interpreter could not check.
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

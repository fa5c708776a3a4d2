/**
 * The fast verdict: straight-line guard functions written from the same
 * compilable schemas Ajv compiles (schemas.ts), one function per document and
 * per shared definition, so a model's checks exist once and topics call them.
 *
 * A guard answers only "does this value pass?", in the order the schema is
 * written, and returns false at the first failure. Objects are open (an
 * undocumented property is a warning, never a failure, so the guard never has
 * to look at keys it does not know), and a closed enum takes any string unless
 * `strict` is set, exactly as the runtime's classification of Ajv's errors
 * does. The detailed Ajv validator runs only when a caller reads the errors or
 * warnings; test/validate-differential.test.ts proves both give one verdict.
 *
 * The spec uses a small subset of JSON Schema (type, enum, const, pattern,
 * format, minLength, maxLength, minimum, maximum, required, properties, items,
 * anyOf, and the `if: null / else` the rewrite makes of nullable anyOfs).
 * Any other keyword stops generation rather than being silently ignored.
 */
import type { SchemaDocument } from '../model.js';
import type { JsonSchema } from '../spec/load.js';
import { schemaTable } from './table.js';

/** One generated guard function: `name(v, s)` with `s` true in strict mode. */
export interface GuardFunction {
  name: string;
  /** What it checks, for the JSDoc line above it. */
  summary: string;
  /** The statements of its body, one per line. */
  body: string[];
  /** True for the guards of documents (envelope, topics, models); definitions and anyOf branches stay private. */
  exported: boolean;
}

/** Keywords a guard reads or may ignore (annotations and the closing of objects, which guards leave open). */
const HANDLED = new Set([
  '$schema',
  '$id',
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
  'definitions',
]);

const TYPE_TESTS: Record<string, (v: string) => string> = {
  object: (v) => `typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v})`,
  array: (v) => `Array.isArray(${v})`,
  string: (v) => `typeof ${v} === 'string'`,
  // As Ajv compiles them (strictNumbers): no NaN or Infinity.
  number: (v) => `Number.isFinite(${v})`,
  integer: (v) => `Number.isInteger(${v})`,
  boolean: (v) => `typeof ${v} === 'boolean'`,
  null: (v) => `${v} === null`,
};

const COMPARISONS: Record<string, string> = {
  minimum: '>=',
  maximum: '<=',
  exclusiveMinimum: '>',
  exclusiveMaximum: '<',
};

function literal(value: unknown): string {
  if (value !== null && typeof value === 'object')
    throw new Error(`guards: only primitive enum/const values are supported, got ${JSON.stringify(value)}`);
  return JSON.stringify(value);
}

/**
 * Ajv compiles patterns with the `u` flag. For a pattern of plain ASCII with
 * no `.`, negated class, `\\S`/`\\W`/`\\D`/`\\b`/`\\B`, `\\p` or `\\u`, the flag changes
 * no match, and V8 runs the pattern faster without it.
 */
export function regexFlags(pattern: string): string {
  return /^[\x20-\x7e]*$/.test(pattern) && !/\.|\[\^|\\[SWDbBpPu]/.test(pattern) ? '' : 'u';
}

function accessor(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** Resolves a `$ref` written in `doc` to the name of the guard of its target. */
export type RefResolver = (ref: string, doc: SchemaDocument) => string;

/** Writes the guard functions of a set of documents; the patterns they test are collected as shared constants. */
export class GuardWriter {
  readonly functions: GuardFunction[] = [];
  readonly patterns: Array<{ source: string; flags: string }> = [];
  private branches = 0;
  private variables = 0;

  constructor(private readonly resolve: RefResolver) {}

  /** Adds the guard `name` of `schema` (a document or a definition of `doc`). */
  add(name: string, summary: string, schema: JsonSchema, doc: SchemaDocument, exported: boolean): void {
    const body = this.statements(schema, 'v', doc, false);
    this.functions.push({ name, summary, body: [...body, 'return true;'], exported });
  }

  private variable(): string {
    return `x${this.variables++}`;
  }

  private pattern(source: string): string {
    let index = this.patterns.findIndex((pattern) => pattern.source === source);
    if (index < 0) index = this.patterns.push({ source, flags: regexFlags(source) }) - 1;
    return `PATTERN_${index}`;
  }

  /** Statements that `return false;` unless `v` satisfies `schema`. */
  private statements(schema: JsonSchema, v: string, doc: SchemaDocument, insideAnyOf: boolean): string[] {
    const unknown = Object.keys(schema).filter((key) => !HANDLED.has(key));
    if (unknown.length)
      throw new Error(`guards: keyword(s) ${unknown.join(', ')} in ${doc.id} have no guard`);
    const fail = (condition: string) => `if (${condition}) return false;`;
    const out: string[] = [];
    if (typeof schema.$ref === 'string') out.push(fail(`!${this.resolve(schema.$ref, doc)}(${v}, s)`));

    const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
    if (types.length) out.push(fail(`!(${types.map((type) => `(${TYPE_TESTS[type]!(v)})`).join(' || ')})`));
    /** Guards a keyword that applies to one type: no test needed when that is the only type allowed. */
    const onlyFor = (type: string, check: string) =>
      types.length === 1 && types[0] === type ? check : `${TYPE_TESTS[type]!(v)} && ${check}`;

    if (schema.const !== undefined) out.push(fail(`${v} !== ${literal(schema.const)}`));
    if (Array.isArray(schema.enum)) {
      if (insideAnyOf)
        throw new Error(
          `guards: an enum inside anyOf in ${doc.id}: the runtime cannot tell its warnings from failures`,
        );
      const known = schema.enum.map((value) => `${v} === ${literal(value)}`).join(' || ');
      // Tolerant mode lets through any string this version does not know (a warning, not an error).
      out.push(fail(`!(${known} || (!s && typeof ${v} === 'string'))`));
    }
    if (typeof schema.minLength === 'number')
      out.push(fail(onlyFor('string', `${v}.length < ${schema.minLength}`)));
    if (typeof schema.maxLength === 'number')
      out.push(fail(onlyFor('string', `${v}.length > ${schema.maxLength}`)));
    if (typeof schema.pattern === 'string')
      out.push(fail(onlyFor('string', `!${this.pattern(schema.pattern)}.test(${v})`)));
    if (schema.format !== undefined) {
      if (schema.format !== 'date-time')
        throw new Error(`guards: format ${String(schema.format)} has no guard`);
      out.push(fail(onlyFor('string', `!isDateTime(${v})`)));
    }
    for (const [keyword, operator] of Object.entries(COMPARISONS)) {
      if (typeof schema[keyword] !== 'number') continue;
      out.push(fail(`${TYPE_TESTS.number!(v)} && !(${v} ${operator} ${schema[keyword]})`));
    }
    out.push(...this.objectStatements(schema, v, doc, insideAnyOf, types));
    out.push(...this.arrayStatements(schema, v, doc, insideAnyOf, types));
    if (Array.isArray(schema.anyOf)) {
      const names = (schema.anyOf as JsonSchema[]).map((branch) => this.branch(branch, doc));
      out.push(fail(`!(${names.map((name) => `${name}(${v}, s)`).join(' || ')})`));
    }
    if (schema.if !== undefined) {
      if (!isNullTest(schema.if) || schema.then !== undefined)
        throw new Error(`guards: only "if: {type: null}, else: X" is supported (${doc.id})`);
      if (schema.else)
        out.push(
          `if (${v} !== null) {`,
          ...indent(this.statements(schema.else as JsonSchema, v, doc, insideAnyOf)),
          '}',
        );
    }
    return out;
  }

  private objectStatements(
    schema: JsonSchema,
    v: string,
    doc: SchemaDocument,
    insideAnyOf: boolean,
    types: string[],
  ): string[] {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = (schema.required ?? []) as string[];
    if (!Object.keys(properties).length && !required.length) return [];
    const body: string[] = [];
    const names = [...new Set([...required, ...Object.keys(properties)])];
    for (const name of names) {
      const x = this.variable();
      const sub = properties[name];
      const checks = sub ? this.statements(sub, x, doc, insideAnyOf) : [];
      const single = checks.length === 1 ? /^if \((.*)\) return false;$/.exec(checks[0]!)?.[1] : undefined;
      if (!checks.length && !required.includes(name)) continue;
      body.push(`const ${x} = ${v}${accessor(name)};`);
      // One line per property when its checks are one condition (most are), which keeps the module small.
      if (required.includes(name))
        body.push(
          ...(single
            ? [`if (${x} === undefined || ${single}) return false;`]
            : [`if (${x} === undefined) return false;`, ...checks]),
        );
      else
        body.push(
          ...(single
            ? [`if (${x} !== undefined && (${single})) return false;`]
            : [`if (${x} !== undefined) {`, ...indent(checks), '}']),
        );
    }
    if (types.length === 1 && types[0] === 'object') return body;
    return [`if (${TYPE_TESTS.object!(v)}) {`, ...indent(body), '}'];
  }

  private arrayStatements(
    schema: JsonSchema,
    v: string,
    doc: SchemaDocument,
    insideAnyOf: boolean,
    types: string[],
  ): string[] {
    if (schema.items === undefined) return [];
    if (Array.isArray(schema.items) || typeof schema.items !== 'object')
      throw new Error(`guards: only one items schema is supported (${doc.id})`);
    const index = this.variable();
    const item = this.variable();
    const checks = this.statements(schema.items as JsonSchema, item, doc, insideAnyOf);
    const loop = [
      `for (let ${index} = 0; ${index} < ${v}.length; ${index}++) {`,
      `  const ${item} = ${v}[${index}];`,
      ...indent(checks),
      '}',
    ];
    if (types.length === 1 && types[0] === 'array') return loop;
    return [`if (Array.isArray(${v})) {`, ...indent(loop), '}'];
  }

  /** A branch of an anyOf as its own function (so `a || b` stays an expression); a `$ref` branch calls its target directly. */
  private branch(schema: JsonSchema, doc: SchemaDocument): string {
    if (typeof schema.$ref === 'string' && Object.keys(schema).length === 1)
      return this.resolve(schema.$ref, doc);
    const name = `anyOf${this.branches++}`;
    const body = this.statements(schema, 'v', doc, true);
    this.functions.push({
      name,
      summary: `A branch of an anyOf in ${doc.id.split('/').slice(-2).join('/')}.`,
      body: [...body, 'return true;'],
      exported: false,
    });
    return name;
  }
}

function isNullTest(schema: unknown): boolean {
  const node = schema as JsonSchema | null;
  return node?.type === 'null' && Object.keys(node).length === 1;
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

/** The name of a document or of one of its definitions (its guard is `is` + name). */
function targetName(doc: SchemaDocument, fragment: string): string {
  if (fragment === '') return doc.typeName;
  const definition = /^\/definitions\/([A-Za-z]\w*)$/.exec(fragment);
  if (!definition) throw new Error(`guards: cannot name the target of #${fragment} in ${doc.id}`);
  return definition[1]!;
}

export interface WrittenValidators {
  guards: GuardWriter;
  /** The compilable schemas by name, refs by name: the detailed path's data. */
  schemas: Record<string, JsonSchema>;
}

/**
 * The guards and the schema table of every shared definition, the envelope,
 * every model and every topic, in that order. `compile` gives a document's
 * compilable schema (schemas.ts), so both paths check the very same rules.
 */
export function writeValidators(
  definitionsDoc: SchemaDocument,
  exports: SchemaDocument[],
  compile: (doc: SchemaDocument) => JsonSchema,
): WrittenValidators {
  const byId = new Map([definitionsDoc, ...exports].map((doc) => [doc.id, doc]));
  const resolveName = (ref: string, doc: SchemaDocument) => {
    const [file, fragment = ''] = new URL(ref, doc.id).href.split('#');
    const target = byId.get(file!);
    if (!target) throw new Error(`guards: $ref ${ref} in ${doc.id} points outside the spec`);
    return targetName(target, decodeURIComponent(fragment));
  };
  const writer = new GuardWriter((ref, doc) => `is${resolveName(ref, doc)}`);
  const entries: Array<[string, JsonSchema, SchemaDocument]> = [];
  const common = compile(definitionsDoc);
  for (const [name, schema] of Object.entries((common.definitions ?? {}) as Record<string, JsonSchema>))
    entries.push([name, schema, definitionsDoc]);
  for (const doc of exports) entries.push([doc.typeName, compile(doc), doc]);
  const names = new Set<string>();
  for (const [name, schema, doc] of entries) {
    if (names.has(name)) throw new Error(`guards: two schemas would be named ${name}`);
    names.add(name);
    writer.add(`is${name}`, `${name} (${doc.path}).`, schema, doc, doc !== definitionsDoc);
  }
  return { guards: writer, schemas: schemaTable(entries, resolveName) };
}

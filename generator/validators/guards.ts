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

/** One generated guard function: `name(v)`, or `name(v, s)` when it reads the strict flag `s`. */
export interface GuardFunction {
  name: string;
  /** What it checks, for the JSDoc line above it. */
  summary: string;
  /** The statements of its body, one per line. */
  body: string[];
  /** True for the guards of documents (envelope, topics, models); definitions and anyOf branches stay private. */
  exported: boolean;
  /** True when it takes `s`: it tests a closed enum, or calls a guard that does. */
  readsStrict: boolean;
  /** True when it reads `v` (a schema that checks nothing does not). */
  readsValue: boolean;
}

/** A pattern the guards test, as a module constant named after the schema that owns it. */
export interface GuardPattern {
  name: string;
  source: string;
  flags: string;
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

/**
 * How a guard tests each JSON type. Each test narrows `v` for TypeScript, so the
 * checks after it compile on an `unknown` value; `isObject` is the module's own
 * type guard (templates/typescript/validators/guards.ts.hbs).
 */
const TYPE_TESTS: Record<string, (v: string) => string> = {
  object: (v) => `isObject(${v})`,
  array: (v) => `Array.isArray(${v})`,
  string: (v) => `typeof ${v} === 'string'`,
  // As Ajv compiles them (strictNumbers): no NaN or Infinity.
  number: (v) => `typeof ${v} === 'number' && Number.isFinite(${v})`,
  integer: (v) => `typeof ${v} === 'number' && Number.isInteger(${v})`,
  boolean: (v) => `typeof ${v} === 'boolean'`,
  null: (v) => `${v} === null`,
};

const COMPARISONS: Record<string, string> = {
  minimum: '>=',
  maximum: '<=',
  exclusiveMinimum: '>',
  exclusiveMaximum: '<',
};

/** Names a local variable may not take: reserved words, and the names the guards module itself uses. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if implements import in instanceof interface let new null package private protected public ' +
    'return static super switch this throw true try typeof var void while with yield await arguments eval ' +
    'undefined NaN Infinity Array Number Object isObject isDateTime v s'
  ).split(' '),
);

/** Loop indices by nesting depth. */
const INDICES = ['i', 'j', 'k'];

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

/** `TourStarted`, `data`, `step` → `TOUR_STARTED_DATA_STEP`. */
function constantCase(parts: string[]): string {
  return parts
    .join('_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/** Where a check stands inside the function being written: its value's variable and property path. */
interface Place {
  /** The expression of the value (`v`, or a local variable). */
  v: string;
  /** Property names from the function's value to this one (`item` for an array's items). */
  path: string[];
  /** Nesting depth of array loops, which picks the loop index. */
  loops: number;
}

/** The function being written: its local names and whether it reads `s`. */
class Scope {
  private readonly names = new Set<string>();
  readsStrict = false;

  constructor(readonly owner: string) {}

  /** A local name for the value at `path`, e.g. `data_steps_item`, unique in this function. */
  local(path: string[]): string {
    let name = path.map((part) => part.replace(/[^\w$]/g, '_')).join('_');
    if (/^\d/.test(name)) name = `_${name}`;
    if (RESERVED.has(name) || /^is[A-Z]/.test(name)) name = `${name}_`;
    return this.claim(name);
  }

  /** The loop index at `depth` (`i`, `j`, `k`, then `i3`…), unique in this function. */
  index(depth: number): string {
    return this.claim(INDICES[depth] ?? `i${depth}`);
  }

  private claim(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.names.has(name); n++) name = `${wanted}_${n}`;
    this.names.add(name);
    return name;
  }
}

/** Resolves a `$ref` written in `doc` to the name of the guard of its target. */
export type RefResolver = (ref: string, doc: SchemaDocument) => string;

/** One guard to write: a document's schema or one of its definitions. */
export interface GuardSource {
  /** The guard's name, `is` + the schema's name. */
  name: string;
  summary: string;
  schema: JsonSchema;
  /** The document the schema is written in (its `$ref`s are relative to it). */
  doc: SchemaDocument;
  exported: boolean;
}

/**
 * Writes the guard functions of a set of schemas and the patterns they test.
 * Every name is local to the schema it comes from (variables by property path,
 * patterns and anyOf branches after their owner and path), so a change to one
 * schema changes only the lines of its own checks.
 */
export class GuardWriter {
  readonly functions: GuardFunction[] = [];
  readonly patterns: GuardPattern[] = [];
  private scope = new Scope('');
  /** The anyOf branches written so far that take `s`. */
  private readonly strictBranches = new Set<string>();

  /** `readsStrict(guard)` tells whether the guard `guard` (a document's or a definition's) takes `s`. */
  constructor(
    private readonly resolve: RefResolver,
    private readonly readsStrict: (guard: string) => boolean,
  ) {}

  /** Adds the guard of `source`. */
  add({ name, summary, schema, doc, exported }: GuardSource): void {
    this.write(name, summary, exported, () =>
      this.statements(schema, { v: 'v', path: [], loops: 0 }, doc, false),
    );
  }

  /** Writes one function in a scope of its own; the functions it needs (its branches) come before it. */
  private write(name: string, summary: string, exported: boolean, statements: () => string[]): GuardFunction {
    const outer = this.scope;
    this.scope = new Scope(name);
    const body = statements();
    const written: GuardFunction = {
      name,
      summary,
      body: [...body, 'return true;'],
      exported,
      readsStrict: this.scope.readsStrict,
      readsValue: body.length > 0,
    };
    this.functions.push(written);
    this.scope = outer;
    return written;
  }

  /** `guard(v)`, with `s` when that guard reads it. */
  private call(guard: string, v: string): string {
    const strict = this.readsStrict(guard) || this.strictBranches.has(guard);
    if (strict) this.scope.readsStrict = true;
    return strict ? `${guard}(${v}, s)` : `${guard}(${v})`;
  }

  /**
   * The constant of a pattern, named after the first schema that tests it: the
   * definition it comes from (`CHAMELEON_ID_PATTERN`) or the property at `path`
   * in the current function (`URL_GROUP_STYLE_SHORT_NAME_COLOR_PATTERN`).
   */
  private pattern(source: string, path: string[]): string {
    const known = this.patterns.find((pattern) => pattern.source === source);
    if (known) return known.name;
    const wanted = `${constantCase([this.scope.owner.replace(/^is/, ''), ...path])}_PATTERN`;
    let name = wanted;
    for (let n = 2; this.patterns.some((pattern) => pattern.name === name); n++) name = `${wanted}_${n}`;
    this.patterns.push({ name, source, flags: regexFlags(source) });
    return name;
  }

  /** Statements that `return false;` unless the value at `place` satisfies `schema`. */
  private statements(schema: JsonSchema, place: Place, doc: SchemaDocument, insideAnyOf: boolean): string[] {
    const unknown = Object.keys(schema).filter((key) => !HANDLED.has(key));
    if (unknown.length)
      throw new Error(`guards: keyword(s) ${unknown.join(', ')} in ${doc.id} have no guard`);
    const { v } = place;
    const fail = (condition: string) => `if (${condition}) return false;`;
    const out: string[] = [];
    if (typeof schema.$ref === 'string') out.push(fail(`!${this.call(this.resolve(schema.$ref, doc), v)}`));

    const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
    const unknownType = types.find((type) => !TYPE_TESTS[type]);
    if (unknownType) throw new Error(`guards: type ${unknownType} in ${doc.id} has no guard`);
    if (types.length === 1) out.push(fail(`!(${TYPE_TESTS[types[0]!]!(v)})`));
    else if (types.length)
      out.push(fail(`!(${types.map((type) => `(${TYPE_TESTS[type]!(v)})`).join(' || ')})`));
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
      this.scope.readsStrict = true;
      out.push(fail(`!(${known} || (!s && typeof ${v} === 'string'))`));
    }
    if (typeof schema.minLength === 'number')
      out.push(fail(onlyFor('string', `${v}.length < ${schema.minLength}`)));
    if (typeof schema.maxLength === 'number')
      out.push(fail(onlyFor('string', `${v}.length > ${schema.maxLength}`)));
    if (typeof schema.pattern === 'string')
      out.push(fail(onlyFor('string', `!${this.pattern(schema.pattern, place.path)}.test(${v})`)));
    if (schema.format !== undefined) {
      if (schema.format !== 'date-time')
        throw new Error(`guards: format ${String(schema.format)} has no guard`);
      out.push(fail(onlyFor('string', `!isDateTime(${v})`)));
    }
    for (const [keyword, operator] of Object.entries(COMPARISONS)) {
      if (typeof schema[keyword] !== 'number') continue;
      out.push(fail(`${numberTest(v, types)}!(${v} ${operator} ${schema[keyword]})`));
    }
    out.push(...this.objectStatements(schema, place, doc, insideAnyOf, types));
    out.push(...this.arrayStatements(schema, place, doc, insideAnyOf, types));
    if (Array.isArray(schema.anyOf)) {
      const names = (schema.anyOf as JsonSchema[]).map((branch, index) =>
        this.branch(branch, index, place.path, doc),
      );
      out.push(fail(`!(${names.map((name) => this.call(name, v)).join(' || ')})`));
    }
    if (schema.if !== undefined) {
      if (!isNullTest(schema.if) || schema.then !== undefined)
        throw new Error(`guards: only "if: {type: null}, else: X" is supported (${doc.id})`);
      if (schema.else)
        out.push(
          `if (${v} !== null) {`,
          ...indent(this.statements(schema.else as JsonSchema, place, doc, insideAnyOf)),
          '}',
        );
    }
    return out;
  }

  private objectStatements(
    schema: JsonSchema,
    place: Place,
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
      const sub = properties[name];
      if (!sub && !required.includes(name)) continue;
      const path = [...place.path, name];
      const x = this.scope.local(path);
      const checks = sub ? this.statements(sub, { ...place, v: x, path }, doc, insideAnyOf) : [];
      const single = checks.length === 1 ? /^if \((.*)\) return false;$/.exec(checks[0]!)?.[1] : undefined;
      if (!checks.length && !required.includes(name)) continue;
      body.push(`const ${x} = ${place.v}${accessor(name)};`);
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
    return [`if (${TYPE_TESTS.object!(place.v)}) {`, ...indent(body), '}'];
  }

  private arrayStatements(
    schema: JsonSchema,
    place: Place,
    doc: SchemaDocument,
    insideAnyOf: boolean,
    types: string[],
  ): string[] {
    if (schema.items === undefined) return [];
    if (Array.isArray(schema.items) || typeof schema.items !== 'object')
      throw new Error(`guards: only one items schema is supported (${doc.id})`);
    const { v } = place;
    const path = [...place.path, 'item'];
    const index = this.scope.index(place.loops);
    const item = this.scope.local(path);
    const checks = this.statements(
      schema.items as JsonSchema,
      { v: item, path, loops: place.loops + 1 },
      doc,
      insideAnyOf,
    );
    const loop = [
      `for (let ${index} = 0; ${index} < ${v}.length; ${index}++) {`,
      `  const ${item}: unknown = ${v}[${index}];`,
      ...indent(checks),
      '}',
    ];
    if (types.length === 1 && types[0] === 'array') return loop;
    return [`if (Array.isArray(${v})) {`, ...indent(loop), '}'];
  }

  /**
   * Branch `index` of an anyOf at `path` as its own function (so `a || b` stays an
   * expression), named after its owner and place: `isTourStartedWebhook_data_step_branch1`.
   * A branch that is only a `$ref` calls its target directly.
   */
  private branch(schema: JsonSchema, index: number, path: string[], doc: SchemaDocument): string {
    if (typeof schema.$ref === 'string' && Object.keys(schema).length === 1)
      return this.resolve(schema.$ref, doc);
    const owner = this.scope.owner;
    const name = [owner, ...path.map((part) => part.replace(/[^\w$]/g, '_')), `branch${index + 1}`].join('_');
    const where = path.length ? ` at \`${path.join('.')}\`` : '';
    const written = this.write(name, `Branch ${index + 1} of the anyOf${where} in ${owner}.`, false, () =>
      this.statements(schema, { v: 'v', path: [], loops: 0 }, doc, true),
    );
    if (written.readsStrict) this.strictBranches.add(name);
    return name;
  }
}

/**
 * The test that lets a comparison apply: none when `number` or `integer` is the
 * only type (already tested), a plain typeof when the type test let only finite
 * numbers through, else the full finite-number test (Ajv ignores NaN and Infinity there).
 */
function numberTest(v: string, types: string[]): string {
  if (types.length === 1 && (types[0] === 'number' || types[0] === 'integer')) return '';
  if (types.length) return `typeof ${v} === 'number' && `;
  return `${TYPE_TESTS.number!(v)} && `;
}

function isNullTest(schema: unknown): boolean {
  const node = schema as JsonSchema | null;
  return node?.type === 'null' && Object.keys(node).length === 1;
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

/** Guard names that take `s`: those whose schema has a closed enum, or refers to a guard that takes it. */
export function strictReaders(sources: GuardSource[], resolve: RefResolver): Set<string> {
  const readers = new Set<string>();
  const callees = new Map<string, string[]>();
  for (const { name, schema, doc } of sources) {
    const refs: string[] = [];
    const visit = (node: unknown, key?: string): void => {
      if (key === 'enum' && Array.isArray(node)) readers.add(name);
      if (key === 'enum' || key === 'const' || node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((item) => visit(item));
      for (const [child, value] of Object.entries(node as JsonSchema)) {
        if (child === '$ref' && typeof value === 'string') refs.push(resolve(value, doc));
        else visit(value, child);
      }
    };
    visit(schema);
    callees.set(name, refs);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, refs] of callees) {
      if (readers.has(name) || !refs.some((ref) => readers.has(ref))) continue;
      readers.add(name);
      changed = true;
    }
  }
  return readers;
}

/** The guards of `sources`, in order, each after the anyOf branches it calls. */
export function writeGuards(
  sources: GuardSource[],
  resolve: RefResolver,
): { functions: GuardFunction[]; patterns: GuardPattern[] } {
  const readers = strictReaders(sources, resolve);
  const writer = new GuardWriter(resolve, (guard) => readers.has(guard));
  for (const source of sources) writer.add(source);
  return { functions: writer.functions, patterns: writer.patterns };
}

/** The name of a document or of one of its definitions (its guard is `is` + name). */
function targetName(doc: SchemaDocument, fragment: string): string {
  if (fragment === '') return doc.typeName;
  const definition = /^\/definitions\/([A-Za-z]\w*)$/.exec(fragment);
  if (!definition) throw new Error(`guards: cannot name the target of #${fragment} in ${doc.id}`);
  return definition[1]!;
}

export interface WrittenValidators {
  guards: { functions: GuardFunction[]; patterns: GuardPattern[] };
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
  const entries: Array<[string, JsonSchema, SchemaDocument]> = [];
  const common = compile(definitionsDoc);
  for (const [name, schema] of Object.entries((common.definitions ?? {}) as Record<string, JsonSchema>))
    entries.push([name, schema, definitionsDoc]);
  for (const doc of exports) entries.push([doc.typeName, compile(doc), doc]);
  const names = new Set<string>();
  for (const [name] of entries) {
    if (names.has(name)) throw new Error(`guards: two schemas would be named ${name}`);
    names.add(name);
  }
  const sources = entries.map(([name, schema, doc]) => ({
    name: `is${name}`,
    summary: `${name} (${doc.path}).`,
    schema,
    doc,
    exported: doc !== definitionsDoc,
  }));
  return {
    guards: writeGuards(sources, (ref, doc) => `is${resolveName(ref, doc)}`),
    schemas: schemaTable(entries, resolveName),
  };
}

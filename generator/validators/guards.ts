/**
 * The fast verdict: straight-line guard functions written from the spec's
 * schema nodes (generator/schema), one function per document and per shared
 * definition, so a model's checks exist once and topics call them.
 *
 * A guard answers only "does this value pass?" and returns false at the first
 * failure. It checks exactly what the detailed path checks (the compilable
 * schemas of schemas.ts, which Ajv also compiles): objects are open (an
 * undocumented property is a warning, never a failure, so the guard never has
 * to look at keys it does not know), an open enum takes any value of its
 * values' types, a closed enum takes any string unless `strict` is set, a
 * promised property (`x-required-strict`) may be missing unless `strict` is set, and a
 * nullable whose other side has one type is that type or null (else: null, or
 * the other side). test/validate-differential.test.ts proves both paths give one verdict.
 *
 * A property whose check is location-independent (a `$ref`, a leaf such as
 * "a string or null in the date-time format", an array of either) calls a
 * shared check named after what it tests (`is_string`, `opt_array_of_ChameleonId`;
 * `opt_` also passes `undefined`, an absent optional property), written once
 * for the whole module: one short line per property, which keeps the bundle
 * small and costs nothing at run time (V8 inlines them, as it does a
 * hand-written guard's helpers).
 *
 * Node kinds and rules a guard cannot check (allOf, not, oneOf, multipleOf,
 * array and property counts, schemas for additional properties, formats other
 * than date-time) stop generation, naming the file and pointer, rather than
 * being silently ignored.
 */
import type { SpecModel } from '../model.js';
import {
  walkNodes,
  type ArrayNode,
  type DocumentNode,
  type NumberRules,
  type ObjectNode,
  type RefNode,
  type SchemaNode,
  type StringRules,
} from '../schema/index.js';
import { at, schemaName, sharedDefinitions, validatedDocuments } from './documents.js';
import { shapeOf, type Shape } from './shape.js';
import { tableEntries, validatorTable } from './table.js';

/** One generated guard function: `name(v)`, or `name(v, s)` when it reads the strict flag `s`. */
export interface GuardFunction {
  name: string;
  /** What it checks, for the JSDoc line above it. */
  summary: string;
  /** The statements of its body, one per line. */
  body: string[];
  /**
   * True for the guard of every named schema (the envelope, topics, models and shared definitions:
   * the schema table is keyed by them); anyOf branches and shared checks stay private.
   */
  exported: boolean;
  /** True when it takes `s`: it tests a closed enum, or calls a guard that does. */
  readsStrict: boolean;
  /** True when it reads `v` (a schema that checks nothing does not). */
  readsValue: boolean;
}

/** A pattern the guards test, as a module constant named after the schema that owns it. */
export interface GuardPattern {
  name: string;
  /** The spec's pattern. */
  source: string;
  /** The RegExp the module builds: the pattern itself, or (see `lengths`) the negation of its one class. */
  regex: string;
  flags: string;
  /**
   * Set when the pattern only repeats one class of ASCII characters (`^[0-9a-f]{24}$`): it matches
   * exactly the strings of that many characters none of which is outside the class, which V8
   * checks about twice as fast as the anchored pattern (an ID is in nearly every object of a
   * webhook). The module's RegExp is then the class negated (`[^0-9a-f]`), searched for.
   */
  lengths?: { min: number; max: number | undefined };
}

/** A class member: a printable ASCII character other than `\\`, `[`, `]` and `^`, or a range of two. */
const CLASS_MEMBER = '[\\x20-\\x5a\\x5f-\\x7e](?:-[\\x20-\\x5a\\x5f-\\x7e])?';
/** `^[members]{n}$`, `{n,m}` or `{n,}`. */
const ONE_CLASS_REPEATED = new RegExp(`^\\^\\[((?:${CLASS_MEMBER})+)\\]\\{(\\d+)(,(\\d*))?\\}\\$$`);

/** The class and lengths of a pattern that only repeats one class of ASCII characters, or undefined. */
export function oneClassRepeated(
  pattern: string,
): { members: string; min: number; max: number | undefined } | undefined {
  const match = ONE_CLASS_REPEATED.exec(pattern);
  if (!match) return undefined;
  const [, members, min, comma, max] = match as unknown as [string, string, string, string?, string?];
  // A leading or trailing `-` is a literal; leave such classes to the RegExp rather than reason about them.
  if (members.startsWith('-') || members.endsWith('-')) return undefined;
  return {
    members,
    min: Number(min),
    max: comma === undefined ? Number(min) : max === '' ? undefined : Number(max),
  };
}

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
    // Module-level function names: guards (`isX`), shared checks (`is_x`, `opt_x`, `optX`).
    if (RESERVED.has(name) || /^(is|opt)([A-Z_]|$)/.test(name)) name = `${name}_`;
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

/** The guard of a ref's target: `is` + the document's name, or + the definition's key. */
export function guardOf(ref: RefNode): string {
  return `is${schemaName(ref)}`;
}

/** One guard to write: a document's root or one of its definitions. */
export interface GuardSource {
  /** The guard's name, `is` + the schema's name. */
  name: string;
  summary: string;
  node: SchemaNode;
  exported: boolean;
}

/** A ref's target when it is a shared definition a nullable may merge with `null` (undefined otherwise). */
export type InlineTarget = (ref: RefNode) => SchemaNode | undefined;

/**
 * Writes the guard functions of a set of schemas and the patterns they test.
 * Every name is local to the schema it comes from (variables by property path,
 * patterns and anyOf branches after their owner and path) or says what it
 * checks (shared checks), so a change to one schema changes only the lines of
 * its own checks (and adds a shared check the first time one is needed).
 */
export class GuardWriter {
  readonly functions: GuardFunction[] = [];
  readonly patterns: GuardPattern[] = [];
  /** The shared checks, by name (see the module comment). */
  private readonly shared = new Map<string, GuardFunction>();
  private scope = new Scope('');
  /** The anyOf branches and shared checks written so far that take `s`. */
  private readonly strictFunctions = new Set<string>();

  /**
   * `readsStrict(guard)` tells whether the guard `guard` (a document's or a definition's) takes `s`;
   * `target(ref)` is the node a ref points to, when it is one of the schemas being written.
   */
  constructor(
    private readonly inline: InlineTarget,
    private readonly readsStrict: (guard: string) => boolean,
    private readonly target: (ref: RefNode) => SchemaNode | undefined = () => undefined,
  ) {}

  /** Adds the guard of `source`. */
  add({ name, summary, node, exported }: GuardSource): void {
    this.functions.push(
      this.write(name, summary, exported, () => this.statements(node, { v: 'v', path: [], loops: 0 }, false)),
    );
  }

  /** The shared checks, by name, then the guards and branches in the order they were written. */
  written(): GuardFunction[] {
    const shared = [...this.shared.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...shared, ...this.functions];
  }

  /** Writes one function in a scope of its own (the caller places it). */
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
    if (written.readsStrict) this.strictFunctions.add(name);
    this.scope = outer;
    return written;
  }

  /** `guard(v)`, with `s` when that guard reads it. */
  private call(guard: string, v: string): string {
    const strict = this.readsStrict(guard) || this.strictFunctions.has(guard);
    if (strict) this.scope.readsStrict = true;
    return strict ? `${guard}(${v}, s)` : `${guard}(${v})`;
  }

  /**
   * The constant of a pattern, named after the first schema that tests it: the
   * definition it comes from (`CHAMELEON_ID_PATTERN`) or the property at `path`
   * in the current function (`URL_GROUP_STYLE_SHORT_NAME_COLOR_PATTERN`).
   */
  private pattern(source: string, path: string[]): GuardPattern {
    const known = this.patterns.find((pattern) => pattern.source === source);
    if (known) return known;
    const wanted = `${constantCase([this.scope.owner.replace(/^is/, ''), ...path])}_PATTERN`;
    let name = wanted;
    for (let n = 2; this.patterns.some((pattern) => pattern.name === name); n++) name = `${wanted}_${n}`;
    const repeated = oneClassRepeated(source);
    const pattern: GuardPattern = repeated
      ? {
          name,
          source,
          regex: `[^${repeated.members}]`,
          flags: '',
          lengths: { min: repeated.min, max: repeated.max },
        }
      : { name, source, regex: source, flags: regexFlags(source) };
    this.patterns.push(pattern);
    return pattern;
  }

  /** The condition under which the string `v` does not match the pattern `source`. */
  private patternFails(source: string, path: string[], v: string): string {
    const { name, lengths } = this.pattern(source, path);
    if (!lengths) return `!${name}.test(${v})`;
    const { min, max } = lengths;
    const length =
      max === min
        ? `${v}.length !== ${min}`
        : `${v}.length < ${min}${max === undefined ? '' : ` || ${v}.length > ${max}`}`;
    return `${length} || ${name}.test(${v})`;
  }

  /**
   * The shared check of `node`, or undefined when it has none (it is checked in
   * place): a ref's guard, a leaf's `is_…`, an array's `is_array_of_…`. With
   * `optional`, the `opt_…` variant, which also passes `undefined`.
   */
  private sharedCheck(node: SchemaNode, optional: boolean): string | undefined {
    const shape = shapeOf(node, this.inline);
    const shapeOfNode = (inner: SchemaNode) => shapeOf(inner, this.inline);
    const key = sharedKey(shape, shapeOfNode);
    if (key === undefined) return undefined;
    if (!optional) {
      if (shape.ref) return guardOf(shape.ref);
      if (key === 'object') return 'isObject';
      if (key === 'array') return 'Array.isArray';
    }
    const name = shape.ref
      ? `${optional ? 'opt' : 'is'}${schemaName(shape.ref)}`
      : `${optional ? 'opt' : 'is'}_${key}`;
    if (!this.shared.has(name)) {
      const described = describeShared(shape, shapeOfNode);
      const summary = optional
        ? `Absent, or ${described}.`
        : `${described[0]!.toUpperCase()}${described.slice(1)}.`;
      const written = this.write(name, summary, false, () => [
        ...(optional ? ['if (v === undefined) return true;'] : []),
        ...this.statements(node, { v: 'v', path: [], loops: 0 }, false),
      ]);
      this.shared.set(name, written);
    }
    return name;
  }

  /** Whether every value `node` accepts is defined, so a required property needs no test of its own. */
  private rejectsUndefined(node: SchemaNode, seen = new Set<SchemaNode>()): boolean {
    if (seen.has(node)) return false;
    seen.add(node);
    const shape = shapeOf(node, this.inline);
    if (shape.types.length || shape.const || shape.enum) return true;
    if (shape.ref) {
      const target = this.target(shape.ref);
      return target !== undefined && this.rejectsUndefined(target, seen);
    }
    if (shape.anyOf) return shape.anyOf.every((branch) => this.rejectsUndefined(branch, seen));
    return shape.unlessNull !== undefined && this.rejectsUndefined(shape.unlessNull, seen);
  }

  /** Statements that `return false;` unless the value at `place` satisfies `node`. */
  private statements(node: SchemaNode, place: Place, insideAnyOf: boolean): string[] {
    const shape = shapeOf(node, this.inline);
    const { v } = place;
    const { types, string, number } = shape;
    const fail = (condition: string) => `if (${condition}) return false;`;
    const out: string[] = [];
    if (shape.ref) out.push(fail(`!${this.call(guardOf(shape.ref), v)}`));

    if (types.length === 1) out.push(fail(`!(${TYPE_TESTS[types[0]!]!(v)})`));
    else if (types.length)
      out.push(fail(`!(${types.map((type) => `(${TYPE_TESTS[type]!(v)})`).join(' || ')})`));
    /** Guards a keyword that applies to one type: no test needed when that is the only type allowed. */
    const onlyFor = (type: string, check: string) =>
      types.length === 1 && types[0] === type ? check : `${TYPE_TESTS[type]!(v)} && ${check}`;

    if (shape.const) out.push(fail(`${v} !== ${literal(shape.const.value)}`));
    if (shape.enum) {
      if (insideAnyOf)
        throw new Error(
          `guards: an enum inside anyOf at ${at(shape.origin)}: the runtime cannot tell its warnings from failures`,
        );
      const known = shape.enum.map((value) => `${v} === ${literal(value)}`).join(' || ');
      // Tolerant mode lets through any string this version does not know (a warning, not an error).
      this.scope.readsStrict = true;
      out.push(fail(`!(${known} || (!s && typeof ${v} === 'string'))`));
    }
    if (string.minLength !== undefined)
      out.push(fail(onlyFor('string', `${v}.length < ${string.minLength}`)));
    if (string.maxLength !== undefined)
      out.push(fail(onlyFor('string', `${v}.length > ${string.maxLength}`)));
    if (string.pattern !== undefined) {
      const fails = this.patternFails(string.pattern, place.path, v);
      out.push(fail(onlyFor('string', fails.includes(' || ') ? `(${fails})` : fails)));
    }
    if (string.format !== undefined) out.push(fail(onlyFor('string', `!isDateTime(${v})`)));
    for (const [keyword, operator] of Object.entries(COMPARISONS)) {
      const bound = number[keyword as keyof NumberRules];
      if (bound === undefined) continue;
      out.push(fail(`${numberTest(v, types)}!(${v} ${operator} ${bound})`));
    }
    if (shape.requiredStrict.length) out.push(...this.promisedStatements(shape, place, insideAnyOf));
    if (shape.object) out.push(...this.objectStatements(shape.object, place, insideAnyOf, types));
    if (shape.array) out.push(...this.arrayStatements(shape.array, place, insideAnyOf, types));
    if (shape.anyOf) {
      const names = shape.anyOf.map((branch, index) => this.branch(branch, index, place.path));
      out.push(fail(`!(${names.map((name) => this.call(name, v)).join(' || ')})`));
    }
    if (shape.unlessNull)
      out.push(`if (${v} !== null) {`, ...indent(this.statements(shape.unlessNull, place, insideAnyOf)), '}');
    return out;
  }

  /** Strict mode only: each promised property of an object value must be there. */
  private promisedStatements(shape: Shape, place: Place, insideAnyOf: boolean): string[] {
    if (insideAnyOf)
      throw new Error(
        `guards: x-required-strict inside anyOf at ${at(shape.origin)}: the runtime cannot tell its failures apart by mode`,
      );
    this.scope.readsStrict = true;
    const missing = shape.requiredStrict.map((name) => `${place.v}${accessor(name)} === undefined`);
    return [`if (s && ${TYPE_TESTS.object!(place.v)} && (${missing.join(' || ')})) return false;`];
  }

  private objectStatements(
    object: ObjectNode,
    place: Place,
    insideAnyOf: boolean,
    types: string[],
  ): string[] {
    const { required } = object;
    if (!object.properties.length && !required.length) return [];
    const properties = new Map(object.properties.map((property) => [property.name, property.node]));
    const body: string[] = [];
    const names = [...new Set([...required, ...properties.keys()])];
    for (const name of names) {
      const sub = properties.get(name);
      const isRequired = required.includes(name);
      const value = `${place.v}${accessor(name)}`;
      if (!sub) {
        if (isRequired) body.push(`if (${value} === undefined) return false;`);
        continue;
      }
      // A shared check reads the property once, in place; required ones need it to reject `undefined`.
      const shared =
        isRequired && !this.rejectsUndefined(sub) ? undefined : this.sharedCheck(sub, !isRequired);
      if (shared) {
        body.push(`if (!${this.call(shared, value)}) return false;`);
        continue;
      }
      const path = [...place.path, name];
      const x = this.scope.local(path);
      const checks = this.statements(sub, { ...place, v: x, path }, insideAnyOf);
      const single = checks.length === 1 ? /^if \((.*)\) return false;$/.exec(checks[0]!)?.[1] : undefined;
      if (!checks.length) {
        if (isRequired) body.push(`if (${value} === undefined) return false;`);
        continue;
      }
      body.push(`const ${x} = ${value};`);
      if (isRequired && this.rejectsUndefined(sub)) body.push(...checks);
      else if (isRequired)
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

  private arrayStatements(array: ArrayNode, place: Place, insideAnyOf: boolean, types: string[]): string[] {
    if (array.items === undefined) return [];
    const { v } = place;
    const index = this.scope.index(place.loops);
    const shared = this.rejectsUndefined(array.items) ? this.sharedCheck(array.items, false) : undefined;
    let checks: string[];
    if (shared) {
      checks = [`if (!${this.call(shared, `${v}[${index}]`)}) return false;`];
    } else {
      const path = [...place.path, 'item'];
      const item = this.scope.local(path);
      checks = [
        `const ${item}: unknown = ${v}[${index}];`,
        ...this.statements(array.items, { v: item, path, loops: place.loops + 1 }, insideAnyOf),
      ];
    }
    const loop = [`for (let ${index} = 0; ${index} < ${v}.length; ${index}++) {`, ...indent(checks), '}'];
    if (types.length === 1 && types[0] === 'array') return loop;
    return [`if (Array.isArray(${v})) {`, ...indent(loop), '}'];
  }

  /**
   * Branch `index` of an anyOf at `path` as its own function (so `a || b` stays an
   * expression), named after its owner and place: `isTourStartedWebhook_data_step_branch1`.
   * A branch that is only a `$ref`, or has a shared check, calls that directly.
   */
  private branch(node: SchemaNode, index: number, path: string[]): string {
    if (node.kind === 'ref') return guardOf(node);
    const shared = this.rejectsUndefined(node) ? this.sharedCheck(node, false) : undefined;
    if (shared) return shared;
    const owner = this.scope.owner;
    const name = [owner, ...path.map((part) => part.replace(/[^\w$]/g, '_')), `branch${index + 1}`].join('_');
    const where = path.length ? ` at \`${path.join('.')}\`` : '';
    this.functions.push(
      this.write(name, `Branch ${index + 1} of the anyOf${where} in ${owner}.`, false, () =>
        this.statements(node, { v: 'v', path: [], loops: 0 }, true),
      ),
    );
    return name;
  }
}

/** Type names as they read in a shared check's name. */
const TYPE_KEYS: Record<string, string> = {
  object: 'object',
  array: 'array',
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  null: 'null',
};

/** Rules as they read in a shared check's name, in the order a guard tests them. */
const RULE_KEYS: Array<[keyof StringRules | keyof NumberRules, string]> = [
  ['minLength', 'min_length'],
  ['maxLength', 'max_length'],
  ['minimum', 'min'],
  ['maximum', 'max'],
  ['exclusiveMinimum', 'xmin'],
  ['exclusiveMaximum', 'xmax'],
];

function boundKey(bound: number): string {
  return String(bound).replace(/^-/, 'neg').replace(/[^\w]/g, '_');
}

/**
 * What a shared check is named after (`string_or_null_date_time`, `array_of_ChameleonId`),
 * or undefined when the node is checked in place: it refers to its owner (a pattern, which
 * is named after it), reads `s` (a closed enum, a promised property), or has parts of its own
 * (properties, alternatives, a nullable's other side).
 */
function sharedKey(shape: Shape, shapeOfNode: (node: SchemaNode) => Shape): string | undefined {
  if (shape.anyOf || shape.unlessNull || shape.enum || shape.const || shape.requiredStrict.length)
    return undefined;
  if (shape.ref) return shape.types.length ? undefined : schemaName(shape.ref);
  if (shape.object && (shape.object.properties.length || shape.object.required.length)) return undefined;
  if (!shape.types.length || shape.string.pattern !== undefined) return undefined;
  const parts = [shape.types.map((type) => TYPE_KEYS[type]!).join('_or_')];
  const items = shape.array?.items;
  if (items) {
    if (shape.types.length !== 1) return undefined;
    const itemKey = sharedKey(shapeOfNode(items), shapeOfNode);
    if (itemKey === undefined) return undefined;
    parts.push('of', itemKey);
  }
  if (shape.string.format !== undefined) parts.push(shape.string.format.replace(/[^\w]/g, '_'));
  for (const [keyword, key] of RULE_KEYS) {
    const bound = ruleOf(shape, keyword);
    if (bound !== undefined) parts.push(key, boundKey(bound));
  }
  return parts.join('_');
}

function ruleOf(shape: Shape, keyword: keyof StringRules | keyof NumberRules): number | undefined {
  const bound =
    (shape.string as Record<string, unknown>)[keyword] ?? (shape.number as Record<string, unknown>)[keyword];
  return typeof bound === 'number' ? bound : undefined;
}

const TYPE_PHRASES: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a finite number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

const RULE_PHRASES: Array<[keyof StringRules | keyof NumberRules, string]> = [
  ['minLength', 'of at least {} character(s)'],
  ['maxLength', 'of at most {} character(s)'],
  ['minimum', '>= {}'],
  ['maximum', '<= {}'],
  ['exclusiveMinimum', '> {}'],
  ['exclusiveMaximum', '< {}'],
];

/** What a shared check accepts, for its JSDoc line: `a string or null, in the date-time format`. */
function describeShared(shape: Shape, shapeOfNode: (node: SchemaNode) => Shape): string {
  if (shape.ref) {
    const name = schemaName(shape.ref);
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  let phrase = shape.types.map((type) => TYPE_PHRASES[type]!).join(' or ');
  const items = shape.array?.items;
  if (items) phrase += ` of which every item is ${describeShared(shapeOfNode(items), shapeOfNode)}`;
  if (shape.string.format !== undefined) phrase += `, in the ${shape.string.format} format`;
  for (const [keyword, words] of RULE_PHRASES) {
    const bound = ruleOf(shape, keyword);
    if (bound !== undefined) phrase += `, ${words.replace('{}', String(bound))}`;
  }
  return phrase;
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

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

/** Guard names that take `s`: those whose schema has a closed enum or a promised property, or refers to a guard that takes it. */
export function strictReaders(sources: GuardSource[]): Set<string> {
  const readers = new Set<string>();
  const callees = new Map<string, string[]>();
  for (const { name, node } of sources) {
    const refs: string[] = [];
    walkNodes(node, (inner) => {
      if (inner.kind === 'enum' && !inner.open) readers.add(name);
      if ((inner.kind === 'object' || inner.kind === 'ref') && inner.requiredStrict.length) readers.add(name);
      if (inner.kind === 'ref') refs.push(guardOf(inner));
    });
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

export interface WrittenGuards {
  functions: GuardFunction[];
  patterns: GuardPattern[];
}

/** The guards of `sources`, in order, each after the anyOf branches it calls. */
export function writeGuards(sources: GuardSource[], inline: InlineTarget = () => undefined): WrittenGuards {
  const names = new Set<string>();
  for (const { name } of sources) {
    if (names.has(name)) throw new Error(`guards: two schemas would be named ${name.replace(/^is/, '')}`);
    names.add(name);
  }
  const readers = strictReaders(sources);
  const byName = new Map(sources.map((source) => [source.name, source.node]));
  const writer = new GuardWriter(
    inline,
    (guard) => readers.has(guard),
    (ref) => byName.get(guardOf(ref)),
  );
  for (const source of sources) writer.add(source);
  return { functions: writer.written(), patterns: writer.patterns };
}

/** A document as the guards need it (a SchemaDocument or a DocumentNode). */
type GuardedDocument = Pick<DocumentNode, 'path' | 'typeName' | 'root' | 'definitions'>;

/** The guards of `common`'s definitions and of `documents`, in that order, all exported. */
export function guardSources(common: GuardedDocument, documents: GuardedDocument[]): GuardSource[] {
  const definitions = common.definitions.map((definition) => ({
    name: `is${definition.key}`,
    summary: `${definition.key} (${common.path}).`,
    node: definition.node,
    exported: true,
  }));
  const exported = documents.map((doc) => ({
    name: `is${doc.typeName}`,
    summary: `${doc.typeName} (${doc.path}).`,
    node: doc.root,
    exported: true,
  }));
  return [...definitions, ...exported];
}

export interface WrittenValidators {
  guards: WrittenGuards;
  /** The compilable schemas, each keyed by its guard and with refs to guards: the detailed path's data. */
  schemas: Array<{ guard: string; source: string }>;
}

/** The guards and the schema table of the spec; both check the very same rules (schemas.ts). */
export function writeValidators(model: SpecModel): WrittenValidators {
  const sources = guardSources(model.common, validatedDocuments(model));
  const inline = sharedDefinitions(model.common.path, model.schemas);
  return {
    guards: writeGuards(sources, inline),
    schemas: tableEntries(
      validatorTable(
        sources.map(({ name, node }) => ({ name: name.replace(/^is/, ''), node })),
        inline,
      ),
    ),
  };
}

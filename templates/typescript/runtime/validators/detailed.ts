/**
 * The detailed path: every error of a value, as Ajv (allErrors, objects
 * closed) reports them, so that issues.ts can sort them into errors and
 * warnings. The compiled schemas of schemas.ts (`schemaTable()`, written from
 * spec/ by generator/validators/table.ts) are turned into closures, each
 * schema once, the first time a failure is explained or warnings are read:
 * no code is generated at run time (no eval), so it runs under any CSP.
 * test/validate-differential.test.ts checks it against Ajv itself, error for error.
 *
 * Two walks:
 * - `detailedErrors`: everything Ajv reports (the warnings come from it);
 * - `failureErrors`: only what can become an error in the given mode, for a
 *   value that failed its guard. It asks the guard of every `$ref` (a ref is
 *   written as that guard, and the table is keyed by them) first and
 *   skips, whole, a value that passes it (its guard checks exactly what its
 *   schema does: the differential test proves it), and leaves out undocumented
 *   properties (warnings only). Explaining one bad ID in a webhook then costs
 *   about two guard calls, not a walk of every key.
 * A JSON Pointer is only written out for a value that is reported or walked into.
 */
import { isDateTime } from './formats.js';
import type { Guard } from './guards.js';
import type { CompiledError, ErrorParams } from './issues.js';
import { schemaTable } from './schemas.js';

/**
 * A schema of the table, where one may be written short: a guard for `{ $ref: guard }`, a type's
 * name for `{ type: name }` (most properties are one or the other).
 */
export type SchemaLike = Schema | Guard | string;

/** A compiled schema: the keywords the spec uses; a `$ref` is the guard of the schema it refers to. */
export interface Schema {
  $ref?: Guard;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  required?: string[];
  /** Promised properties: required in strict mode only (issues.ts decides by mode). */
  requiredStrict?: string[];
  properties?: Record<string, SchemaLike>;
  additionalProperties?: boolean;
  items?: SchemaLike;
  anyOf?: SchemaLike[];
  if?: SchemaLike;
  else?: SchemaLike;
}

/**
 * The most errors one walk reports, whatever the value: a signed array of a million invalid items, or a
 * sparse array of length 1e9 handed to validateWebhook, costs this many reports and stops, instead of
 * seconds and gigabytes. Far above any `maxErrors` a caller reads.
 */
export const MAX_DETAILED_ERRORS = 1000;

/**
 * One walk: where errors go, how many more it may report, and what it looks at. `prune` and
 * `warnings` change inside `anyOf`, whose branches are always walked as Ajv walks them.
 */
interface Walk {
  out: CompiledError[];
  budget: number;
  /** Above 0 while the walk is inside a property that is not the object's own (its errors read no value). */
  inherited: number;
  /** Report undocumented properties, and what tolerant mode would only warn about. */
  warnings: boolean;
  /** Skip a `$ref`'s value that passes its guard (in the mode of `strict`). */
  prune: boolean;
  strict: boolean;
}

function newWalk(warnings: boolean, prune: boolean, strict: boolean): Walk {
  return { out: [], budget: MAX_DETAILED_ERRORS, inherited: 0, warnings, prune, strict };
}

/**
 * The check of one schema. The value's JSON Pointer is `parent` followed by `segment`: a property's
 * `/name`, already escaped, or an item's index. Joining them waits until something is reported there.
 */
type Check = (value: unknown, parent: string, segment: string | number, walk: Walk) => void;

function pointer(parent: string, segment: string | number): string {
  return typeof segment === 'number' ? `${parent}/${segment}` : parent + segment;
}

function report(
  walk: Walk,
  value: unknown,
  parent: string,
  segment: string | number,
  keyword: string,
  params: ErrorParams,
): void {
  // What follows the first MAX_DETAILED_ERRORS is not reported (and loops stop on it).
  if (walk.budget <= 0) return;
  walk.budget--;
  walk.out.push({
    instancePath: pointer(parent, segment),
    keyword,
    params,
    value: walk.inherited > 0 ? undefined : value,
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether `value` has the JSON Schema type `type`, as Ajv checks it (no NaN or Infinity for numbers). */
function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return value === null;
  }
}

function hasOneOf(value: unknown, types: readonly string[]): boolean {
  for (let index = 0; index < types.length; index++) if (hasType(value, types[index]!)) return true;
  return false;
}

/** Keywords that apply to one type, by type in Ajv's order; Ajv checks the type together with them when it is the only one. */
const TYPED_KEYWORDS: Readonly<Record<string, readonly (keyof Schema)[]>> = {
  number: ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum'],
  string: ['maxLength', 'minLength', 'pattern', 'format'],
  array: ['items'],
  object: ['required', 'additionalProperties', 'properties'],
};

const COMPARISONS = [
  ['maximum', '<='],
  ['minimum', '>='],
  ['exclusiveMaximum', '<'],
  ['exclusiveMinimum', '>'],
] as const;

const FORMATS: Readonly<Record<string, (text: string) => boolean>> = { 'date-time': isDateTime };

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The compiled check of each schema of the table, by its guard, built on first use. */
const compiled = new Map<Guard, Check>();

function checkOf(guard: Guard): Check {
  let check = compiled.get(guard);
  if (!check) {
    check = compile(schemaTable().get(guard)!);
    compiled.set(guard, check);
  }
  return check;
}

/** `requiredStrict`, our own keyword: on an object, one error per promised property missing. */
function promisedCheck(names: string[]): Check {
  return (value, parent, segment, walk) => {
    // Tolerant mode drops these errors: a walk that only wants errors need not report them.
    if (!isObject(value) || (!walk.warnings && !walk.strict)) return;
    for (const name of names)
      if (value[name] === undefined)
        report(walk, value, parent, segment, 'requiredStrict', { missingProperty: name });
  };
}

function refCheck(guard: Guard, promised: Check | undefined): Check {
  let target: Check | undefined;
  return (value, parent, segment, walk) => {
    if (walk.budget <= 0) return;
    if (!walk.prune || !guard(value, walk.strict)) {
      target ??= checkOf(guard);
      target(value, parent, segment, walk);
    }
    // Beside a ref, it is the referring schema's own keyword (its guard is the caller's).
    if (promised) promised(value, parent, segment, walk);
  };
}

function numberCheck(schema: Schema): Check | undefined {
  const rules = COMPARISONS.filter(([keyword]) => schema[keyword] !== undefined).map(
    ([keyword, comparison]) => [keyword, comparison, schema[keyword] as number] as const,
  );
  if (!rules.length) return undefined;
  return (value, parent, segment, walk) => {
    const number = value as number;
    for (const [keyword, comparison, limit] of rules) {
      const passes =
        keyword === 'maximum'
          ? number <= limit
          : keyword === 'minimum'
            ? number >= limit
            : keyword === 'exclusiveMaximum'
              ? number < limit
              : number > limit;
      if (!passes) report(walk, value, parent, segment, keyword, { comparison, limit });
    }
  };
}

function stringCheck(schema: Schema): Check {
  const { maxLength, minLength, pattern, format } = schema;
  const regex = pattern === undefined ? undefined : new RegExp(pattern, 'u');
  const formatCheck = format === undefined ? undefined : FORMATS[format]!;
  return (value, parent, segment, walk) => {
    const text = value as string;
    if (maxLength !== undefined && text.length > maxLength)
      report(walk, value, parent, segment, 'maxLength', { limit: maxLength });
    if (minLength !== undefined && text.length < minLength)
      report(walk, value, parent, segment, 'minLength', { limit: minLength });
    if (regex && !regex.test(text)) report(walk, value, parent, segment, 'pattern', { pattern });
    if (formatCheck && !formatCheck(text)) report(walk, value, parent, segment, 'format', { format });
  };
}

function arrayCheck(schema: Schema): Check | undefined {
  if (!schema.items) return undefined;
  const items = compile(schema.items);
  return (value, parent, segment, walk) => {
    const list = value as unknown[];
    if (list.length === 0) return;
    const path = pointer(parent, segment);
    for (let index = 0; index < list.length && walk.budget > 0; index++)
      items(list[index], path, index, walk);
  };
}

function objectCheck(schema: Schema): Check {
  const required = schema.required ?? [];
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const segments = names.map((name) => `/${escapeSegment(name)}`);
  const checks = names.map((name) => compile(properties[name]!));
  // Names a plain object inherits (`constructor`, `toString`): read through its prototype unless its own.
  const inheritable = names.map((name) => name in Object.prototype);
  const closed = schema.additionalProperties === false;
  return (value, parent, segment, walk) => {
    const object = value as Record<string, unknown>;
    let path: string | undefined;
    for (let index = 0; index < required.length; index++)
      if (object[required[index]!] === undefined)
        report(walk, value, parent, segment, 'required', { missingProperty: required[index]! });
    if (closed && walk.warnings) {
      // `for…in`, as Ajv's code does: inherited enumerable keys count too.
      for (const key in object) {
        if (walk.budget <= 0) break;
        if (!Object.hasOwn(properties, key))
          report(walk, value, parent, segment, 'additionalProperties', { additionalProperty: key });
      }
    }
    // A parsed JSON object's properties are its own, but for the names every object inherits.
    const prototype = Object.getPrototypeOf(object);
    const plain = prototype === Object.prototype || prototype === null;
    for (let index = 0; index < names.length; index++) {
      const property = object[names[index]!];
      if (property === undefined) continue;
      path ??= pointer(parent, segment);
      if ((plain && !inheritable[index]) || Object.hasOwn(object, names[index]!))
        checks[index]!(property, path, segments[index]!, walk);
      else {
        walk.inherited++;
        checks[index]!(property, path, segments[index]!, walk);
        walk.inherited--;
      }
    }
  };
}

/** The untyped keywords, in Ajv's order: const, enum, anyOf, if/else, then ours (requiredStrict). */
function untypedChecks(schema: Schema): Check[] {
  const checks: Check[] = [];
  if (schema.const !== undefined) {
    const allowedValue = schema.const;
    checks.push((value, parent, segment, walk) => {
      if (value !== allowedValue) report(walk, value, parent, segment, 'const', { allowedValue });
    });
  }
  if (schema.enum) {
    const allowedValues = schema.enum;
    checks.push((value, parent, segment, walk) => {
      // Tolerant mode only warns about a string it does not know.
      if (allowedValues.includes(value) || (!walk.warnings && !walk.strict && typeof value === 'string'))
        return;
      report(walk, value, parent, segment, 'enum', { allowedValues });
    });
  }
  if (schema.anyOf) checks.push(anyOfCheck(schema.anyOf.map(compile)));
  // The compiled schemas only use `if: {type: "null"}, else: X` (a nullable X); the `if` reports nothing.
  if (schema.if && schema.else) checks.push(ifElseCheck(compile(schema.if), compile(schema.else)));
  if (schema.requiredStrict) checks.push(promisedCheck(schema.requiredStrict));
  return checks;
}

function anyOfCheck(branches: Check[]): Check {
  return (value, parent, segment, walk) => {
    const { out, prune, warnings } = walk;
    const start = out.length;
    // Each branch as Ajv walks it; Ajv stops at the first that passes and forgets the others' errors.
    walk.prune = false;
    walk.warnings = true;
    const passed = branches.some((branch) => {
      const before = out.length;
      branch(value, parent, segment, walk);
      return out.length === before;
    });
    walk.prune = prune;
    walk.warnings = warnings;
    if (passed) out.length = start;
    else report(walk, value, parent, segment, 'anyOf', {});
  };
}

function ifElseCheck(condition: Check, otherwise: Check): Check {
  return (value, parent, segment, walk) => {
    const probe = newWalk(true, false, false);
    condition(value, parent, segment, probe);
    if (probe.out.length === 0) return;
    const before = walk.out.length;
    otherwise(value, parent, segment, walk);
    if (walk.out.length > before) report(walk, value, parent, segment, 'if', { failingKeyword: 'else' });
  };
}

/** The type up front (a leaf's whole check). */
function typeCheck(types: readonly string[], typeError: ErrorParams): Check {
  return (value, parent, segment, walk) => {
    if (!hasOneOf(value, types)) report(walk, value, parent, segment, 'type', typeError);
  };
}

/** A typed keyword group's check: run when the value has the group's type, else (if asked) the type error. */
function groupCheck(group: string, check: Check, typeError: ErrorParams | undefined): Check {
  return (value, parent, segment, walk) => {
    if (hasType(value, group)) check(value, parent, segment, walk);
    else if (typeError) report(walk, value, parent, segment, 'type', typeError);
  };
}

function compile(written: SchemaLike): Check {
  const schema: Schema =
    typeof written === 'function'
      ? { $ref: written }
      : typeof written === 'string'
        ? { type: written }
        : written;
  if (schema.$ref !== undefined)
    return refCheck(schema.$ref, schema.requiredStrict ? promisedCheck(schema.requiredStrict) : undefined);
  const types =
    schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;
  const typeError: ErrorParams = { type: schema.type! };
  const groups = Object.keys(TYPED_KEYWORDS).filter((group) =>
    TYPED_KEYWORDS[group]!.some((keyword) => schema[keyword] !== undefined),
  );
  // Ajv checks the type up front unless it is one type whose own keywords the schema uses.
  const typeWithKeywords = types.length === 1 && groups.includes(types[0]!) ? types[0] : undefined;
  const steps: Check[] = [];
  if (types.length > 0 && typeWithKeywords === undefined) steps.push(typeCheck(types, typeError));
  steps.push(...untypedChecks(schema));
  for (const group of groups) {
    const check =
      group === 'number'
        ? numberCheck(schema)
        : group === 'string'
          ? stringCheck(schema)
          : group === 'array'
            ? arrayCheck(schema)
            : objectCheck(schema);
    if (check) steps.push(groupCheck(group, check, typeWithKeywords === group ? typeError : undefined));
  }
  if (steps.length === 1) return steps[0]!;
  return (value, parent, segment, walk) => {
    for (let index = 0; index < steps.length; index++) steps[index]!(value, parent, segment, walk);
  };
}

function walkOf(guard: Guard, value: unknown, walk: Walk): CompiledError[] {
  checkOf(guard)(value, '', '', walk);
  return walk.out;
}

/**
 * The errors of `value` against the compiled schema of `guard` (the first {@link MAX_DETAILED_ERRORS}),
 * in Ajv's order (empty when it passes).
 */
export function detailedErrors(guard: Guard, value: unknown): CompiledError[] {
  return walkOf(guard, value, newWalk(true, false, false));
}

/**
 * The errors of a value that failed `guard` in the mode of `strict`: those of {@link detailedErrors}
 * that can become errors in that mode (issues.ts classifies them to the same errors), without the warnings.
 */
export function failureErrors(guard: Guard, value: unknown, strict: boolean): CompiledError[] {
  return walkOf(guard, value, newWalk(false, true, strict));
}

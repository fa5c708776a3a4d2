/**
 * The detailed path: every error of a value, as Ajv (allErrors, objects
 * closed) reports them, so that issues.ts can sort them into errors and
 * warnings. It walks the compiled schemas of schemas.ts (`schemaTable()`) (written from spec/ by
 * generator/validators/table.ts) instead of running code generated per
 * schema: it only runs when a value fails its guard or when a caller reads
 * the warnings, so its data stays small rather than its loop fast.
 * test/validate-differential.test.ts checks it against Ajv itself, error for error.
 */
import { isDateTime } from './formats.js';
import type { CompiledError, ErrorParams } from './issues.js';
import { schemaTable } from './schemas.js';

/** A compiled schema: the keywords the spec uses, `$ref` by name. */
export interface Schema {
  $ref?: string;
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
  properties?: Record<string, Schema>;
  additionalProperties?: boolean;
  items?: Schema;
  anyOf?: Schema[];
  if?: Schema;
  else?: Schema;
}

const FORMATS: Readonly<Record<string, (text: string) => boolean>> = { 'date-time': isDateTime };

const patterns = new Map<string, RegExp>();

function matches(pattern: string, text: string): boolean {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    patterns.set(pattern, regex);
  }
  return regex.test(text);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON Schema types as Ajv checks them (no NaN or Infinity for numbers). */
const TYPE_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = {
  object: isObject,
  array: Array.isArray,
  string: (value) => typeof value === 'string',
  number: (value) => Number.isFinite(value),
  integer: (value) => Number.isInteger(value),
  boolean: (value) => typeof value === 'boolean',
  null: (value) => value === null,
};

/** Keywords that apply to one type; Ajv checks the type together with them when it is the only one. */
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

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What `visit` needs to know about a schema, worked out once per schema (the walk runs often on invalid input). */
interface Plan {
  types: string[];
  /** The one type, when Ajv checks it together with that type's keywords. */
  typeWithKeywords: string | undefined;
  /** The type groups whose keywords the schema uses, in Ajv's order. */
  groups: string[];
  propertyNames: string[];
  /** `/name` for each property, JSON-Pointer-escaped. */
  propertySegments: string[];
}

const plans = new WeakMap<Schema, Plan>();

function planOf(schema: Schema): Plan {
  let plan = plans.get(schema);
  if (plan) return plan;
  const types =
    schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;
  const groups = Object.keys(TYPED_KEYWORDS).filter((group) =>
    TYPED_KEYWORDS[group]!.some((keyword) => schema[keyword] !== undefined),
  );
  // Ajv checks the type up front unless it is one type whose own keywords the schema uses.
  const typeWithKeywords = types.length === 1 && groups.includes(types[0]!) ? types[0] : undefined;
  const propertyNames = Object.keys(schema.properties ?? {});
  plan = {
    types,
    typeWithKeywords,
    groups,
    propertyNames,
    propertySegments: propertyNames.map((name) => `/${escapeSegment(name)}`),
  };
  plans.set(schema, plan);
  return plan;
}

/**
 * The most errors one walk reports, whatever the value: a signed array of a million invalid items, or a
 * sparse array of length 1e9 handed to validateWebhook, costs this many reports and stops, instead of
 * seconds and gigabytes. Far above any `maxErrors` a caller reads.
 */
export const MAX_DETAILED_ERRORS = 1000;

/** Reports left in the current walk (reset by `detailedErrors`; never raised within it). */
let budget = MAX_DETAILED_ERRORS;

function report(out: CompiledError[], instancePath: string, keyword: string, params: ErrorParams): void {
  budget--;
  out.push({ instancePath, keyword, params });
}

function compare(keyword: (typeof COMPARISONS)[number][0], value: number, limit: number): boolean {
  if (keyword === 'maximum') return value <= limit;
  if (keyword === 'minimum') return value >= limit;
  return keyword === 'exclusiveMaximum' ? value < limit : value > limit;
}

function objectKeywords(
  schema: Schema,
  plan: Plan,
  value: Record<string, unknown>,
  path: string,
  out: CompiledError[],
): void {
  if (schema.required)
    for (const name of schema.required)
      if (value[name] === undefined) report(out, path, 'required', { missingProperty: name });
  const properties = schema.properties ?? {};
  if (schema.additionalProperties === false) {
    // `for…in`, as Ajv's code does: inherited enumerable keys count too.
    for (const key in value) {
      if (budget <= 0) break;
      if (!Object.hasOwn(properties, key))
        report(out, path, 'additionalProperties', { additionalProperty: key });
    }
  }
  const { propertyNames, propertySegments } = plan;
  for (let index = 0; index < propertyNames.length; index++) {
    const property = value[propertyNames[index]!];
    if (property !== undefined)
      visit(properties[propertyNames[index]!]!, property, path + propertySegments[index]!, out);
  }
}

function typedKeywords(
  group: string,
  schema: Schema,
  plan: Plan,
  value: unknown,
  path: string,
  out: CompiledError[],
): void {
  // `group` names the type `value` was found to have, so each branch may read it as that type.
  if (group === 'number') {
    for (const [keyword, comparison] of COMPARISONS) {
      const limit = schema[keyword];
      if (limit !== undefined && !compare(keyword, value as number, limit))
        report(out, path, keyword, { comparison, limit });
    }
  } else if (group === 'string') {
    const text = value as string;
    if (schema.maxLength !== undefined && text.length > schema.maxLength)
      report(out, path, 'maxLength', { limit: schema.maxLength });
    if (schema.minLength !== undefined && text.length < schema.minLength)
      report(out, path, 'minLength', { limit: schema.minLength });
    if (schema.pattern !== undefined && !matches(schema.pattern, text))
      report(out, path, 'pattern', { pattern: schema.pattern });
    if (schema.format !== undefined && !FORMATS[schema.format]!(text))
      report(out, path, 'format', { format: schema.format });
  } else if (group === 'array') {
    const items = value as unknown[];
    if (schema.items)
      for (let index = 0; index < items.length && budget > 0; index++)
        visit(schema.items, items[index], `${path}/${index}`, out);
  } else {
    objectKeywords(schema, plan, value as Record<string, unknown>, path, out);
  }
}

/** `requiredStrict`, our own keyword: on an object, one error per promised property missing (Ajv runs it last of the untyped keywords). */
function promisedKeyword(names: string[], value: unknown, path: string, out: CompiledError[]): void {
  if (!isObject(value)) return;
  for (const name of names)
    if (value[name] === undefined) report(out, path, 'requiredStrict', { missingProperty: name });
}

/** The untyped keywords, in Ajv's order: const, enum, anyOf, if/else, then ours (requiredStrict). */
function untypedKeywords(schema: Schema, value: unknown, path: string, out: CompiledError[]): void {
  if (schema.const !== undefined && value !== schema.const)
    report(out, path, 'const', { allowedValue: schema.const });
  if (schema.enum && !schema.enum.includes(value)) report(out, path, 'enum', { allowedValues: schema.enum });
  if (schema.anyOf) {
    const start = out.length;
    // Ajv stops at the first branch that passes and then forgets the others' errors.
    const passed = schema.anyOf.some((branch) => {
      const before = out.length;
      visit(branch, value, path, out);
      return out.length === before;
    });
    if (passed) out.length = start;
    else report(out, path, 'anyOf', {});
  }
  // The compiled schemas only use `if: {type: "null"}, else: X` (a nullable X); the `if` reports nothing.
  if (schema.if && schema.else && detailedErrorsOf(schema.if, value).length > 0) {
    const before = out.length;
    visit(schema.else, value, path, out);
    if (out.length > before) report(out, path, 'if', { failingKeyword: 'else' });
  }
  if (schema.requiredStrict) promisedKeyword(schema.requiredStrict, value, path, out);
}

function visit(schema: Schema, value: unknown, path: string, out: CompiledError[]): void {
  if (budget <= 0) return;
  if (schema.$ref !== undefined) {
    visit(schemaTable()[schema.$ref]!, value, path, out);
    if (schema.requiredStrict) promisedKeyword(schema.requiredStrict, value, path, out);
    return;
  }
  const plan = planOf(schema);
  const { types, typeWithKeywords } = plan;
  if (types.length > 0 && typeWithKeywords === undefined && !types.some((type) => TYPE_CHECKS[type]!(value)))
    report(out, path, 'type', { type: schema.type });
  untypedKeywords(schema, value, path, out);
  for (const group of plan.groups) {
    if (TYPE_CHECKS[group]!(value)) typedKeywords(group, schema, plan, value, path, out);
    else if (typeWithKeywords === group) report(out, path, 'type', { type: schema.type });
  }
}

function detailedErrorsOf(schema: Schema, value: unknown): CompiledError[] {
  const out: CompiledError[] = [];
  visit(schema, value, '', out);
  return out;
}

/** The errors of `value` against the compiled schema `name` (the first {@link MAX_DETAILED_ERRORS}), in Ajv's order (empty when it passes). */
export function detailedErrors(name: string, value: unknown): CompiledError[] {
  budget = MAX_DETAILED_ERRORS;
  return detailedErrorsOf(schemaTable()[name]!, value);
}

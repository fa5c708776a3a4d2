/**
 * Turns the errors of the compiled validators into what callers read: one
 * issue per defect, with a JSON Pointer, what was expected and what was
 * received; undocumented properties and (in tolerant mode) unknown enum values
 * become warnings instead, and (in tolerant mode) a missing promised property
 * (`requiredStrict`: the docs say it is there, the delivery is taken without it)
 * is no finding at all.
 */
import type { ValidationIssue, ValidationMode, ValidationWarning } from '../validate.js';
import { FORMAT_NAMES, PATTERN_NAMES } from './phrases.js';

/**
 * An error as the detailed validator reports it: Ajv's shape, without `schemaPath` or messages, and
 * with the value at `instancePath` (what was received), read once, during the walk.
 */
export interface CompiledError {
  instancePath: string;
  keyword: string;
  params: ErrorParams;
  /** The value at `instancePath`: `undefined` when the way there passes a property not of its own. */
  value: unknown;
}

/** The parameters an error carries, by keyword (Ajv's names). */
export interface ErrorParams {
  type?: string | readonly string[];
  format?: string;
  pattern?: string;
  allowedValue?: unknown;
  allowedValues?: readonly unknown[];
  comparison?: string;
  limit?: number;
  missingProperty?: string;
  additionalProperty?: string;
  failingKeyword?: string;
}

export interface Findings {
  errors: ValidationIssue[];
  warnings: ValidationWarning[];
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** Longest excerpt of a received string: errors stay one readable line whatever arrives. */
const EXCERPT_LENGTH = 40;

function decodeSegment(segment: string): string {
  if (!segment.includes('~')) return segment;
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function encodeSegment(segment: string): string {
  if (!segment.includes('~') && !segment.includes('/')) return segment;
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The segments of a JSON Pointer (`/data/tour/id` → `['data', 'tour', 'id']`). */
export function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(decodeSegment);
}

/** A short, safe description of any value: a JSON excerpt for primitives, a kind for the rest. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length > EXCERPT_LENGTH
        ? `${JSON.stringify(value.slice(0, EXCERPT_LENGTH))}… (a string of ${value.length} characters)`
        : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return Array.isArray(value) ? `an array of ${value.length} item(s)` : 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function typeNames(type: unknown): string {
  if (typeof type === 'string') return TYPE_NAMES[type] ?? type;
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((name) => TYPE_NAMES[name] ?? String(name)).join(' or ');
}

function listValues(values: unknown): string {
  return Array.isArray(values) ? values.map((value) => JSON.stringify(value)).join(', ') : String(values);
}

/** What the schema wanted, in words. */
function expectedOf(error: CompiledError): string {
  const { params } = error;
  switch (error.keyword) {
    case 'type':
      return typeNames(params.type);
    case 'format':
      return FORMAT_NAMES[params.format ?? ''] ?? `a string in the ${params.format} format`;
    case 'pattern':
      return PATTERN_NAMES[params.pattern ?? ''] ?? `a string matching /${params.pattern}/`;
    case 'const':
      return JSON.stringify(params.allowedValue);
    case 'enum':
      return `one of ${listValues(params.allowedValues)}`;
    case 'required':
      return 'a value (the property is required)';
    case 'requiredStrict':
      return 'a value (the docs promise this property; strict mode requires it)';
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `a number ${params.comparison} ${params.limit}`;
    case 'minLength':
      return `a string of at least ${params.limit} character(s)`;
    case 'maxLength':
      return `a string of at most ${params.limit} character(s)`;
    case 'minItems':
      return `an array of at least ${params.limit} item(s)`;
    case 'maxItems':
      return `an array of at most ${params.limit} item(s)`;
    default:
      return `a value that satisfies "${error.keyword}"`;
  }
}

function messageOf(path: string, keyword: string, expected: string, received: string): string {
  const where = path === '' ? 'the webhook' : path;
  return keyword === 'required' || keyword === 'requiredStrict'
    ? `${where} is missing (${keyword === 'required' ? 'required' : 'promised by the docs'})`
    : `${where}: expected ${expected}, received ${received}`;
}

function issue(path: string, keyword: string, expected: string, received: string): ValidationIssue {
  return { path, message: messageOf(path, keyword, expected, received), expected, received, keyword };
}

function toIssue(error: CompiledError): ValidationIssue {
  if (error.keyword === 'required' || error.keyword === 'requiredStrict') {
    const path = `${error.instancePath}/${encodeSegment(String(error.params.missingProperty))}`;
    return issue(path, error.keyword, expectedOf(error), 'nothing');
  }
  return issue(error.instancePath, error.keyword, expectedOf(error), describeValue(error.value));
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/**
 * `anyOf`: the errors of every branch came just before. When some branch got
 * past the type (its errors sit deeper), those are the defect; otherwise one
 * issue says which alternatives were expected.
 */
function foldAlternatives(issues: ValidationIssue[], path: string, value: unknown): void {
  let start = issues.length;
  while (start > 0 && isWithin(issues[start - 1]!.path, path)) start--;
  const branches = issues.splice(start);
  const deeper = branches.filter((branch) => branch.path !== path);
  if (deeper.length > 0) {
    issues.push(...deeper);
    return;
  }
  const expected =
    [...new Set(branches.map((branch) => branch.expected))].join(' or ') || 'one of the alternatives';
  issues.push(issue(path, 'anyOf', expected, describeValue(value)));
}

/** `if: null, else: X`: a nullable value failed X; the issues at its own path also accept null. */
function allowNull(issues: ValidationIssue[], path: string): void {
  for (let index = 0; index < issues.length; index++) {
    const found = issues[index]!;
    if (found.path !== path || found.expected.endsWith(' or null')) continue;
    issues[index] = issue(path, found.keyword, `${found.expected} or null`, found.received);
  }
}

function unknownProperty(error: CompiledError): ValidationWarning {
  const path = `${error.instancePath}/${encodeSegment(String(error.params.additionalProperty))}`;
  return {
    path,
    kind: 'unknown-property',
    message: `${path} is a property this version of the spec does not document`,
  };
}

function unknownEnumValue(error: CompiledError, value: string): ValidationWarning {
  const path = error.instancePath;
  return {
    path,
    kind: 'unknown-enum-value',
    message: `${path}: ${describeValue(value)} is not one of the values this version knows (${listValues(error.params.allowedValues)})`,
  };
}

/**
 * One value has one defect: when two keywords fail at the same path (`type`
 * and `enum` for `7` in a nullable string enum), the first, most basic one stays.
 */
function firstPerPath(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length < 2) return issues;
  const seen = new Set<string>();
  return issues.filter((found) => !seen.has(found.path) && seen.add(found.path) !== undefined);
}

/** Sorts compiled errors into issues and warnings; `maxErrors` caps the issues. */
export function classify(errors: CompiledError[], mode: ValidationMode, maxErrors: number): Findings {
  const issues: ValidationIssue[] = [];
  const warnings: ValidationWarning[] = [];
  for (const error of errors) {
    switch (error.keyword) {
      case 'if':
        allowNull(issues, error.instancePath);
        continue;
      case 'anyOf':
      case 'oneOf':
        foldAlternatives(issues, error.instancePath, error.value);
        continue;
      case 'additionalProperties':
        warnings.push(unknownProperty(error));
        continue;
      case 'requiredStrict':
        if (mode === 'tolerant') continue;
        break;
      case 'enum': {
        const { value } = error;
        if (mode === 'tolerant' && typeof value === 'string') {
          warnings.push(unknownEnumValue(error, value));
          continue;
        }
      }
    }
    issues.push(toIssue(error));
  }
  const distinct = firstPerPath(issues);
  return {
    errors: distinct.length > maxErrors ? distinct.slice(0, Math.max(1, maxErrors)) : distinct,
    warnings,
  };
}

/** The one issue reported when reading the value itself threw (a hostile getter or Proxy). */
export function exceptionIssue(error: unknown): ValidationIssue {
  let detail: string;
  try {
    detail = error instanceof Error ? error.message : String(error);
  } catch {
    detail = 'an exception that could not be described';
  }
  return issue(
    '',
    'exception',
    'a JSON value',
    `a value that threw while being read (${detail.slice(0, 200)})`,
  );
}

/** The one issue of a value that failed its guard while the detailed path found nothing (it changed before its errors were read). */
export function unexplainedIssue(): ValidationIssue {
  return issue(
    '',
    'guard',
    'a valid webhook',
    'a value that failed validation and then changed before its errors were read',
  );
}

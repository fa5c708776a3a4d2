/**
 * Runtime validation of webhooks against the spec. Nothing is compiled at
 * start-up. Two paths that agree on every verdict (a differential test proves
 * it): generated guards (validators/guards.ts) decide `ok` at the speed of a
 * hand-written type guard, and a detailed validator (validators/detailed.ts,
 * Ajv's semantics with every error) explains failures and finds warnings,
 * only when a caller reads them.
 *
 * - `validateWebhook(value)` looks `kind` up once and runs that topic's check;
 *   an unknown `kind` is checked as the envelope only and returned as the
 *   unknown-topic case (or rejected with `{ unknownTopics: 'reject' }`).
 * - Modes: **tolerant** (default) passes values of closed enums this version
 *   does not know, with an `unknown-enum-value` warning; **strict** rejects
 *   them. In both modes undocumented properties pass with an `unknown-property`
 *   warning (Chameleon documents its payloads as partial), except the custom
 *   properties of profiles and companies, which are expected by design and never
 *   a warning; a documented property of the wrong type, a bad ID or a bad
 *   date-time is an error. A property the docs promise (`x-required-strict`) is
 *   required in strict mode only: tolerant mode takes a delivery without it.
 * - Nothing here throws, whatever the value is. An `onWarning` callback that
 *   throws is the caller's own exception and does propagate.
 */
import type {
  AnyChameleonWebhook,
  ChameleonWebhook,
  UnknownTopicWebhook,
  WebhookOf,
  WebhookTopic,
} from './types.js';
import { detailedErrors, failureErrors } from './validators/detailed.js';
import { classify, exceptionIssue, pointerSegments, unexplainedIssue } from './validators/issues.js';
import {
  DEFAULT_MAX_ERRORS,
  ENVELOPE_CHECK,
  lazyByKind,
  lazyByModel,
  TOPIC_CHECKS,
  type Check,
  type ModelTypes,
} from './validators/registry.js';

export type ValidationMode = 'tolerant' | 'strict';

/** One thing wrong with a value. */
export interface ValidationIssue {
  /** JSON Pointer of the offending value (`''` is the webhook itself). */
  path: string;
  /** One line for a person: `/data/tour/id: expected a Chameleon ID (…), received "abc"`. */
  message: string;
  /** What the spec wants there. */
  expected: string;
  /** What arrived: a short excerpt or the kind of value. */
  received: string;
  /** The JSON Schema keyword that failed (`type`, `required`, `pattern`, …; `requiredStrict`: a promised property missing, strict mode). */
  keyword: string;
}

/** Something this version of the spec does not know, which does not make the value invalid. */
export interface ValidationWarning {
  path: string;
  kind: 'unknown-property' | 'unknown-enum-value' | 'unknown-topic';
  message: string;
}

export interface ValidatorOptions {
  /** `tolerant` (default) for production, `strict` for CI and contract tests. */
  mode?: ValidationMode;
  /** Called once per warning, after validation (given it, the warnings are worked out at once rather than when first read). */
  onWarning?: (warning: ValidationWarning) => void;
  /** The most errors reported (default {@link DEFAULT_MAX_ERRORS}); at least one always is. */
  maxErrors?: number;
}

export interface ValidateOptions extends ValidatorOptions {
  /** What to do with a `kind` this version does not know: `accept` (default) checks the envelope only. */
  unknownTopics?: 'accept' | 'reject';
}

// `errors?: undefined` on success: `if (!result.ok) result.errors` then compiles without
// strictNullChecks too, where TypeScript narrows `ok` only in its `true` branch.
export type WebhookValidationResult =
  | { ok: true; known: true; webhook: ChameleonWebhook; warnings: ValidationWarning[]; errors?: undefined }
  | {
      ok: true;
      known: false;
      webhook: UnknownTopicWebhook;
      warnings: ValidationWarning[];
      errors?: undefined;
    }
  | { ok: false; errors: ValidationIssue[]; warnings: ValidationWarning[] };

/** The result when unknown topics are rejected: a webhook, if any, is a known one. */
export type KnownWebhookValidationResult = Exclude<WebhookValidationResult, { known: false }>;

/** The result of one topic's or one model's validator. */
export type ValidationResult<T> =
  | { ok: true; value: T; warnings: ValidationWarning[]; errors?: undefined }
  | { ok: false; errors: ValidationIssue[]; warnings: ValidationWarning[] };

/**
 * The Standard Schema v1 interface (https://standardschema.dev), declared here
 * so that the package needs no runtime dependency to implement it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaV1Result<Output>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardSchemaV1Result<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey> | undefined;
      }>;
    };

/** A validator of one topic or model: call it, use it as a type guard, or hand it to any Standard Schema consumer. */
export interface Validator<T> extends StandardSchemaV1<unknown, T> {
  (value: unknown, options?: ValidatorOptions): ValidationResult<T>;
  /** True when `value` passes (tolerant mode). */
  is(value: unknown): value is T;
}

const VENDOR = 'chameleon-webhooks';

/** Replaces a lazy getter with the value it computed, so the work happens once. */
function settle<T>(result: object, key: string, value: T): T {
  Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** The errors of a value that failed its guard; never throws, and there is always at least one. */
function errorsOf(check: Check, value: unknown, options: ValidatorOptions | undefined): ValidationIssue[] {
  let errors: ValidationIssue[];
  try {
    const mode = options?.mode ?? 'tolerant';
    errors = classify(
      failureErrors(check, value, mode === 'strict'),
      mode,
      options?.maxErrors ?? DEFAULT_MAX_ERRORS,
    ).errors;
  } catch (error) {
    return [exceptionIssue(error)];
  }
  return errors.length > 0 ? errors : [unexplainedIssue()];
}

/** The warnings of a value (the detailed path's full walk); never throws. */
function findWarnings(
  check: Check,
  value: unknown,
  options: ValidatorOptions | undefined,
): ValidationWarning[] {
  try {
    return classify(detailedErrors(check, value), options?.mode ?? 'tolerant', 0).warnings;
  } catch {
    return [];
  }
}

/** The warnings of a value that passed, with the unknown-topic warning when there is one. */
function warningsOf(
  check: Check,
  value: unknown,
  options: ValidatorOptions | undefined,
  extra: ValidationWarning | undefined,
): ValidationWarning[] {
  const found = findWarnings(check, value, options);
  return extra ? [...found, extra] : found;
}

/*
 * Results are worked out lazily: a passing result finds its warnings the
 * first time they are read (or at once when `onWarning` is given), because
 * most callers never read them and finding them means walking every key of
 * the value. `warnings` is a getter of the class, so building a result costs
 * what a plain object does (an object literal with a getter costs a closure
 * and a slow shape per call; a subclass or field initialisers tripled the
 * cost): `JSON.stringify` includes it through `toJSON`, a spread copy
 * (`{ ...result }`) does not.
 */

/** A webhook that passed (`known` says whether its topic is one this version knows). */
class PassedWebhook {
  readonly ok: true;
  readonly known: boolean;
  readonly webhook: unknown;
  readonly #check: Check;
  readonly #options: ValidatorOptions | undefined;
  readonly #extra: ValidationWarning | undefined;

  constructor(
    known: boolean,
    webhook: unknown,
    check: Check,
    options: ValidatorOptions | undefined,
    extra?: ValidationWarning,
  ) {
    this.ok = true;
    this.known = known;
    this.webhook = webhook;
    this.#check = check;
    this.#options = options;
    this.#extra = extra;
  }

  get warnings(): ValidationWarning[] {
    return settle(this, 'warnings', warningsOf(this.#check, this.webhook, this.#options, this.#extra));
  }

  set warnings(warnings: ValidationWarning[]) {
    settle(this, 'warnings', warnings);
  }

  toJSON(): object {
    // A spread keeps what a caller added (verifyWebhook adds the webhook's `id`).
    return { ...this, warnings: this.warnings };
  }
}

/** A value that passed one topic's or model's validator. */
class PassedValue {
  readonly ok: true;
  readonly value: unknown;
  readonly #check: Check;
  readonly #options: ValidatorOptions | undefined;

  constructor(value: unknown, check: Check, options: ValidatorOptions | undefined) {
    this.ok = true;
    this.value = value;
    this.#check = check;
    this.#options = options;
  }

  get warnings(): ValidationWarning[] {
    return settle(this, 'warnings', warningsOf(this.#check, this.value, this.#options, undefined));
  }

  set warnings(warnings: ValidationWarning[]) {
    settle(this, 'warnings', warnings);
  }

  toJSON(): object {
    return { ok: true, value: this.value, warnings: this.warnings };
  }
}

/**
 * A value that failed its guard: the detailed path explains why the first time `errors` is read, and
 * finds its warnings (a walk of every key) only if `warnings` is. Both are kept in private fields
 * rather than settled as own properties: `Object.defineProperty` cost a tenth of explaining a
 * failure. `JSON.stringify` includes them through `toJSON`.
 */
class Failed {
  readonly ok: false;
  readonly #check: Check;
  readonly #value: unknown;
  readonly #options: ValidatorOptions | undefined;
  #errors: ValidationIssue[] | undefined;
  #warnings: ValidationWarning[] | undefined;

  constructor(check: Check, value: unknown, options: ValidatorOptions | undefined) {
    this.ok = false;
    this.#check = check;
    this.#value = value;
    this.#options = options;
  }

  get errors(): ValidationIssue[] {
    this.#errors ??= errorsOf(this.#check, this.#value, this.#options);
    return this.#errors;
  }

  set errors(errors: ValidationIssue[]) {
    this.#errors = errors;
  }

  get warnings(): ValidationWarning[] {
    this.#warnings ??= findWarnings(this.#check, this.#value, this.#options);
    return this.#warnings;
  }

  set warnings(warnings: ValidationWarning[]) {
    this.#warnings = warnings;
  }

  toJSON(): object {
    return { ok: false, errors: this.errors, warnings: this.warnings };
  }
}

type Failure = { ok: false; errors: ValidationIssue[]; warnings: ValidationWarning[] };

function failed(check: Check, value: unknown, options: ValidatorOptions | undefined): Failure {
  return new Failed(check, value, options);
}

function failure(error: unknown): Failure {
  return { ok: false, errors: [exceptionIssue(error)], warnings: [] };
}

function isStrict(options: ValidatorOptions | undefined): boolean {
  return options !== undefined && options.mode === 'strict';
}

function report(result: { warnings: ValidationWarning[] }, options: ValidatorOptions | undefined): void {
  const onWarning = options?.onWarning;
  if (onWarning) for (const warning of result.warnings) onWarning(warning);
}

function checkValue<T>(
  check: Check,
  value: unknown,
  options: ValidatorOptions | undefined,
): ValidationResult<T> {
  try {
    if (check(value, isStrict(options))) return new PassedValue(value, check, options) as ValidationResult<T>;
    return failed(check, value, options);
  } catch (error) {
    return failure(error);
  }
}

/** True when the guard passes; a value that throws while being read does not. */
function passes(check: Check, value: unknown): boolean {
  try {
    return check(value, false);
  } catch {
    return false;
  }
}

function toStandard<T>(check: Check, value: unknown): StandardSchemaV1Result<T> {
  const result = checkValue<T>(check, value, undefined);
  if (result.ok) return { value: result.value };
  return {
    issues: result.errors.map((issue) => ({ message: issue.message, path: pointerSegments(issue.path) })),
  };
}

function createValidator<T>(check: Check): Validator<T> {
  const validate = (value: unknown, options?: ValidatorOptions): ValidationResult<T> => {
    const result = checkValue<T>(check, value, options);
    report(result, options);
    return result;
  };
  const is = (value: unknown): value is T => passes(check, value);
  const standard = {
    version: 1 as const,
    vendor: VENDOR,
    validate: (value: unknown) => toStandard<T>(check, value),
  };
  return Object.assign(validate, { is, '~standard': standard });
}

/** A table's getter: builds the validator of `check`, and replaces the getter with it (the work happens once). */
function built(table: object, key: string, check: Check): Validator<unknown> {
  return settle(table, key, createValidator(check));
}

/*
 * Every module-level value is pure (a call marked `@__PURE__`, or a literal): with `sideEffects: false`,
 * a bundle of `verifySignature` alone leaves the validators, the guards and the schema table out.
 */

/**
 * The validator of each topic, by `kind`, each built the first time it is read: importing the package
 * builds none of them (the table is an object literal of getters, generated: defining sixty accessors
 * one by one cost more than the rest of this module's import).
 */
export const validators = /* @__PURE__ */ lazyByKind(built) as {
  readonly [Kind in WebhookTopic]: Validator<WebhookOf<Kind>>;
};

/** The validator of each model, by type name, each built the first time it is read. */
export const modelValidators = /* @__PURE__ */ lazyByModel(built) as {
  readonly [Name in keyof ModelTypes]: Validator<ModelTypes[Name]>;
};

function mapOf<T>(table: { readonly [key: string]: T }): ReadonlyMap<string, T> {
  return new Map(Object.entries(table));
}

/** One lookup from `kind` to its topic's check. */
const CHECKS_BY_KIND: ReadonlyMap<string, Check> = /* @__PURE__ */ mapOf(TOPIC_CHECKS);

function kindOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
}

function unknownTopicWarning(kind: string): ValidationWarning {
  return {
    path: '/kind',
    kind: 'unknown-topic',
    message: `/kind: ${JSON.stringify(kind.slice(0, 80))} is not a topic this version knows; only the envelope was validated`,
  };
}

function unknownTopicIssue(kind: string): ValidationIssue {
  const received = JSON.stringify(kind.slice(0, 80));
  const expected = `one of the ${CHECKS_BY_KIND.size} topics this version knows`;
  return {
    path: '/kind',
    message: `/kind: expected ${expected}, received ${received}`,
    expected,
    received,
    keyword: 'unknown-topic',
  };
}

function validateUnguarded(value: unknown, options: ValidateOptions | undefined): WebhookValidationResult {
  const kind = kindOf(value);
  const topic = typeof kind === 'string' ? CHECKS_BY_KIND.get(kind) : undefined;
  const strict = isStrict(options);
  if (topic) {
    if (!topic(value, strict)) return failed(topic, value, options);
    return new PassedWebhook(true, value, topic, options) as WebhookValidationResult;
  }
  if (!ENVELOPE_CHECK(value, strict)) return failed(ENVELOPE_CHECK, value, options);
  // The envelope passed, so `kind` is a non-empty string this version does not know.
  if (options?.unknownTopics === 'reject') {
    const rejected = failed(ENVELOPE_CHECK, value, options);
    rejected.errors = [unknownTopicIssue(kind as string)];
    return rejected;
  }
  return new PassedWebhook(
    false,
    value,
    ENVELOPE_CHECK,
    options,
    unknownTopicWarning(kind as string),
  ) as WebhookValidationResult;
}

/**
 * Validates a parsed webhook body against its topic's schema. Never throws.
 *
 * The verdict (`ok`) comes from a generated guard that stops at the first
 * failure. `errors` and `warnings` are worked out by the detailed validator
 * the first time they are read (`warnings` at once when `onWarning` is
 * given), so a caller who only reads `ok` pays for the verdict alone. They
 * describe the value as it is when first read: read them before changing it.
 */
export function validateWebhook(
  value: unknown,
  options: ValidateOptions & { unknownTopics: 'reject' },
): KnownWebhookValidationResult;
export function validateWebhook(value: unknown, options?: ValidateOptions): WebhookValidationResult;
export function validateWebhook(value: unknown, options?: ValidateOptions): WebhookValidationResult {
  let result: WebhookValidationResult;
  try {
    result = validateUnguarded(value, options);
  } catch (error) {
    result = failure(error);
  }
  report(result, options);
  return result;
}

/** True when `value` is a webhook of a known topic (of `kind`, when given) in tolerant mode. */
export function isWebhook(value: unknown): value is ChameleonWebhook;
export function isWebhook<Kind extends WebhookTopic>(value: unknown, kind: Kind): value is WebhookOf<Kind>;
export function isWebhook(value: unknown, kind?: string): boolean {
  if (kind === undefined) return validateWebhook(value, { unknownTopics: 'reject' }).ok;
  const check = CHECKS_BY_KIND.get(kind);
  return check !== undefined && passes(check, value);
}

/** `validateWebhook` as a Standard Schema: plugs into any library that accepts one. */
export const webhookSchema: StandardSchemaV1<unknown, AnyChameleonWebhook> = {
  '~standard': {
    version: 1,
    vendor: VENDOR,
    validate: (value: unknown) => {
      const result = validateWebhook(value);
      if (result.ok) return { value: result.webhook };
      return {
        issues: result.errors.map((issue) => ({ message: issue.message, path: pointerSegments(issue.path) })),
      };
    },
  },
};

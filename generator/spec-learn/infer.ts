/**
 * A draft schema from the values seen at one place, by fixed rules, so the
 * same captures always give the same proposal:
 *
 * - strings that are all Chameleon IDs or all date-times become refs to
 *   common.json's ChameleonId and Timestamp; all emails or all http(s) URLs
 *   stay strings with the format kept in the evidence (the validators assert
 *   date-time only, so a learned `format` would be a promise nobody checks);
 * - integers and decimals together are numbers; strings and integers together
 *   are `string | integer`; `null` beside one type makes it nullable;
 * - objects whose every value has a Chameleon `id` are models (each Chameleon
 *   model has one), in a new models/ file unless a model of that name exists;
 *   other objects stay inline, their keys required when every value had them;
 * - anything else (only nulls, other mixes of types) is left to a person.
 */
import type { LearnedEvidence } from '../schema/index.js';
import { SPEC_ID_BASE } from '../spec/load.js';
import { jsonType, type Seen } from './observe.js';

export type Json = Record<string, unknown>;

/** Something spec:learn will not decide: listed in its report for a person. */
export interface HumanNote {
  /** Where in the spec or which topic. */
  where: string;
  what: string;
  deliveries: number;
  example: string;
}

export interface NewModel {
  /** Relative to spec/. */
  file: string;
  json: Json;
  title: string;
}

const CHAMELEON_ID = /^[0-9a-f]{24}$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_SHAPE = /^https?:\/\/[^\s]+$/;
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export const ID_REF = '../common.json#/definitions/ChameleonId';
export const TIMESTAMP_REF = '../common.json#/definitions/Timestamp';
export const LEARNED_DESCRIPTION = 'Undocumented: learned from captured deliveries (see x-learned).';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function singular(name: string): string {
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  return name.endsWith('s') && !name.endsWith('ss') ? name.slice(0, -1) : name;
}

/** How many deliveries, when, and one example, for the values seen. */
export function evidenceOf(
  change: LearnedEvidence['change'],
  seen: Seen[],
  of: number,
  format?: string,
): LearnedEvidence {
  const deliveries = new Set(seen.map((s) => s.delivery));
  const times = seen
    .map((s) => s.delivery.seenAt)
    .filter(Boolean)
    .sort();
  const first = [...seen].sort((a, b) => a.delivery.seenAt.localeCompare(b.delivery.seenAt))[0]!;
  return {
    change,
    deliveries: deliveries.size,
    of: Math.max(of, deliveries.size),
    firstSeen: times[0] ?? '1970-01-01T00:00:00.000Z',
    lastSeen: times[times.length - 1] ?? '1970-01-01T00:00:00.000Z',
    example: `${first.delivery.source}#${first.pointer}`,
    ...(format ? { format } : {}),
  };
}

export interface Inferred {
  schema: Json;
  /** A format every value had that the validators do not assert (email, uri). */
  format?: string;
}

export class Inferrer {
  readonly models: NewModel[] = [];
  readonly human: HumanNote[] = [];

  /** `existing`: model titles of the spec → their file; `titles`: every title taken. */
  constructor(
    private readonly existing: Map<string, string>,
    private readonly titles: Set<string>,
  ) {}

  private note(where: string, what: string, seen: Seen[]): void {
    const evidence = evidenceOf('property', seen, seen.length);
    this.human.push({ where, what, deliveries: evidence.deliveries, example: evidence.example });
  }

  /** The schema of the values seen at `where` (named `name`), or undefined when it is not decidable. */
  infer(seen: Seen[], name: string, where: string): Inferred | undefined {
    const present = seen.filter((s) => s.value !== null);
    if (!present.length) {
      this.note(where, 'only null was seen: its type cannot be told', seen);
      return undefined;
    }
    const nullable = present.length < seen.length;
    const types = new Set(present.map((s) => jsonType(s.value)));
    if (types.has('number')) types.delete('integer');
    const inferred =
      types.size === 2 && types.has('string') && types.has('integer')
        ? { schema: { type: ['string', 'integer'] } }
        : types.size === 1
          ? this.ofType([...types][0]!, present, name, where)
          : undefined;
    if (!inferred) {
      if (types.size > 1) this.note(where, `values of several types (${[...types].sort().join(', ')})`, seen);
      return undefined;
    }
    return nullable ? { ...inferred, schema: orNull(inferred.schema) } : inferred;
  }

  private ofType(type: string, seen: Seen[], name: string, where: string): Inferred | undefined {
    const values = seen.map((s) => s.value);
    if (type === 'string') return stringSchema(values as string[]);
    if (type === 'object') return this.objectOrModel(seen, name, where);
    if (type === 'array') {
      const items = seen.flatMap((s) =>
        (s.value as unknown[]).map((value, index) => ({ ...s, value, pointer: `${s.pointer}/${index}` })),
      );
      if (!items.length) return { schema: { type: 'array' } };
      const inner = this.infer(items, singular(name), `${where}[]`);
      return inner ? { schema: { type: 'array', items: inner.schema } } : undefined;
    }
    return { schema: { type } };
  }

  private objectOrModel(seen: Seen[], name: string, where: string): Inferred | undefined {
    const isModel = seen.every(
      (s) => typeof (s.value as Json).id === 'string' && CHAMELEON_ID.test((s.value as Json).id as string),
    );
    if (!isModel) return { schema: this.object(seen, where) };
    const title = pascal(singular(name));
    const existing = this.existing.get(title);
    if (existing) {
      this.note(
        where,
        `objects with an id, taken to be the existing model ${title} (spec/${existing}): check`,
        seen,
      );
      return { schema: { $ref: `../${existing}` } };
    }
    const proposed = this.models.find((model) => model.title === title);
    if (proposed) return { schema: { $ref: `../${proposed.file}` } };
    if (this.titles.has(title)) {
      this.note(where, `objects with an id would be a model ${title}, a name the spec uses already`, seen);
      return undefined;
    }
    const file = `models/${singular(name).replace(/_/g, '-')}.json`;
    const model: NewModel = { file, title, json: {} };
    this.models.push(model);
    this.titles.add(title);
    model.json = {
      $schema: DRAFT_07,
      $id: SPEC_ID_BASE + file,
      title,
      description: `${LEARNED_DESCRIPTION} Describe the model.`,
      ...this.object(seen, `model ${title}`),
      'x-learned': evidenceOf('model', seen, new Set(seen.map((s) => s.delivery)).size),
    };
    return { schema: { $ref: `../${file}` } };
  }

  /** An inline object: every key seen, required when every value had it. */
  object(seen: Seen[], where: string, fixed: Record<string, Json> = {}): Json {
    const keys: string[] = [];
    for (const s of seen)
      for (const key of Object.keys(s.value as Json)) if (!keys.includes(key)) keys.push(key);
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const key of keys) {
      const values = seen
        .filter((s) => key in (s.value as Json))
        .map((s) => ({ ...s, value: (s.value as Json)[key], pointer: `${s.pointer}/${key}` }));
      const schema = fixed[key] ?? this.infer(values, key, `${where}.${key}`)?.schema;
      if (!schema) continue;
      properties[key] = schema.$ref ? schema : { description: LEARNED_DESCRIPTION, ...schema };
      if (values.length === seen.length) required.push(key);
    }
    return { type: 'object', ...(required.length ? { required } : {}), properties };
  }
}

function stringSchema(values: string[]): Inferred {
  if (values.every((v) => CHAMELEON_ID.test(v))) return { schema: { $ref: ID_REF } };
  if (values.every((v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))))
    return { schema: { $ref: TIMESTAMP_REF } };
  if (values.every((v) => EMAIL.test(v))) return { schema: { type: 'string' }, format: 'email' };
  if (values.every((v) => URL_SHAPE.test(v))) return { schema: { type: 'string' }, format: 'uri' };
  return { schema: { type: 'string' } };
}

/** The same schema, also accepting null, as the spec writes it. */
function orNull(schema: Json): Json {
  const structured = schema.type === 'object' || schema.type === 'array';
  if (typeof schema.type === 'string' && !structured) return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

export { isObject };

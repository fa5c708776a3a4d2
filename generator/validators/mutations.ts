/**
 * Invalid payloads, derived from the spec in one place: the validator tests and
 * the fixtures emitter both use them, so "what counts as invalid" and "where the
 * validator must point" cannot drift apart.
 *
 * Each payload is a topic's first example with exactly one defect, and each
 * defect is one that the validators reject in every mode (tolerant and strict):
 * wrong kind, a missing required field, a wrong type, a bad Chameleon ID, a bad
 * timestamp, a value outside a closed enum. Defects that only strict mode
 * rejects (an unknown string in a closed enum) come from `strictOnlyPayloadsFor`.
 */
import type { Topic } from '../model.js';
import type { ObjectNode, SchemaIndex, SchemaNode } from '../schema/index.js';

export interface InvalidPayload {
  /** File-name-safe, unique within the topic: `data-tour-id-not-a-chameleon-id`. */
  name: string;
  /** One sentence saying what is wrong. */
  defect: string;
  payload: Record<string, unknown>;
  /** JSON Pointer of the one error a validator must report. */
  errorPath: string;
  /** Set when the defect is a value that breaks its `format` (only a validator asserting formats may see it). */
  brokenFormat?: { format: string; value: string };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A present value of the example, with the schema node that governs it. */
interface Site {
  pointer: string;
  segments: string[];
  value: Json;
  node: SchemaNode;
}

const BAD_ID = 'not-a-chameleon-id';
/** Month 13 and February 30: both look like date-times, neither is a day of the calendar. */
const BAD_TIMESTAMPS = ['2029-13-01T00:00:00.000Z', '2029-02-30T12:00:00.000Z'];

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointerOf(segments: string[]): string {
  return segments.map((segment) => `/${escapeSegment(segment)}`).join('');
}

function nameOf(segments: string[], suffix: string): string {
  const base = segments
    .join('-')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return base ? `${base}-${suffix}` : suffix;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads schema nodes through refs (the spec's one resolver). */
class Schemas {
  constructor(private readonly index: SchemaIndex) {}

  /** The node itself, or what its refs point at. */
  resolved(node: SchemaNode): SchemaNode {
    return node.kind === 'ref' ? this.resolved(this.index.target(node)) : node;
  }

  /** The schema of a present value: refs followed, a nullable's other side, a union of one non-null branch. */
  present(node: SchemaNode): SchemaNode {
    const resolved = this.resolved(node);
    if (resolved.kind === 'nullable' && !isUnionOfNullable(resolved)) return this.present(resolved.node);
    if (resolved.kind === 'union') {
      const rest = resolved.branches.filter((branch) => !isNull(branch));
      if (rest.length === 1) return this.present(rest[0]!);
    }
    return resolved;
  }

  objectOf(node: SchemaNode): ObjectNode | undefined {
    const present = this.present(node);
    return present.kind === 'object' ? present : undefined;
  }
}

const isNull = (node: SchemaNode) => node.kind === 'primitive' && node.type === 'null';

/** A nullable of three or more branches: null beside a union, which has no single other side. */
function isUnionOfNullable(node: Extract<SchemaNode, { kind: 'nullable' }>): boolean {
  return node.node.kind === 'union' && node.node.origin.pointer === node.origin.pointer;
}

/** Every value of the payload that a schema describes, parents before children, in key order. */
function sitesOf(schemas: Schemas, value: Json, node: SchemaNode, segments: string[] = []): Site[] {
  const sites: Site[] = [{ pointer: pointerOf(segments), segments, value, node }];
  const inner = schemas.present(node);
  if (isObject(value) && inner.kind === 'object') {
    const properties = new Map(inner.properties.map((property) => [property.name, property.node]));
    for (const [key, child] of Object.entries(value)) {
      const property = properties.get(key);
      if (property) sites.push(...sitesOf(schemas, child, property, [...segments, key]));
    }
  } else if (Array.isArray(value) && inner.kind === 'array' && inner.items) {
    // The first item stands for all of them: the same defect in item 1 says nothing new.
    if (value.length > 0) sites.push(...sitesOf(schemas, value[0]!, inner.items, [...segments, '0']));
  }
  return sites;
}

function setAt(
  root: JsonObject,
  segments: string[],
  replace: (parent: JsonObject | Json[], key: string) => void,
): JsonObject {
  const copy = structuredClone(root);
  let parent: Json = copy;
  for (const segment of segments.slice(0, -1)) parent = (parent as JsonObject)[segment]!;
  replace(parent as JsonObject, segments[segments.length - 1]!);
  return copy;
}

function replaced(root: JsonObject, segments: string[], value: Json): JsonObject {
  return setAt(root, segments, (parent, key) => {
    (parent as JsonObject)[key] = value;
  });
}

function removed(root: JsonObject, segments: string[]): JsonObject {
  return setAt(root, segments, (parent, key) => {
    delete (parent as JsonObject)[key];
  });
}

const isId = (schemas: Schemas, node: SchemaNode) =>
  schemas.present(node).annotations.title === 'ChameleonId';
const isTimestamp = (schemas: Schemas, node: SchemaNode) => {
  const present = schemas.present(node);
  return present.kind === 'primitive' && present.format === 'date-time';
};
/** The values of an enum of strings (null aside), and whether it is open; undefined for any other node. */
const stringEnumOf = (schemas: Schemas, node: SchemaNode) => {
  const present = schemas.present(node);
  if (present.kind !== 'enum') return undefined;
  const values = present.values as Json[];
  return values.every((value) => typeof value === 'string' || value === null)
    ? { values, open: present.open, origin: `${present.origin.file}#${present.origin.pointer}` }
    : undefined;
};

/** The one plain JSON type a schema states (refs followed; none for a nullable or several types). */
function plainTypeOf(node: SchemaNode): string | undefined {
  switch (node.kind) {
    case 'primitive':
      return node.type;
    case 'const':
      return node.type;
    case 'object':
    case 'array':
      return node.typeWritten ? node.kind : undefined;
    default:
      return undefined;
  }
}

/** A value of the wrong JSON type for a schema with one plain type (undefined when there is none). */
function wrongTypeValue(type: string | undefined): { value: Json; said: string } | undefined {
  switch (type) {
    case 'string':
      return { value: 12345, said: 'a number instead of a string' };
    case 'integer':
    case 'number':
      return { value: '42', said: 'a string instead of a number' };
    case 'boolean':
      return { value: 'true', said: 'a string instead of a boolean' };
    case 'array':
      return { value: 'one', said: 'a string instead of an array' };
    case 'object':
      return { value: ['not', 'an', 'object'], said: 'an array instead of an object' };
    default:
      return undefined;
  }
}

function missingRequired(schemas: Schemas, example: JsonObject, sites: Site[]): InvalidPayload[] {
  return sites.flatMap((site) =>
    isObject(site.value)
      ? (schemas.objectOf(site.node)?.required ?? [])
          .filter((key) => key in (site.value as JsonObject))
          .map((key) => {
            const segments = [...site.segments, key];
            return {
              name: nameOf(segments, 'missing'),
              defect: `The required property ${pointerOf(segments)} is missing.`,
              payload: removed(example, segments),
              errorPath: pointerOf(segments),
            };
          })
      : [],
  );
}

function badIds(schemas: Schemas, example: JsonObject, sites: Site[]): InvalidPayload[] {
  return sites
    .filter((site) => typeof site.value === 'string' && isId(schemas, site.node))
    .map((site) => ({
      name: nameOf(site.segments, 'not-a-chameleon-id'),
      defect: `${site.pointer} is "${BAD_ID}", not a Chameleon ID (24 lowercase hex characters).`,
      payload: replaced(example, site.segments, BAD_ID),
      errorPath: site.pointer,
    }));
}

function badTimestamps(schemas: Schemas, example: JsonObject, sites: Site[]): InvalidPayload[] {
  return sites
    .filter((site) => typeof site.value === 'string' && isTimestamp(schemas, site.node))
    .map((site, index) => {
      const bad = BAD_TIMESTAMPS[index % BAD_TIMESTAMPS.length]!;
      return {
        name: nameOf(site.segments, 'not-a-date-time'),
        defect: `${site.pointer} is "${bad}", which is not a day of the calendar.`,
        payload: replaced(example, site.segments, bad),
        errorPath: site.pointer,
        brokenFormat: { format: 'date-time', value: bad },
      };
    });
}

/** One wrong type per object of the payload: its first property with a single plain type. */
function wrongTypes(schemas: Schemas, example: JsonObject, sites: Site[]): InvalidPayload[] {
  const seenParents = new Set<string>();
  const found: InvalidPayload[] = [];
  for (const site of sites) {
    const node = schemas.resolved(site.node);
    const isEnum =
      node.kind === 'enum' || (node.kind === 'nullable' && node.form === 'type' && node.node.kind === 'enum');
    if (site.segments.length === 0 || isId(schemas, node) || isTimestamp(schemas, node) || isEnum) continue;
    const parent = pointerOf(site.segments.slice(0, -1));
    const wrong = wrongTypeValue(plainTypeOf(node));
    if (!wrong || seenParents.has(parent)) continue;
    seenParents.add(parent);
    found.push({
      name: nameOf(site.segments, 'wrong-type'),
      defect: `${site.pointer} is ${wrong.said}.`,
      payload: replaced(example, site.segments, wrong.value),
      errorPath: site.pointer,
    });
  }
  return found;
}

interface EnumSite {
  segments: string[];
  values: Json[];
  open: boolean;
  /** Where the spec declares the enum: one declaration has many sites (Step.preset in `step` and `steps`). */
  origin: string;
}

/**
 * Sites where an enum of strings lives: properties of present objects (present or not) and
 * present array items, such as a Button's `additional_actions`.
 */
function enumSites(schemas: Schemas, sites: Site[]): EnumSite[] {
  const found: EnumSite[] = [];
  for (const site of sites) {
    if (isObject(site.value)) {
      for (const { name, node } of schemas.objectOf(site.node)?.properties ?? []) {
        const held = stringEnumOf(schemas, node);
        if (held) found.push({ segments: [...site.segments, name], ...held });
      }
    } else if (site.segments.at(-1) === '0') {
      const item = stringEnumOf(schemas, site.node);
      if (item) found.push({ segments: site.segments, ...item });
    }
  }
  return found;
}

const listed = (values: Json[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** A value outside a closed enum that no mode accepts: a number where the enum holds strings. */
function wrongEnumValues(schemas: Schemas, example: JsonObject, sites: Site[]): InvalidPayload[] {
  return enumSites(schemas, sites)
    .filter(({ open, segments }) => !open && segments.at(-1) !== '0')
    .map(({ segments, values }) => ({
      name: nameOf(segments, 'not-in-enum'),
      defect: `${pointerOf(segments)} is 7, which is not one of ${listed(values)}.`,
      payload: replaced(example, segments, 7),
      errorPath: pointerOf(segments),
    }));
}

function wrongKind(example: JsonObject): InvalidPayload[] {
  return [
    {
      name: 'kind-not-a-string',
      defect: '/kind is the number 42, so the topic cannot be known.',
      payload: { ...example, kind: 42 },
      errorPath: '/kind',
    },
    {
      name: 'kind-empty',
      defect: '/kind is the empty string.',
      payload: { ...example, kind: '' },
      errorPath: '/kind',
    },
  ];
}

function exampleOf(topic: Topic): JsonObject {
  const example = topic.examples[0];
  if (!example) throw new Error(`spec/${topic.path}: needs an example to derive invalid payloads from`);
  return example.payload as JsonObject;
}

/** Invalid payloads for `topic`: each its first example with exactly one defect, rejected in every mode. */
export function invalidPayloadsFor(topic: Topic, index: SchemaIndex): InvalidPayload[] {
  const schemas = new Schemas(index);
  const example = exampleOf(topic);
  const sites = sitesOf(schemas, example, topic.root);
  const all = [
    ...wrongKind(example),
    ...missingRequired(schemas, example, sites),
    ...wrongTypes(schemas, example, sites),
    ...badIds(schemas, example, sites),
    ...badTimestamps(schemas, example, sites),
    ...wrongEnumValues(schemas, example, sites),
  ];
  const names = new Set<string>();
  return all.filter((entry) => !names.has(entry.name) && names.add(entry.name));
}

/** Every object in `value` with this `id` and `key`: the copies of one model (a Step and its entry in `steps`). */
function copiesOf(value: Json, id: Json, key: string): JsonObject[] {
  if (Array.isArray(value)) return value.flatMap((item) => copiesOf(item, id, key));
  if (!isObject(value)) return [];
  const nested = Object.values(value).flatMap((item) => copiesOf(item, id, key));
  return value.id === id && key in value ? [value, ...nested] : nested;
}

/**
 * `root` with `value` at `segments` and in every copy of the model holding it, so that a valid
 * payload still says one thing about one Step (a defect, in contrast, stays in one place).
 */
function withCopies(root: JsonObject, segments: string[], value: Json): JsonObject {
  const copy = replaced(root, segments, value);
  let parent: Json = copy;
  for (const segment of segments.slice(0, -1)) parent = (parent as JsonObject)[segment]!;
  const key = segments[segments.length - 1]!;
  const id = isObject(parent) ? parent.id : undefined;
  if (id !== undefined && id !== '') for (const model of copiesOf(copy, id, key)) model[key] = value;
  return copy;
}

/** The string no enum of the spec holds: a value Chameleon could add after this version. */
export const UNKNOWN_ENUM_VALUE = 'not-a-known-value';

/** An unknown string in an enum, closed or open. */
export interface UnknownEnumPayload extends InvalidPayload {
  /** Open (`x-open-enum`): every mode accepts it. Closed: strict mode rejects it, tolerant mode warns. */
  open: boolean;
}

/**
 * Payloads with a string this version does not know in each enum of `topic`, one per
 * enum site of its first example and then of each of `bases` (a site a base repeats is
 * skipped): a full payload reaches the enums of models the example leaves out. With
 * `onePerEnum`, only the first site of each enum the spec declares.
 */
export function unknownEnumPayloadsFor(
  topic: Topic,
  index: SchemaIndex,
  bases: Array<Record<string, unknown>> = [],
  { onePerEnum = false } = {},
): UnknownEnumPayload[] {
  const schemas = new Schemas(index);
  const seen = new Set<string>();
  const isNew = (key: string) => !seen.has(key) && seen.add(key);
  return [exampleOf(topic), ...(bases as JsonObject[])].flatMap((base) =>
    enumSites(schemas, sitesOf(schemas, base, topic.root))
      .filter(({ segments, origin }) => isNew(onePerEnum ? origin : pointerOf(segments)))
      .map(({ segments, values, open }) => ({
        name: nameOf(segments, 'unknown-enum-value'),
        defect: `${pointerOf(segments)} is "${UNKNOWN_ENUM_VALUE}", which is not one of ${listed(values)}${open ? ': the enum is open, so every mode accepts it' : ''}.`,
        payload: open
          ? withCopies(base, segments, UNKNOWN_ENUM_VALUE)
          : replaced(base, segments, UNKNOWN_ENUM_VALUE),
        errorPath: pointerOf(segments),
        open,
      })),
  );
}

/**
 * Payloads with a string this version does not know in a closed enum: strict
 * mode rejects them at `errorPath`; tolerant mode accepts them with an
 * `unknown-enum-value` warning at the same path.
 */
export function strictOnlyPayloadsFor(topic: Topic, index: SchemaIndex): InvalidPayload[] {
  return unknownEnumPayloadsFor(topic, index)
    .filter(({ open }) => !open)
    .map(({ open: _open, ...payload }) => payload);
}

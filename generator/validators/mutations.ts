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
import type { JsonSchema } from '../spec/load.js';
import type { Topic } from '../model.js';

export interface InvalidPayload {
  /** File-name-safe, unique within the topic: `data-tour-id-not-a-chameleon-id`. */
  name: string;
  /** One sentence saying what is wrong. */
  defect: string;
  payload: Record<string, unknown>;
  /** JSON Pointer of the one error a validator must report. */
  errorPath: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** A present value of the example, with the schema that governs it. */
interface Site {
  pointer: string;
  segments: string[];
  value: Json;
  schema: JsonSchema;
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

/** `anyOf: [X, {type: null}]` (a nullable value): the schema of the non-null branch. */
function withoutNull(schema: JsonSchema): JsonSchema {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!Array.isArray(branches)) return schema;
  const rest = branches.filter((branch) => branch.type !== 'null');
  return rest.length === 1 ? withoutNull(rest[0]!) : schema;
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (withoutNull(schema).properties ?? {}) as Record<string, JsonSchema>;
}

function requiredOf(schema: JsonSchema): string[] {
  return (withoutNull(schema).required ?? []) as string[];
}

/** Every value of the payload that a schema describes, parents before children, in key order. */
function sitesOf(value: Json, schema: JsonSchema, segments: string[] = []): Site[] {
  const sites: Site[] = [{ pointer: pointerOf(segments), segments, value, schema }];
  const inner = withoutNull(schema);
  if (isObject(value)) {
    const properties = propertiesOf(inner);
    for (const [key, child] of Object.entries(value)) {
      if (properties[key]) sites.push(...sitesOf(child, properties[key], [...segments, key]));
    }
  } else if (Array.isArray(value) && inner.items && !Array.isArray(inner.items)) {
    // The first item stands for all of them: the same defect in item 1 says nothing new.
    if (value.length > 0) sites.push(...sitesOf(value[0]!, inner.items as JsonSchema, [...segments, '0']));
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

const isId = (schema: JsonSchema) => withoutNull(schema).title === 'ChameleonId';
const isTimestamp = (schema: JsonSchema) => withoutNull(schema).format === 'date-time';
const isNullable = (schema: JsonSchema) =>
  schema.type === 'null' ||
  (Array.isArray(schema.type) && schema.type.includes('null')) ||
  (Array.isArray(schema.anyOf) && (schema.anyOf as JsonSchema[]).some((branch) => branch.type === 'null')) ||
  (Array.isArray(schema.enum) && schema.enum.includes(null));
const closedEnumOf = (schema: JsonSchema) =>
  Array.isArray(schema.enum) && schema['x-open-enum'] !== true ? (schema.enum as Json[]) : undefined;

/** A value of the wrong JSON type for a schema with one plain type (undefined when there is none). */
function wrongTypeValue(schema: JsonSchema): { value: Json; said: string } | undefined {
  switch (schema.type) {
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

function missingRequired(example: JsonObject, sites: Site[]): InvalidPayload[] {
  return sites.flatMap((site) =>
    isObject(site.value)
      ? requiredOf(site.schema)
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

function badIds(example: JsonObject, sites: Site[]): InvalidPayload[] {
  return sites
    .filter((site) => typeof site.value === 'string' && isId(site.schema))
    .map((site) => ({
      name: nameOf(site.segments, 'not-a-chameleon-id'),
      defect: `${site.pointer} is "${BAD_ID}", not a Chameleon ID (24 lowercase hex characters).`,
      payload: replaced(example, site.segments, BAD_ID),
      errorPath: site.pointer,
    }));
}

function badTimestamps(example: JsonObject, sites: Site[]): InvalidPayload[] {
  return sites
    .filter((site) => typeof site.value === 'string' && isTimestamp(site.schema))
    .map((site, index) => {
      const bad = BAD_TIMESTAMPS[index % BAD_TIMESTAMPS.length]!;
      return {
        name: nameOf(site.segments, 'not-a-date-time'),
        defect: `${site.pointer} is "${bad}", which is not a day of the calendar.`,
        payload: replaced(example, site.segments, bad),
        errorPath: site.pointer,
      };
    });
}

/** One wrong type per object of the payload: its first property with a single plain type. */
function wrongTypes(example: JsonObject, sites: Site[]): InvalidPayload[] {
  const seenParents = new Set<string>();
  const found: InvalidPayload[] = [];
  for (const site of sites) {
    if (site.segments.length === 0 || isId(site.schema) || isTimestamp(site.schema) || site.schema.enum)
      continue;
    const parent = pointerOf(site.segments.slice(0, -1));
    const wrong = wrongTypeValue(site.schema);
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

/** Sites where a closed enum lives: present values, or optional properties of present objects. */
function enumSites(sites: Site[]): Array<{ segments: string[]; values: Json[] }> {
  const found: Array<{ segments: string[]; values: Json[] }> = [];
  for (const site of sites) {
    if (!isObject(site.value)) continue;
    for (const [key, schema] of Object.entries(propertiesOf(site.schema))) {
      const values = closedEnumOf(withoutNull(schema));
      if (values) found.push({ segments: [...site.segments, key], values });
    }
  }
  return found;
}

/** A value outside a closed enum that no mode accepts: a number where the enum holds strings. */
function wrongEnumValues(example: JsonObject, sites: Site[]): InvalidPayload[] {
  return enumSites(sites)
    .filter(({ values }) => values.every((value) => typeof value === 'string' || value === null))
    .map(({ segments, values }) => ({
      name: nameOf(segments, 'not-in-enum'),
      defect: `${pointerOf(segments)} is 7, which is not one of ${values.map((v) => JSON.stringify(v)).join(', ')}.`,
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
export function invalidPayloadsFor(topic: Topic): InvalidPayload[] {
  const example = exampleOf(topic);
  const sites = sitesOf(example, topic.dereferenced);
  const all = [
    ...wrongKind(example),
    ...missingRequired(example, sites),
    ...wrongTypes(example, sites),
    ...badIds(example, sites),
    ...badTimestamps(example, sites),
    ...wrongEnumValues(example, sites),
  ];
  const names = new Set<string>();
  return all.filter((entry) => !names.has(entry.name) && names.add(entry.name));
}

/**
 * Payloads with a string this version does not know in a closed enum: strict
 * mode rejects them at `errorPath`; tolerant mode accepts them with an
 * `unknown-enum-value` warning at the same path.
 */
export function strictOnlyPayloadsFor(topic: Topic): InvalidPayload[] {
  const example = exampleOf(topic);
  return enumSites(sitesOf(example, topic.dereferenced)).map(({ segments, values }) => ({
    name: nameOf(segments, 'unknown-enum-value'),
    defect: `${pointerOf(segments)} is "not-a-known-value", which is not one of ${values.map((v) => JSON.stringify(v)).join(', ')}.`,
    payload: replaced(example, segments, 'not-a-known-value'),
    errorPath: pointerOf(segments),
  }));
}

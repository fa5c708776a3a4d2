/**
 * The one way back from nodes to JSON Schema, for the libraries that speak it
 * (Ajv in the lint and the oracle, json-schema-to-typescript for the types, the
 * bundled schemas of the fixtures package). What the builder read, this writes:
 * `toJsonSchema(buildSchema(x).node)` accepts exactly what `x` accepts.
 */
import type { Annotations, DocumentNode, ObjectNode, RefNode, SchemaNode } from './nodes.js';

export type JsonSchema = Record<string, unknown>;

export interface SerializeOptions {
  /** The JSON for a reference (default `{ $ref: node.ref }`); annotations are added around it. */
  ref?: (node: RefNode) => JsonSchema;
  /** Called on every node's JSON after it is written: may return a replacement. */
  after?: (node: SchemaNode, json: JsonSchema) => JsonSchema;
  /** Leave annotations out (`title`, `description`, `examples`, `default`, `$comment`, `x-errata`, `x-learned`). */
  withoutAnnotations?: boolean;
  /**
   * Written for any draft-07 validator, with no knowledge of our keywords or of `format` (the
   * fixtures package): an open enum becomes `anyOf: [{ enum }, { type }]` with `x-open-enum`, so
   * unknown values pass while the known ones stay listed; a `date-time` also gets a `pattern` for
   * its shape (month 01–12, day 01–31), so validators that do not assert formats still check it.
   */
  portable?: boolean;
}

/**
 * RFC 3339 as the runtime's date-time check reads it (T, t or a space; Z, z, ±hh, ±hhmm or ±hh:mm),
 * with the month and the day of the month in range. A superset of what that check accepts (the day of
 * the month and the clock are left to `format`), so it never rejects a valid timestamp.
 */
export const DATE_TIME_PATTERN =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt\\s]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}(:?\\d{2})?)$';

function head(annotations: Annotations, options: SerializeOptions): JsonSchema {
  if (options.withoutAnnotations) return {};
  return {
    ...(annotations.title !== undefined ? { title: annotations.title } : {}),
    ...(annotations.description !== undefined ? { description: annotations.description } : {}),
    ...(annotations.comment !== undefined ? { $comment: annotations.comment } : {}),
  };
}

function tail(annotations: Annotations, options: SerializeOptions): JsonSchema {
  if (options.withoutAnnotations) return {};
  return {
    ...(annotations.examples !== undefined ? { examples: annotations.examples } : {}),
    ...(annotations.default !== undefined ? { default: annotations.default } : {}),
    ...(annotations.errata !== undefined ? { 'x-errata': annotations.errata } : {}),
    ...(annotations.learned !== undefined ? { 'x-learned': annotations.learned } : {}),
  };
}

function defined(json: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

function rules(node: object): JsonSchema {
  const keys = [
    'format',
    'pattern',
    'minLength',
    'maxLength',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'multipleOf',
  ];
  const record = node as Record<string, unknown>;
  return defined(Object.fromEntries(keys.map((key) => [key, record[key]])));
}

function objectBody(node: ObjectNode, options: SerializeOptions): JsonSchema {
  const additional =
    node.additional === 'closed'
      ? false
      : node.additional === 'open'
        ? node.additionalWritten || undefined
        : toJsonSchema(node.additional, options);
  return defined({
    type: node.typeWritten ? 'object' : undefined,
    required: node.required.length ? node.required : undefined,
    properties: node.properties.length
      ? Object.fromEntries(node.properties.map((p) => [p.name, toJsonSchema(p.node, options)]))
      : undefined,
    additionalProperties: additional,
    minProperties: node.minProperties,
    maxProperties: node.maxProperties,
    anyOf: node.requiredAlternatives.length
      ? node.requiredAlternatives.map((keys) => ({
          required: keys,
          properties: Object.fromEntries(keys.map((key) => [key, {}])),
        }))
      : undefined,
  });
}

/** The structural keywords of a node (no annotations). */
function body(node: SchemaNode, options: SerializeOptions): JsonSchema {
  switch (node.kind) {
    case 'object':
      return objectBody(node, options);
    case 'array':
      return defined({
        type: node.typeWritten ? 'array' : undefined,
        items: node.items && toJsonSchema(node.items, options),
        minItems: node.minItems,
        maxItems: node.maxItems,
        uniqueItems: node.uniqueItems,
      });
    case 'union':
      return { [node.combinator]: node.branches.map((branch) => toJsonSchema(branch, options)) };
    case 'allOf':
      return { allOf: node.branches.map((branch) => toJsonSchema(branch, options)) };
    case 'not':
      return { not: toJsonSchema(node.node, options) };
    case 'enum':
      return node.open && options.portable ? portableOpenEnum(node) : enumBody(node);
    case 'const':
      return defined({ type: node.type, const: node.value });
    case 'ref':
      return options.ref ? options.ref(node) : { $ref: node.ref };
    case 'primitive':
      return options.portable && node.format === 'date-time' && node.pattern === undefined
        ? { type: node.type, ...rules(node), pattern: DATE_TIME_PATTERN }
        : { type: node.type, ...rules(node) };
    case 'multiType':
      return { type: node.types, ...rules(node) };
    case 'any':
      return {};
    case 'nullable':
      return nullableBody(node, options);
  }
}

type EnumNode = Extract<SchemaNode, { kind: 'enum' }>;

function enumBody(node: EnumNode): JsonSchema {
  return defined({ type: node.type, enum: node.values, 'x-open-enum': node.open || undefined });
}

/** The known values, or any value of their types (`null` kept only where it is listed). */
function portableOpenEnum(node: EnumNode): JsonSchema {
  const types = [...new Set(node.values.map((value) => (value === null ? 'null' : typeof value)))].sort();
  return {
    anyOf: [{ enum: node.values }, { type: types.length === 1 ? types[0] : types }],
    'x-open-enum': true,
  };
}

function nullableBody(
  node: Extract<SchemaNode, { kind: 'nullable' }>,
  options: SerializeOptions,
): JsonSchema {
  if (node.form === 'type') {
    const inner = toJsonSchema(node.node, options);
    // A portable open enum lists its types itself (null among them when a value is null), as the validators read it.
    if (options.portable && node.node.kind === 'enum' && node.node.open) return inner;
    const types = ([] as unknown[]).concat(inner.type ?? []);
    return { ...inner, type: [...types, 'null'] };
  }
  const [combinator, , position] = node.form.split('-') as ['anyOf' | 'oneOf', 'null', string];
  const inner = node.node;
  const branches =
    inner.kind === 'union' && inner.origin.pointer === node.origin.pointer
      ? inner.branches.map((branch) => toJsonSchema(branch, options))
      : [toJsonSchema(inner, options)];
  const nullBranch = { type: 'null' };
  return { [combinator]: position === 'first' ? [nullBranch, ...branches] : [...branches, nullBranch] };
}

/** The JSON Schema of one node (refs as written unless `options.ref` says otherwise). */
export function toJsonSchema(node: SchemaNode, options: SerializeOptions = {}): JsonSchema {
  const json = {
    ...head(node.annotations, options),
    ...body(node, options),
    ...tail(node.annotations, options),
  };
  return options.after ? options.after(node, json) : json;
}

/** A whole document: `$schema`, `$id`, the root and its `definitions`. */
export function documentToJsonSchema(doc: DocumentNode, options: SerializeOptions = {}): JsonSchema {
  const root = toJsonSchema(doc.root, options);
  const { examples, 'x-errata': errata, ...rest } = root;
  return defined({
    $schema: doc.dialect,
    $id: doc.id,
    ...rest,
    definitions: doc.definitions.length
      ? Object.fromEntries(doc.definitions.map((def) => [def.key, toJsonSchema(def.node, options)]))
      : undefined,
    examples,
    'x-errata': errata,
  });
}

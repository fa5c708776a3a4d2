/**
 * The typed schema model: what the generator understands of a JSON Schema,
 * after `$ref`s are resolved (one way, relative to the document's `$id`) and
 * nullability is decided (one rule). Every emitter, the lint and spec-diff read
 * these nodes; only the builder (build.ts) and the serializer (serialize.ts)
 * know JSON Schema syntax.
 */

/** Where a node is written: a spec file (relative to spec/) and a JSON Pointer inside it (`''` = the root). */
export interface Origin {
  file: string;
  pointer: string;
}

/** Keywords that only document. None of them changes what a node accepts. */
export interface Annotations {
  title?: string;
  description?: string;
  examples?: unknown[];
  default?: unknown;
  /** `$comment`: for spec authors only. */
  comment?: string;
  /** `x-errata`: vendor mistakes this schema corrects. */
  errata?: string[];
  /** `x-learned`: the deliveries spec:learn inferred this schema from (generator/spec-learn). */
  learned?: LearnedEvidence;
}

/**
 * Evidence for a schema spec:learn proposed from captured deliveries, kept in the spec until a
 * person confirms it with the vendor (then the annotation is removed). Reference docs and the
 * CHANGELOG show it.
 */
export interface LearnedEvidence {
  /** What was learned: a new property, topic or model, a widened type, enum values, an opened enum. */
  change: 'property' | 'topic' | 'model' | 'type-widened' | 'enum-values' | 'enum-opened';
  /** Deliveries that carried it. */
  deliveries: number;
  /** Deliveries of the topic (or carrying the model) that were read. */
  of: number;
  /** When it was first and last seen (ISO 8601). */
  firstSeen: string;
  lastSeen: string;
  /** Where to see one: `capture.jsonl:12#/data/profile/plan` (file, line, JSON Pointer). */
  example: string;
  /** A format seen in every value that the validators do not assert (`email`, `uri`). */
  format?: string;
}

interface NodeBase {
  origin: Origin;
  annotations: Annotations;
}

export interface Property {
  name: string;
  required: boolean;
  node: SchemaNode;
}

export interface ObjectNode extends NodeBase {
  kind: 'object';
  /** In schema order. */
  properties: Property[];
  /** `required` as written, in its order (it may name keys that have no schema in `properties`). */
  required: string[];
  /**
   * Keys that are not properties: `open` (any value, the JSON Schema default), `closed`
   * (`additionalProperties: false`) or the schema each must match.
   */
  additional: 'open' | 'closed' | SchemaNode;
  /** `additionalProperties: true` written out (true) rather than left to the default (false). */
  additionalWritten: boolean;
  /** `anyOf: [{required: [..]}, ..]`: at least one of these key sets must be present. */
  requiredAlternatives: string[][];
  minProperties?: number;
  maxProperties?: number;
  /** `type: "object"` was written (an object may also be implied by `properties` alone). */
  typeWritten: boolean;
}

export interface ArrayNode extends NodeBase {
  kind: 'array';
  /** Undefined when `items` is absent: any item. */
  items?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /** `type: "array"` was written (an array may also be implied by `items` alone). */
  typeWritten: boolean;
}

/** `anyOf` or `oneOf` whose branches are not only a `null` next to one other schema (that is NullableNode). */
export interface UnionNode extends NodeBase {
  kind: 'union';
  combinator: 'anyOf' | 'oneOf';
  branches: SchemaNode[];
}

/** `allOf`: every branch applies. */
export interface AllOfNode extends NodeBase {
  kind: 'allOf';
  branches: SchemaNode[];
}

/** `not`: the value must not match `node`. */
export interface NotNode extends NodeBase {
  kind: 'not';
  node: SchemaNode;
}

export type PrimitiveType = 'string' | 'number' | 'integer' | 'boolean' | 'null';

/** `enum`, closed, or open (`x-open-enum: true`: the vendor may send values beyond the list). */
export interface EnumNode extends NodeBase {
  kind: 'enum';
  values: unknown[];
  open: boolean;
  /** The `type` written beside the enum, if any. */
  type?: PrimitiveType;
}

export interface ConstNode extends NodeBase {
  kind: 'const';
  value: unknown;
  /** The `type` written beside the const, if any. */
  type?: PrimitiveType;
}

/** A `$ref`, resolved: the document (and definition) it names, and the TypeScript name declared for it. */
export interface RefNode extends NodeBase {
  kind: 'ref';
  /** As written in the spec (relative to the document's `$id`). */
  ref: string;
  target: Origin;
  /** The target's TypeScript name: its `title`, or the last segment of its pointer. */
  typeName: string;
}

export interface StringRules {
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}

export interface NumberRules {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}

export interface PrimitiveNode extends NodeBase, StringRules, NumberRules {
  kind: 'primitive';
  type: PrimitiveType;
}

/** A schema with no constraint on the value (`{}`, or only annotations). */
export interface AnyNode extends NodeBase {
  kind: 'any';
}

/**
 * A value that may also be `null`. Written as `type: [T, "null"]` (`form: 'type'`) or as
 * `anyOf`/`oneOf` with a `{type: "null"}` branch before or after the other (`form: 'anyOf-last'`, ...).
 * `node` is the non-null schema; the nullable node carries the annotations written beside the union.
 */
export interface NullableNode extends NodeBase {
  kind: 'nullable';
  node: SchemaNode;
  form: 'type' | 'anyOf-null-last' | 'anyOf-null-first' | 'oneOf-null-last' | 'oneOf-null-first';
}

/** `type: [A, B]` without `null`: one of several primitive types, with the rules that apply to each. */
export interface MultiTypeNode extends NodeBase, StringRules, NumberRules {
  kind: 'multiType';
  types: PrimitiveType[];
}

export type SchemaNode =
  | ObjectNode
  | ArrayNode
  | UnionNode
  | AllOfNode
  | NotNode
  | EnumNode
  | ConstNode
  | RefNode
  | PrimitiveNode
  | MultiTypeNode
  | AnyNode
  | NullableNode;

/** A named schema under a document's `definitions`. */
export interface DefinitionNode {
  /** The key under `definitions`. */
  key: string;
  /** Its `title`, or the key. */
  typeName: string;
  node: SchemaNode;
}

/** One spec file, as nodes. */
export interface DocumentNode {
  /** Path relative to spec/. */
  path: string;
  /** `$id` as written (the builder requires SPEC_ID_BASE + path). */
  id: string;
  /** `$schema` as written. */
  dialect?: string;
  /** The document's `title`: its TypeScript name. */
  typeName: string;
  /** The root schema, with the document's annotations. */
  root: SchemaNode;
  definitions: DefinitionNode[];
}

/**
 * The schemas the validators are compiled from: the spec's schema nodes written
 * as JSON Schema so that ONE compiled set serves both modes.
 *
 * - Objects that declare `properties` are closed (`additionalProperties: false`),
 *   so an undocumented property shows up as an `additionalProperties` error that
 *   the runtime turns into an `unknown-property` warning. A payload without any
 *   undocumented property or value passes on the first call, which is the fast path.
 * - Objects with custom properties (`x-custom-properties`: profiles, companies)
 *   stay open: the customer's own keys are expected, never a warning.
 * - Closed enums stay enums: strict mode reports an unknown value as an error,
 *   tolerant mode turns it into an `unknown-enum-value` warning.
 * - Promised properties (`x-required-strict`, on an object or beside a `$ref`)
 *   become `requiredStrict`, a keyword of our own (the oracle teaches it to
 *   Ajv): strict mode reports a missing one as an error, tolerant mode ignores it.
 * - Open enums (`x-open-enum`: the vendor lists examples, not every value) become
 *   their values' types: no mode rejects or reports a value missing from the list.
 * - A nullable `anyOf: [X, {type: "null"}]` becomes X with `null` added to its
 *   type when X has one type (a `$ref` to a shared definition such as Timestamp
 *   is inlined first), because `format`, `pattern` and the like only apply to
 *   their own type: one check instead of two branches. Otherwise it becomes
 *   `if: {type: "null"}, else: X`, so the errors inside X reach the caller one by
 *   one (an `anyOf` would fold them into one failure, and an undocumented
 *   property inside X would fail the whole branch).
 * - Objects and enums inside any other combinator are left as written (open,
 *   enforced in both modes): warnings there could not be told from failures.
 * - Annotations (title, description, examples, errata) are left out: the runtime never needs them.
 *
 * The guards (guards.ts) check the very same rules, read from the same nodes.
 */
import type { DocumentNode, NullableNode, RefNode, SchemaNode } from '../schema/index.js';
import type { JsonSchema } from '../spec/load.js';

export interface CompileOptions {
  /** The JSON of a reference: `{ $ref }` as written (for Ajv), or by table name. */
  ref: (node: RefNode) => JsonSchema;
  /** A ref's target when it is a shared definition a nullable may merge with `null` (Timestamp, ChameleonId). */
  inline: (node: RefNode) => SchemaNode | undefined;
}

/** JSON types of an open enum's values, sorted: it takes any value of those types. */
export function typesOfValues(values: unknown[]): string[] {
  return [...new Set(values.map((value) => (value === null ? 'null' : typeof value)))].sort();
}

/** The same, as a `type` keyword. */
function typeOfValues(values: unknown[]): string | string[] {
  const types = typesOfValues(values);
  return types.length === 1 ? types[0]! : types;
}

/** Only the keys whose value is set, in the order given. */
function defined(json: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== undefined));
}

/** The keywords of a primitive's rules, in the order they are written out. */
const RULE_KEYWORDS = [
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
] as const;

function rulesOf(node: Extract<SchemaNode, { kind: 'primitive' | 'multiType' }>): JsonSchema {
  return defined(Object.fromEntries(RULE_KEYWORDS.map((keyword) => [keyword, node[keyword]])));
}

/** The schema of `node`; `inside` is true within a combinator, where objects stay open. */
function compile(node: SchemaNode, inside: boolean, options: CompileOptions): JsonSchema {
  const sub = (child: SchemaNode, insideChild = inside) => compile(child, insideChild, options);
  switch (node.kind) {
    case 'ref':
      return node.requiredStrict.length
        ? { ...options.ref(node), requiredStrict: node.requiredStrict }
        : options.ref(node);
    case 'primitive':
      return { type: node.type, ...rulesOf(node) };
    case 'multiType':
      return { type: node.types, ...rulesOf(node) };
    case 'enum':
      return node.open
        ? { type: typeOfValues(node.values) }
        : defined({ type: node.type, enum: node.values });
    case 'const':
      return defined({ type: node.type, const: node.value });
    case 'any':
      return {};
    case 'object': {
      const properties = node.properties.length
        ? Object.fromEntries(node.properties.map((property) => [property.name, sub(property.node)]))
        : undefined;
      const additional =
        node.additional === 'closed'
          ? false
          : typeof node.additional === 'object'
            ? sub(node.additional)
            : node.additionalWritten || (!inside && !node.customProperties && properties ? false : undefined);
      return defined({
        type: node.typeWritten ? 'object' : undefined,
        required: node.required.length ? node.required : undefined,
        requiredStrict: node.requiredStrict.length ? node.requiredStrict : undefined,
        properties,
        additionalProperties: additional,
        minProperties: node.minProperties,
        maxProperties: node.maxProperties,
        anyOf: node.requiredAlternatives.length
          ? node.requiredAlternatives.map((keys) => ({ required: keys }))
          : undefined,
      });
    }
    case 'array':
      return defined({
        type: node.typeWritten ? 'array' : undefined,
        items: node.items && sub(node.items),
        minItems: node.minItems,
        maxItems: node.maxItems,
        uniqueItems: node.uniqueItems,
      });
    case 'union':
      return { [node.combinator]: node.branches.map((branch) => sub(branch, true)) };
    case 'allOf':
      return { allOf: node.branches.map((branch) => sub(branch, true)) };
    case 'not':
      return { not: sub(node.node, true) };
    case 'nullable':
      return nullable(node, inside, options);
  }
}

/**
 * The one nullability rule of both validator paths, for a nullable node:
 * - `type`: written `type: [T, "null"]`; its other rules apply as written (an open enum's values decide);
 * - `union`: null beside two or more branches, or a oneOf: null stays a branch where it is written;
 * - `one-more-type`: the other side (a ref to a shared single check inlined) has one type: that type or null;
 * - `unless-null`: otherwise: null, or a value the other side accepts.
 */
export type NullableRule =
  | { rule: 'type'; inner: SchemaNode }
  | { rule: 'union'; combinator: 'anyOf' | 'oneOf'; branches: SchemaNode[] }
  | { rule: 'one-more-type'; target: SchemaNode }
  | { rule: 'unless-null'; inner: SchemaNode };

export function nullableRule(node: NullableNode, inline: CompileOptions['inline']): NullableRule {
  const inner = node.node;
  if (node.form === 'type') return { rule: 'type', inner };
  const [combinator, , position] = node.form.split('-') as ['anyOf' | 'oneOf', 'null', 'first' | 'last'];
  const sides =
    inner.kind === 'union' && inner.origin.pointer === node.origin.pointer ? inner.branches : [inner];
  if (sides.length > 1 || combinator === 'oneOf') {
    const nullBranch: SchemaNode = { kind: 'primitive', origin: node.origin, annotations: {}, type: 'null' };
    return {
      rule: 'union',
      combinator,
      branches: position === 'first' ? [nullBranch, ...sides] : [...sides, nullBranch],
    };
  }
  const target = inner.kind === 'ref' ? inline(inner) : inner;
  const oneType =
    target !== undefined &&
    ((target.kind === 'primitive' && target.type !== 'null') ||
      ((target.kind === 'object' || target.kind === 'array') && target.typeWritten));
  return oneType ? { rule: 'one-more-type', target } : { rule: 'unless-null', inner };
}

/** A nullable, compiled by the rule above. */
function nullable(node: NullableNode, inside: boolean, options: CompileOptions): JsonSchema {
  const decided = nullableRule(node, options.inline);
  switch (decided.rule) {
    case 'type': {
      const json = compile(decided.inner, inside, options);
      if (decided.inner.kind === 'enum' && decided.inner.open) return json;
      return { ...json, type: [...([] as unknown[]).concat(json.type ?? []), 'null'] };
    }
    case 'union':
      return { [decided.combinator]: decided.branches.map((branch) => compile(branch, true, options)) };
    case 'one-more-type': {
      const json = compile(decided.target, inside, options);
      return { ...json, type: [json.type, 'null'] };
    }
    case 'unless-null':
      // The non-null side is compiled as if it stood alone: it is no longer inside a combinator.
      return { if: { type: 'null' }, else: compile(decided.inner, inside, options) };
  }
}

/** A schema node as the validators compile it (see the module comment). */
export function compilableSchema(node: SchemaNode, options: CompileOptions): JsonSchema {
  return compile(node, false, options);
}

/** A whole document as Ajv compiles it: `$schema`, `$id`, the root and its definitions. */
export function compilableDocument(doc: DocumentNode, options: CompileOptions): JsonSchema {
  return defined({
    $schema: doc.dialect,
    $id: doc.id,
    ...compile(doc.root, false, options),
    definitions: doc.definitions.length
      ? Object.fromEntries(
          doc.definitions.map((definition) => [definition.key, compile(definition.node, false, options)]),
        )
      : undefined,
  });
}

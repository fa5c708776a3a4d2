/**
 * What a guard checks of one schema node, flattened as the compilable schema
 * states it (schemas.ts, whose nullability rule it shares): the JSON types
 * allowed, then the rules, in the order a guard tests them. Nodes and rules a
 * guard has no check for stop generation here, naming the file and pointer.
 */
import type {
  ArrayNode,
  NullableNode,
  NumberRules,
  ObjectNode,
  Origin,
  RefNode,
  SchemaNode,
  StringRules,
} from '../schema/index.js';
import { at } from './documents.js';
import { nullableRule, typesOfValues, type CompileOptions } from './schemas.js';

/**
 * What a guard checks of one node, flattened as the compilable schema states it
 * (schemas.ts): the JSON types allowed, then the rules, in the order a guard tests them.
 */
export interface Shape {
  origin: Origin;
  ref?: RefNode;
  types: string[];
  const?: { value: unknown };
  /** A closed enum's values. */
  enum?: unknown[];
  string: StringRules;
  number: NumberRules;
  object?: ObjectNode;
  array?: ArrayNode;
  anyOf?: SchemaNode[];
  /** A nullable whose other side cannot simply take `null` as one more type: checked unless the value is null. */
  unlessNull?: SchemaNode;
  /** Properties required in strict mode only (`x-required-strict` of an object, or beside a ref). */
  requiredStrict: string[];
}

/** Rules a guard has no check for, by node kind. */
function refuseUnchecked(node: SchemaNode): void {
  const unchecked: string[] = [];
  if (node.kind === 'primitive' || node.kind === 'multiType') {
    if (node.multipleOf !== undefined) unchecked.push('multipleOf');
    if (node.format !== undefined && node.format !== 'date-time') unchecked.push(`format ${node.format}`);
  }
  if (node.kind === 'array') {
    for (const rule of ['minItems', 'maxItems', 'uniqueItems'] as const)
      if (node[rule] !== undefined) unchecked.push(rule);
  }
  if (node.kind === 'object') {
    for (const rule of ['minProperties', 'maxProperties'] as const)
      if (node[rule] !== undefined) unchecked.push(rule);
    if (node.requiredAlternatives.length) unchecked.push('anyOf of required key sets');
    if (typeof node.additional === 'object') unchecked.push('a schema for additionalProperties');
  }
  if (node.kind === 'allOf' || node.kind === 'not') unchecked.push(node.kind);
  if (node.kind === 'union' && node.combinator === 'oneOf') unchecked.push('oneOf');
  if (unchecked.length)
    throw new Error(`guards: ${unchecked.join(', ')} at ${at(node.origin)} have no guard`);
}

/**
 * The shape of `node`. `inline` gives the target of a ref to a shared definition that
 * is a single check (Timestamp, ChameleonId), which a nullable merges with `null`.
 */
export function shapeOf(node: SchemaNode, inline: CompileOptions['inline']): Shape {
  refuseUnchecked(node);
  const shape: Shape = { origin: node.origin, types: [], string: {}, number: {}, requiredStrict: [] };
  switch (node.kind) {
    case 'ref':
      return { ...shape, ref: node, requiredStrict: node.requiredStrict };
    case 'primitive':
    case 'multiType': {
      const { format, pattern, minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum } =
        node;
      const types = node.kind === 'primitive' ? [node.type] : node.types;
      return {
        ...shape,
        types,
        string: { format, pattern, minLength, maxLength },
        number: { minimum, maximum, exclusiveMinimum, exclusiveMaximum },
      };
    }
    case 'enum':
      if (node.open) return { ...shape, types: typesOfValues(node.values) };
      return { ...shape, types: node.type ? [node.type] : [], enum: node.values };
    case 'const':
      return { ...shape, types: node.type ? [node.type] : [], const: { value: node.value } };
    case 'object':
      return {
        ...shape,
        types: node.typeWritten ? ['object'] : [],
        object: node,
        requiredStrict: node.requiredStrict,
      };
    case 'array':
      return { ...shape, types: node.typeWritten ? ['array'] : [], array: node };
    case 'union':
      return { ...shape, anyOf: node.branches };
    case 'nullable':
      return nullableShape(node, inline);
    default:
      return shape;
  }
}

function nullableShape(node: NullableNode, inline: CompileOptions['inline']): Shape {
  const decided = nullableRule(node, inline);
  const empty: Shape = { origin: node.origin, types: [], string: {}, number: {}, requiredStrict: [] };
  switch (decided.rule) {
    case 'type': {
      const shape = shapeOf(decided.inner, inline);
      const { inner } = decided;
      return inner.kind === 'enum' && inner.open ? shape : { ...shape, types: [...shape.types, 'null'] };
    }
    case 'union':
      if (decided.combinator === 'oneOf') throw new Error(`guards: oneOf at ${at(node.origin)} has no guard`);
      return { ...empty, anyOf: decided.branches };
    case 'one-more-type': {
      const shape = shapeOf(decided.target, inline);
      return { ...shape, origin: node.origin, types: [...shape.types, 'null'] };
    }
    case 'unless-null':
      return { ...empty, unlessNull: decided.inner };
  }
}

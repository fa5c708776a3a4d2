/** Questions every consumer asks of a node, answered once. */
import type { SchemaNode } from './nodes.js';

/** The nodes directly inside `node`, in schema order. */
export function childrenOf(node: SchemaNode): SchemaNode[] {
  switch (node.kind) {
    case 'object':
      return [
        ...node.properties.map((property) => property.node),
        ...(typeof node.additional === 'object' ? [node.additional] : []),
      ];
    case 'array':
      return node.items ? [node.items] : [];
    case 'union':
    case 'allOf':
      return node.branches;
    case 'not':
    case 'nullable':
      return [node.node];
    default:
      return [];
  }
}

/** Calls `visit` on `node` and every node inside it (not across refs), depth first, in schema order. */
export function walkNodes(node: SchemaNode, visit: (node: SchemaNode) => void): void {
  visit(node);
  for (const child of childrenOf(node)) walkNodes(child, visit);
}

/**
 * Whether `null` is a valid value, without following refs: a NullableNode, `type: "null"`,
 * an enum or const that lists null, or a union with such a branch.
 */
export function acceptsNull(node: SchemaNode): boolean {
  switch (node.kind) {
    case 'nullable':
    case 'any':
      return true;
    case 'primitive':
      return node.type === 'null';
    case 'enum':
      return node.values.includes(null);
    case 'const':
      return node.value === null;
    case 'union':
      return node.branches.some(acceptsNull);
    default:
      return false;
  }
}

/** The non-null schema of a nullable node (the node itself otherwise). */
export function withoutNull(node: SchemaNode): SchemaNode {
  return node.kind === 'nullable' ? node.node : node;
}

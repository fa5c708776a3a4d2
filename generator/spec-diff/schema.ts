/**
 * Compares two versions of one schema document, node by node, as written (refs
 * intact): a change inside `Profile` is reported once, on Profile, not on every
 * topic that carries a profile. It reads the typed nodes (generator/schema), so
 * refs and nullability mean here what they mean to every emitter.
 */
import {
  toJsonSchema,
  withoutNull,
  type Annotations,
  type DocumentNode,
  type RefNode,
  type SchemaNode,
} from '../schema/index.js';
import { type ChangeList, show } from './change.js';

/** Keywords that only document: any change is a patch. In JSON Schema's order of listing. */
const DOC_KEYWORDS: Array<[keyword: string, field: keyof Annotations | 'id' | 'dialect']> = [
  ['description', 'description'],
  ['examples', 'examples'],
  ['x-errata', 'errata'],
  ['x-learned', 'learned'],
  ['$comment', 'comment'],
  ['default', 'default'],
  ['$id', 'id'],
  ['$schema', 'dialect'],
];
/** Lower bounds tighten when they grow; upper bounds when they shrink. Node fields carry the keyword's name. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Keywords compared as values only: any change is flagged breaking, so a person looks at it. */
const UNCLASSIFIED = ['multipleOf', 'uniqueItems'];

/** A node seen by the comparer: nullability pulled out, annotations from around and inside it. */
export interface View {
  node: SchemaNode;
  annotations: Annotations;
  nullable: boolean;
  /** Non-null types as written; undefined when the node does not constrain the type. */
  types: Set<string> | undefined;
  /** Non-null branches of anyOf/oneOf, when more than one remains. */
  branches: SchemaNode[];
}

const isNull = (node: SchemaNode) => node.kind === 'primitive' && node.type === 'null';

/** The `type` keyword as written, null included. */
function declaredTypes(node: SchemaNode): string[] | undefined {
  switch (node.kind) {
    case 'primitive':
      return [node.type];
    case 'multiType':
      return node.types;
    case 'object':
      return node.typeWritten ? ['object'] : undefined;
    case 'array':
      return node.typeWritten ? ['array'] : undefined;
    case 'enum':
    case 'const':
      return node.type ? [node.type] : undefined;
    default:
      return undefined;
  }
}

export function view(outer: SchemaNode): View {
  let node = withoutNull(outer);
  let nullable = outer.kind === 'nullable';
  let branches: SchemaNode[] = [];
  if (node.kind === 'union') {
    nullable ||= node.branches.some(isNull);
    branches = node.branches.filter((branch) => !isNull(branch));
    if (branches.length === 1) [node] = branches as [SchemaNode];
    if (branches.length <= 1) branches = [];
  }
  const declared = declaredTypes(node);
  if (declared?.includes('null')) nullable = true;
  if (node.kind === 'enum' && node.values.includes(null)) nullable = true;
  const types = declared ? new Set(declared.filter((type) => type !== 'null')) : undefined;
  return { node, annotations: { ...node.annotations, ...outer.annotations }, nullable, types, branches };
}

/** A keyword's value on a node (rule and bound fields are named after their keywords). */
function field(node: SchemaNode, key: string): unknown {
  return (node as unknown as Record<string, unknown>)[key];
}

/** `number` accepts every `integer`. */
function accepts(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

/** Where a ref points: `file`, or `file#pointer`. */
function targetOf(ref: RefNode): string {
  return ref.target.pointer ? `${ref.target.file}#${ref.target.pointer}` : ref.target.file;
}

export class SchemaComparer {
  constructor(private readonly list: ChangeList) {}

  /** Two versions of a document: its root, then its definitions. */
  compareDocuments(where: string, before: DocumentNode, after: DocumentNode): void {
    this.compare(where, before.root, after.root, { before, after });
  }

  compare(
    where: string,
    before: SchemaNode,
    after: SchemaNode,
    documents?: { before: DocumentNode; after: DocumentNode },
  ): void {
    const a = view(before);
    const b = view(after);
    this.documentation(where, a, b, documents);
    this.title(where, a.annotations, b.annotations);
    this.nullability(where, a, b);
    if (this.reference(where, a.node, b.node)) return;
    this.types(where, a, b);
    this.constAndEnum(where, a.node, b.node);
    this.stringRules(where, a.node, b.node);
    this.bounds(where, a.node, b.node);
    this.objects(where, a.node, b.node);
    this.items(where, a.node, b.node);
    this.branches(where, a.branches, b.branches);
    if (documents) this.definitions(where, documents.before, documents.after);
    this.otherKeywords(where, a.node, b.node);
  }

  private documentation(
    where: string,
    a: View,
    b: View,
    documents?: { before: DocumentNode; after: DocumentNode },
  ): void {
    for (const [keyword, name] of DOC_KEYWORDS) {
      const read = (view: View, doc?: DocumentNode) =>
        name === 'id' || name === 'dialect' ? doc?.[name] : view.annotations[name];
      const before = read(a, documents?.before);
      const after = read(b, documents?.after);
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      if (keyword === 'description') this.list.patch(where, `description changed: ${show(after)}`);
      else this.list.patch(where, `${keyword} changed`);
    }
  }

  private title(where: string, a: Annotations, b: Annotations): void {
    if (a.title === b.title) return;
    if (a.title !== undefined && b.title !== undefined) {
      this.list.breaking(
        where,
        `type name changed from ${a.title} to ${b.title} (imports of the old name stop compiling)`,
      );
    } else {
      this.list.patch(
        where,
        `title ${b.title === undefined ? 'removed' : 'added'}: ${show(b.title ?? a.title)}`,
      );
    }
  }

  private nullability(where: string, a: View, b: View): void {
    if (a.nullable === b.nullable) return;
    if (b.nullable) this.list.breaking(where, 'may now be null (handlers that read it must handle null)');
    else this.list.breaking(where, 'no longer accepts null (validators reject what they accepted)');
  }

  /** True when either side is a `$ref` (its target is compared as its own document). */
  private reference(where: string, a: SchemaNode, b: SchemaNode): boolean {
    const refA = a.kind === 'ref' ? targetOf(a) : undefined;
    const refB = b.kind === 'ref' ? targetOf(b) : undefined;
    if (refA === undefined && refB === undefined) return false;
    if (refA !== refB)
      this.list.breaking(
        where,
        `type changed from ${refA ?? 'an inline schema'} to ${refB ?? 'an inline schema'}`,
      );
    return true;
  }

  private types(where: string, a: View, b: View): void {
    if (!a.types && !b.types) return;
    if (!a.types) {
      this.list.breaking(where, `type narrowed from any to ${[...b.types!].join(' | ')}`);
      return;
    }
    if (!b.types) {
      this.list.additive(where, `type widened from ${[...a.types].join(' | ')} to any`);
      return;
    }
    const lost = [...a.types].filter((type) => !accepts(b.types!, type));
    const gained = [...b.types].filter((type) => !accepts(a.types!, type));
    if (lost.length) this.list.breaking(where, `type narrowed: no longer ${lost.join(' | ')}`);
    if (gained.length) this.list.additive(where, `type widened: now also ${gained.join(' | ')}`);
  }

  private constAndEnum(where: string, a: SchemaNode, b: SchemaNode): void {
    const constA = a.kind === 'const' ? a.value : undefined;
    const constB = b.kind === 'const' ? b.value : undefined;
    if (JSON.stringify(constA) !== JSON.stringify(constB)) {
      this.list.breaking(where, `const changed from ${show(constA)} to ${show(constB)}`);
    }
    const before = a.kind === 'enum' ? a.values.filter((value) => value !== null) : undefined;
    const after = b.kind === 'enum' ? b.values.filter((value) => value !== null) : undefined;
    if (before && after) {
      const removed = before.filter(
        (value) => !after.some((other) => JSON.stringify(other) === JSON.stringify(value)),
      );
      const added = after.filter(
        (value) => !before.some((other) => JSON.stringify(other) === JSON.stringify(value)),
      );
      if (removed.length)
        this.list.breaking(where, `enum narrowed: removed ${removed.map((v) => show(v)).join(', ')}`);
      if (added.length)
        this.list.additive(where, `enum widened: added ${added.map((v) => show(v)).join(', ')}`);
    } else if (after) {
      this.list.breaking(where, `enum added: only ${after.map((v) => show(v)).join(', ')}`);
    } else if (before) {
      this.list.additive(where, 'enum removed: any value of the type is accepted');
    }
    const openA = a.kind === 'enum' && a.open;
    const openB = b.kind === 'enum' && b.open;
    if (openA && !openB)
      this.list.breaking(where, 'enum closed: values outside the list are no longer expected');
    if (!openA && openB) this.list.additive(where, 'enum opened: Chameleon may send values outside the list');
  }

  private stringRules(where: string, a: SchemaNode, b: SchemaNode): void {
    for (const key of ['format', 'pattern']) {
      const before = field(a, key);
      const after = field(b, key);
      if (before === after) continue;
      if (after === undefined) this.list.additive(where, `${key} ${show(before)} removed (format widened)`);
      else if (before === undefined)
        this.list.breaking(where, `${key} ${show(after)} added (format narrowed)`);
      else this.list.breaking(where, `${key} changed from ${show(before)} to ${show(after)}`);
    }
  }

  private bounds(where: string, a: SchemaNode, b: SchemaNode): void {
    for (const key of [...LOWER_BOUNDS, ...UPPER_BOUNDS]) {
      const before = field(a, key) as number | undefined;
      const after = field(b, key) as number | undefined;
      if (before === after) continue;
      const lower = LOWER_BOUNDS.includes(key);
      const tighter =
        after !== undefined && (before === undefined || (lower ? after > before : after < before));
      const message = `${key} ${show(before)} → ${show(after)}`;
      if (tighter) this.list.breaking(where, `${message} (narrowed)`);
      else this.list.additive(where, `${message} (widened)`);
    }
  }

  private objects(where: string, a: SchemaNode, b: SchemaNode): void {
    const propsA = new Map(a.kind === 'object' ? a.properties.map((p) => [p.name, p]) : []);
    const propsB = b.kind === 'object' ? b.properties : [];
    const namesB = new Set(propsB.map((p) => p.name));
    const at = (key: string) => (where.endsWith('#') ? `${where}${key}` : `${where}.${key}`);
    for (const key of propsA.keys()) {
      if (!namesB.has(key)) this.list.breaking(at(key), 'property removed');
    }
    for (const property of propsB) {
      const before = propsA.get(property.name);
      if (!before) {
        if (property.required)
          this.list.breaking(
            at(property.name),
            'required property added (validators reject payloads without it)',
          );
        else this.list.additive(at(property.name), 'optional property added');
        continue;
      }
      if (before.required && !property.required)
        this.list.breaking(
          at(property.name),
          'made optional (handlers that read it must handle its absence)',
        );
      if (!before.required && property.required)
        this.list.breaking(at(property.name), 'made required (validators reject payloads without it)');
      this.compare(at(property.name), before.node, property.node);
    }
    const closedA = a.kind === 'object' && a.additional === 'closed';
    const closedB = b.kind === 'object' && b.additional === 'closed';
    if (!closedA && closedB) this.list.breaking(where, 'closed to additional properties');
    if (closedA && !closedB) this.list.additive(where, 'opened to additional properties');
    const extraA = a.kind === 'object' && typeof a.additional === 'object' ? a.additional : undefined;
    const extraB = b.kind === 'object' && typeof b.additional === 'object' ? b.additional : undefined;
    if (extraA && extraB) this.compare(at('*'), extraA, extraB);
    else if (extraA || extraB) this.list.breaking(at('*'), 'the schema of additional properties changed');
  }

  private items(where: string, a: SchemaNode, b: SchemaNode): void {
    const itemsA = a.kind === 'array' ? a.items : undefined;
    const itemsB = b.kind === 'array' ? b.items : undefined;
    if (itemsA && itemsB) this.compare(`${where}[]`, itemsA, itemsB);
    else if (itemsB) this.list.breaking(`${where}[]`, 'items constrained');
    else if (itemsA) this.list.additive(`${where}[]`, 'items no longer constrained');
  }

  private branches(where: string, a: SchemaNode[], b: SchemaNode[]): void {
    if (a.length === b.length) {
      for (const [index, branch] of a.entries()) this.compare(`${where}|${index}`, branch, b[index]!);
      return;
    }
    const key = (node: SchemaNode) => JSON.stringify(toJsonSchema(node));
    const removed = a.filter((branch) => !b.some((other) => key(other) === key(branch)));
    const added = b.filter((branch) => !a.some((other) => key(other) === key(branch)));
    for (const branch of removed)
      this.list.breaking(where, `alternative removed: ${show(toJsonSchema(branch))}`);
    for (const branch of added) this.list.additive(where, `alternative added: ${show(toJsonSchema(branch))}`);
  }

  private definitions(where: string, a: DocumentNode, b: DocumentNode): void {
    const defsA = new Map(a.definitions.map((def) => [def.key, def]));
    const keysB = new Set(b.definitions.map((def) => def.key));
    for (const key of defsA.keys())
      if (!keysB.has(key)) this.list.breaking(`${where}definitions.${key}`, 'definition removed');
    for (const definition of b.definitions) {
      const before = defsA.get(definition.key);
      if (before) this.compare(`${where}definitions.${definition.key}`, before.node, definition.node);
      else this.list.additive(`${where}definitions.${definition.key}`, 'definition added');
    }
  }

  /** Keywords without a rule of their own (allOf, not, multipleOf, uniqueItems): any change is flagged breaking. */
  private otherKeywords(where: string, a: SchemaNode, b: SchemaNode): void {
    const values = (node: SchemaNode): Record<string, unknown> => ({
      ...(node.kind === 'allOf' ? { allOf: node.branches.map((branch) => toJsonSchema(branch)) } : {}),
      ...(node.kind === 'not' ? { not: toJsonSchema(node.node) } : {}),
      ...Object.fromEntries(UNCLASSIFIED.map((key) => [key, field(node, key)])),
    });
    const before = values(a);
    const after = values(b);
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
        this.list.breaking(
          where,
          `keyword ${key} changed from ${show(before[key])} to ${show(after[key])} (not classified: review it)`,
        );
      }
    }
  }
}

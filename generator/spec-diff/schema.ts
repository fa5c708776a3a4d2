/**
 * Compares two versions of one schema document, keyword by keyword, as
 * written (refs intact): a change inside `Profile` is reported once, on
 * Profile, not on every topic that carries a profile.
 */
import { SPEC_ID_BASE, type JsonSchema } from '../spec/load.js';
import { resolveRef } from '../schema/index.js';
import { ChangeList, show } from './change.js';

/** Keywords that only document: any change is a patch. */
const DOC_KEYWORDS = ['description', 'examples', 'x-errata', '$comment', 'default', '$id', '$schema'];
/** Keywords this module compares structurally. */
const HANDLED = new Set([
  ...DOC_KEYWORDS,
  'title',
  '$ref',
  'type',
  'anyOf',
  'oneOf',
  'const',
  'enum',
  'x-open-enum',
  'format',
  'pattern',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'definitions',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);
/** Lower bounds tighten when they grow; upper bounds when they shrink. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];

/** A schema node with nullability pulled out of `type: [..., "null"]` and `anyOf: [X, {type: null}]`. */
interface View {
  node: JsonSchema;
  nullable: boolean;
  /** Non-null types; undefined when the node does not constrain the type. */
  types: Set<string> | undefined;
  /** Non-null branches of anyOf/oneOf, when more than one remains. */
  branches: JsonSchema[];
}

function isNullSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as JsonSchema).type === 'null';
}

function view(schema: JsonSchema): View {
  let node = schema;
  let nullable = false;
  let branches: JsonSchema[] = [];
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) {
    nullable = union.some(isNullSchema);
    branches = union.filter((branch) => !isNullSchema(branch));
    if (branches.length === 1) {
      // `{ description, anyOf: [{ $ref }, { type: null }] }` reads as a nullable `$ref`.
      const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
      node = { ...branches[0], ...rest };
      branches = [];
    }
  }
  const declared = node.type === undefined ? undefined : ([] as unknown[]).concat(node.type).map(String);
  if (declared?.includes('null')) nullable = true;
  if (Array.isArray(node.enum) && node.enum.includes(null)) nullable = true;
  const types = declared ? new Set(declared.filter((type) => type !== 'null')) : undefined;
  return { node, nullable, types, branches };
}

/** `number` accepts every `integer`. */
function accepts(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

export class SchemaComparer {
  constructor(
    private readonly list: ChangeList,
    /** Path of the document in its spec dir, to resolve relative refs. */
    private readonly docPath: string,
  ) {}

  compare(where: string, before: JsonSchema, after: JsonSchema): void {
    const a = view(before);
    const b = view(after);
    this.documentation(where, a.node, b.node);
    this.title(where, a.node, b.node);
    this.nullability(where, a, b);
    if (this.reference(where, a.node, b.node)) return;
    this.types(where, a, b);
    this.constAndEnum(where, a.node, b.node);
    this.stringRules(where, a.node, b.node);
    this.bounds(where, a.node, b.node);
    this.objects(where, a.node, b.node);
    this.items(where, a.node, b.node);
    this.branches(where, a.branches, b.branches);
    this.definitions(where, a.node, b.node);
    this.otherKeywords(where, a.node, b.node);
  }

  private documentation(where: string, a: JsonSchema, b: JsonSchema): void {
    for (const key of DOC_KEYWORDS) {
      if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
      if (key === 'description') this.list.patch(where, `description changed: ${show(b[key])}`);
      else this.list.patch(where, `${key} changed`);
    }
  }

  private title(where: string, a: JsonSchema, b: JsonSchema): void {
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

  /** `file` or `file#pointer`, by the builder's one resolver (relative to the document's `$id`). */
  private resolveRef(ref: string): string {
    const target = resolveRef(ref, SPEC_ID_BASE + this.docPath);
    if (!target) return ref;
    return target.pointer ? `${target.file}#${target.pointer}` : target.file;
  }

  /** True when either side is a `$ref` (its target is compared as its own document). */
  private reference(where: string, a: JsonSchema, b: JsonSchema): boolean {
    const refA = typeof a.$ref === 'string' ? this.resolveRef(a.$ref) : undefined;
    const refB = typeof b.$ref === 'string' ? this.resolveRef(b.$ref) : undefined;
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
    if (!a.types) return this.list.breaking(where, `type narrowed from any to ${[...b.types!].join(' | ')}`);
    if (!b.types) return this.list.additive(where, `type widened from ${[...a.types].join(' | ')} to any`);
    const lost = [...a.types].filter((type) => !accepts(b.types!, type));
    const gained = [...b.types].filter((type) => !accepts(a.types!, type));
    if (lost.length) this.list.breaking(where, `type narrowed: no longer ${lost.join(' | ')}`);
    if (gained.length) this.list.additive(where, `type widened: now also ${gained.join(' | ')}`);
  }

  private constAndEnum(where: string, a: JsonSchema, b: JsonSchema): void {
    if (JSON.stringify(a.const) !== JSON.stringify(b.const)) {
      this.list.breaking(where, `const changed from ${show(a.const)} to ${show(b.const)}`);
    }
    const before = Array.isArray(a.enum) ? a.enum.filter((value) => value !== null) : undefined;
    const after = Array.isArray(b.enum) ? b.enum.filter((value) => value !== null) : undefined;
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
    const openA = a['x-open-enum'] === true;
    const openB = b['x-open-enum'] === true;
    if (openA && !openB)
      this.list.breaking(where, 'enum closed: values outside the list are no longer expected');
    if (!openA && openB) this.list.additive(where, 'enum opened: Chameleon may send values outside the list');
  }

  private stringRules(where: string, a: JsonSchema, b: JsonSchema): void {
    for (const key of ['format', 'pattern']) {
      if (a[key] === b[key]) continue;
      if (b[key] === undefined) this.list.additive(where, `${key} ${show(a[key])} removed (format widened)`);
      else if (a[key] === undefined)
        this.list.breaking(where, `${key} ${show(b[key])} added (format narrowed)`);
      else this.list.breaking(where, `${key} changed from ${show(a[key])} to ${show(b[key])}`);
    }
  }

  private bounds(where: string, a: JsonSchema, b: JsonSchema): void {
    for (const key of [...LOWER_BOUNDS, ...UPPER_BOUNDS]) {
      const before = a[key] as number | undefined;
      const after = b[key] as number | undefined;
      if (before === after) continue;
      const lower = LOWER_BOUNDS.includes(key);
      const tighter =
        after !== undefined && (before === undefined || (lower ? after > before : after < before));
      const message = `${key} ${show(before)} → ${show(after)}`;
      if (tighter) this.list.breaking(where, `${message} (narrowed)`);
      else this.list.additive(where, `${message} (widened)`);
    }
  }

  private objects(where: string, a: JsonSchema, b: JsonSchema): void {
    const propsA = (a.properties ?? {}) as Record<string, JsonSchema>;
    const propsB = (b.properties ?? {}) as Record<string, JsonSchema>;
    const requiredA = new Set((a.required ?? []) as string[]);
    const requiredB = new Set((b.required ?? []) as string[]);
    const at = (key: string) => (where.endsWith('#') ? `${where}${key}` : `${where}.${key}`);
    for (const key of Object.keys(propsA)) {
      if (!(key in propsB)) this.list.breaking(at(key), 'property removed');
    }
    for (const [key, schema] of Object.entries(propsB)) {
      const before = propsA[key];
      if (!before) {
        if (requiredB.has(key))
          this.list.breaking(at(key), 'required property added (validators reject payloads without it)');
        else this.list.additive(at(key), 'optional property added');
        continue;
      }
      if (requiredA.has(key) && !requiredB.has(key))
        this.list.breaking(at(key), 'made optional (handlers that read it must handle its absence)');
      if (!requiredA.has(key) && requiredB.has(key))
        this.list.breaking(at(key), 'made required (validators reject payloads without it)');
      this.compare(at(key), before, schema);
    }
    const closedA = a.additionalProperties === false;
    const closedB = b.additionalProperties === false;
    if (!closedA && closedB) this.list.breaking(where, 'closed to additional properties');
    if (closedA && !closedB) this.list.additive(where, 'opened to additional properties');
    const extraA =
      typeof a.additionalProperties === 'object' ? (a.additionalProperties as JsonSchema) : undefined;
    const extraB =
      typeof b.additionalProperties === 'object' ? (b.additionalProperties as JsonSchema) : undefined;
    if (extraA && extraB) this.compare(at('*'), extraA, extraB);
    else if (extraA || extraB) this.list.breaking(at('*'), 'the schema of additional properties changed');
  }

  private items(where: string, a: JsonSchema, b: JsonSchema): void {
    const itemsA = a.items as JsonSchema | undefined;
    const itemsB = b.items as JsonSchema | undefined;
    if (itemsA && itemsB) this.compare(`${where}[]`, itemsA, itemsB);
    else if (itemsB) this.list.breaking(`${where}[]`, 'items constrained');
    else if (itemsA) this.list.additive(`${where}[]`, 'items no longer constrained');
  }

  private branches(where: string, a: JsonSchema[], b: JsonSchema[]): void {
    if (a.length === b.length) {
      a.forEach((branch, index) => this.compare(`${where}|${index}`, branch, b[index]!));
      return;
    }
    const key = (schema: JsonSchema) => JSON.stringify(schema);
    const removed = a.filter((branch) => !b.some((other) => key(other) === key(branch)));
    const added = b.filter((branch) => !a.some((other) => key(other) === key(branch)));
    for (const branch of removed) this.list.breaking(where, `alternative removed: ${show(branch)}`);
    for (const branch of added) this.list.additive(where, `alternative added: ${show(branch)}`);
  }

  private definitions(where: string, a: JsonSchema, b: JsonSchema): void {
    const defsA = (a.definitions ?? {}) as Record<string, JsonSchema>;
    const defsB = (b.definitions ?? {}) as Record<string, JsonSchema>;
    for (const key of Object.keys(defsA))
      if (!(key in defsB)) this.list.breaking(`${where}definitions.${key}`, 'definition removed');
    for (const [key, schema] of Object.entries(defsB)) {
      const before = defsA[key];
      if (before) this.compare(`${where}definitions.${key}`, before, schema);
      else this.list.additive(`${where}definitions.${key}`, 'definition added');
    }
  }

  /** Keywords the spec does not use yet: any change is flagged breaking, so a person looks at it. */
  private otherKeywords(where: string, a: JsonSchema, b: JsonSchema): void {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((key) => !HANDLED.has(key)));
    for (const key of [...keys].sort()) {
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
        this.list.breaking(
          where,
          `keyword ${key} changed from ${show(a[key])} to ${show(b[key])} (not classified: review it)`,
        );
      }
    }
  }
}

/**
 * The builder: JSON Schema (draft-07, as the spec writes it) in, typed nodes out.
 *
 * - Every keyword is either understood or reported: a keyword outside SUPPORTED_KEYWORDS,
 *   or a supported one where the builder cannot give it a meaning (`pattern` without a
 *   type, `anyOf` beside `properties`), is a problem naming the file and the JSON Pointer.
 * - `$ref` is resolved one way (refs.ts: relative to the document's `$id`, hermetic).
 * - Nullability has one rule: `type: [T, "null"]`, or `anyOf`/`oneOf` with exactly one
 *   `{type: "null"}` branch (before or after the rest), is a NullableNode around the rest.
 */
import type { SpecFile } from '../spec/load.js';
import type {
  Annotations,
  DefinitionNode,
  DocumentNode,
  LearnedEvidence,
  NullableNode,
  NumberRules,
  ObjectNode,
  Origin,
  PrimitiveType,
  Property,
  RefNode,
  SchemaNode,
  StringRules,
} from './nodes.js';
import { joinPointer, originKey, readPointer, resolveRef } from './refs.js';

type Json = Record<string, unknown>;

/** Keywords of our own in spec/: metadata for people and for the types emitter. */
export const SPEC_KEYWORDS = ['x-errata', 'x-open-enum', 'x-learned'] as const;

const ANNOTATION_KEYWORDS = [
  'title',
  'description',
  'examples',
  'default',
  '$comment',
  'x-errata',
  'x-learned',
];
const STRING_RULES = ['format', 'pattern', 'minLength', 'maxLength'] as const;
const NUMBER_RULES = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const;
const PRIMITIVE_TYPES = new Set<string>(['string', 'number', 'integer', 'boolean', 'null']);

/** Every keyword the builder gives a meaning to. Anything else is a problem. */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema',
  '$id',
  '$ref',
  'definitions',
  ...ANNOTATION_KEYWORDS,
  'type',
  'enum',
  'const',
  ...STRING_RULES,
  ...NUMBER_RULES,
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  ...SPEC_KEYWORDS,
]);

/** Keywords valid only at a document's root. */
const ROOT_KEYWORDS = ['$schema', '$id', 'definitions'];

export interface BuildResult {
  documents: DocumentNode[];
  problems: string[];
}

class Builder {
  readonly problems: string[] = [];
  private readonly files: Map<string, SpecFile>;

  constructor(files: SpecFile[]) {
    this.files = new Map(files.map((file) => [file.path, file]));
  }

  document(file: SpecFile): DocumentNode {
    const { json } = file;
    const definitions = isObject(json.definitions) ? json.definitions : {};
    return {
      path: file.path,
      id: typeof json.$id === 'string' ? json.$id : file.id,
      ...(typeof json.$schema === 'string' ? { dialect: json.$schema } : {}),
      typeName: typeof json.title === 'string' ? json.title : '',
      root: this.node(json, { file: file.path, pointer: '' }, file.id, ROOT_KEYWORDS),
      definitions: Object.entries(definitions).map(([key, schema]): DefinitionNode => {
        const origin = { file: file.path, pointer: joinPointer('/definitions', key) };
        const node = this.node(schema, origin, file.id);
        return { key, typeName: node.annotations.title ?? key, node };
      }),
    };
  }

  private problem(origin: Origin, message: string): void {
    this.problems.push(`spec/${origin.file}#${origin.pointer}: ${message}`);
  }

  /** Builds the node at `origin`; `extra` are keywords the caller handles (document-level ones). */
  node(schema: unknown, origin: Origin, baseId: string, extra: string[] = []): SchemaNode {
    if (!isObject(schema)) {
      this.problem(
        origin,
        `a schema must be an object (booleans are not supported), got ${JSON.stringify(schema)}`,
      );
      return { kind: 'any', origin, annotations: {} };
    }
    const used = new Set<string>([...ANNOTATION_KEYWORDS, ...extra]);
    for (const key of Object.keys(schema)) {
      if (!SUPPORTED_KEYWORDS.has(key))
        this.problem(
          origin,
          `keyword "${key}" is not allowed in the spec (the generator does not support it)`,
        );
      else if (ROOT_KEYWORDS.includes(key) && !extra.includes(key))
        this.problem(origin, `keyword "${key}" belongs at the root of a document`);
      else continue;
      used.add(key);
    }
    const node = this.structure(schema, origin, baseId, used);
    for (const key of Object.keys(schema))
      if (!used.has(key)) this.problem(origin, `keyword "${key}" has no meaning here for the generator`);
    return node;
  }

  private structure(schema: Json, origin: Origin, baseId: string, used: Set<string>): SchemaNode {
    const annotations = annotationsOf(schema);
    if (typeof schema.$ref === 'string') return this.ref(schema, origin, baseId, used, annotations);
    const union = this.nullableUnion(schema, origin, baseId, used, annotations);
    if (union) return union;
    const types = typesOf(schema.type);
    if (types?.includes('null') && types.length > 1) {
      used.add('type');
      const rest = types.filter((type) => type !== 'null');
      const inner = this.typed(schema, origin, baseId, used, rest, {});
      return { kind: 'nullable', origin, annotations, node: inner, form: 'type' };
    }
    return this.typed(schema, origin, baseId, used, types, annotations);
  }

  private ref(
    schema: Json,
    origin: Origin,
    baseId: string,
    used: Set<string>,
    annotations: Annotations,
  ): RefNode {
    used.add('$ref');
    const ref = schema.$ref as string;
    const target = resolveRef(ref, baseId);
    const file = target && this.files.get(target.file);
    const json = file && readPointer(file.json, target.pointer);
    if (!target || !isObject(json)) {
      this.problem(origin, `$ref "${ref}" does not resolve to anything in spec/`);
      return {
        kind: 'ref',
        origin,
        annotations,
        ref,
        target: target ?? { file: '', pointer: '' },
        typeName: '',
      };
    }
    const last = target.pointer.split('/').pop() ?? '';
    const typeName = typeof json.title === 'string' ? json.title : last;
    return { kind: 'ref', origin, annotations, ref, target, typeName };
  }

  /** `anyOf`/`oneOf` (one of them): a NullableNode when one branch is `{type: "null"}`, else a UnionNode. */
  private nullableUnion(
    schema: Json,
    origin: Origin,
    baseId: string,
    used: Set<string>,
    annotations: Annotations,
  ): SchemaNode | undefined {
    const combinator =
      schema.anyOf !== undefined ? 'anyOf' : schema.oneOf !== undefined ? 'oneOf' : undefined;
    if (!combinator) return undefined;
    if (isRequiredAlternatives(schema.anyOf)) return undefined; // an object's identifier rule
    if (schema.anyOf !== undefined && schema.oneOf !== undefined) {
      this.problem(origin, 'anyOf and oneOf side by side are not supported; nest one in the other');
    }
    used.add(combinator);
    const written = schema[combinator];
    const at = joinPointer(origin.pointer, combinator);
    if (!Array.isArray(written) || written.length === 0) {
      this.problem(origin, `${combinator} must be a non-empty array of schemas`);
      return { kind: 'any', origin, annotations };
    }
    const structural = Object.keys(schema).filter(
      (key) => !ANNOTATION_KEYWORDS.includes(key) && key !== combinator,
    );
    for (const key of structural) {
      if (!used.has(key))
        this.problem(
          origin,
          `keyword "${key}" beside ${combinator} is not supported; move it into the branches`,
        );
      used.add(key);
    }
    const built = written.map((branch, index) =>
      this.node(branch, { file: origin.file, pointer: joinPointer(at, index) }, baseId),
    );
    const nullAt = written.findIndex(isNullSchema);
    // Nullable only for one null branch beside at least one other; anything else is a plain union.
    if (nullAt < 0 || written.length === 1 || written.filter(isNullSchema).length > 1) {
      return { kind: 'union', origin, annotations, combinator, branches: built };
    }
    const branches = built.filter((_, index) => index !== nullAt);
    const inner: SchemaNode =
      branches.length === 1 ? branches[0]! : { kind: 'union', origin, annotations: {}, combinator, branches };
    const last = nullAt === written.length - 1;
    const form = `${combinator}-null-${last ? 'last' : 'first'}` as NullableNode['form'];
    if (!last && nullAt !== 0)
      this.problem(origin, `the {"type": "null"} branch of ${combinator} goes first or last`);
    return { kind: 'nullable', origin, annotations, node: inner, form };
  }

  /** Everything but refs and unions: decided by `type` (or implied by the keywords present). */
  private typed(
    schema: Json,
    origin: Origin,
    baseId: string,
    used: Set<string>,
    types: string[] | undefined,
    annotations: Annotations,
  ): SchemaNode {
    if (schema.type !== undefined) used.add('type');
    if (types === undefined && schema.type !== undefined) {
      this.problem(
        origin,
        `type must be one of ${[...PRIMITIVE_TYPES, 'object', 'array'].join(', ')} or an array of them`,
      );
    }
    const single = types?.length === 1 ? types[0] : undefined;
    const primitive =
      single !== undefined && PRIMITIVE_TYPES.has(single) ? (single as PrimitiveType) : undefined;
    if (schema.enum !== undefined) return this.enumNode(schema, origin, used, annotations, primitive);
    if (schema.const !== undefined) {
      used.add('const');
      return {
        kind: 'const',
        origin,
        annotations,
        value: schema.const,
        ...(primitive ? { type: primitive } : {}),
      };
    }
    if (schema.allOf !== undefined) return this.allOf(schema, origin, baseId, used, annotations);
    if (schema.not !== undefined) {
      used.add('not');
      const node = this.node(
        schema.not,
        { file: origin.file, pointer: joinPointer(origin.pointer, 'not') },
        baseId,
      );
      return { kind: 'not', origin, annotations, node };
    }
    const isObjectSchema = single === 'object' || (types === undefined && schema.properties !== undefined);
    if (isObjectSchema) return this.object(schema, origin, baseId, used, annotations, single === 'object');
    if (single === 'array' || (types === undefined && schema.items !== undefined))
      return this.array(schema, origin, baseId, used, annotations);
    if (primitive)
      return { kind: 'primitive', origin, annotations, type: primitive, ...rulesOf(schema, used) };
    if (types && types.length > 1) {
      const bad = types.filter((type) => !PRIMITIVE_TYPES.has(type) || type === 'null');
      if (bad.length)
        this.problem(origin, `type [${types.join(', ')}] is supported for primitive types only`);
      return {
        kind: 'multiType',
        origin,
        annotations,
        types: types as PrimitiveType[],
        ...rulesOf(schema, used),
      };
    }
    return { kind: 'any', origin, annotations };
  }

  private enumNode(
    schema: Json,
    origin: Origin,
    used: Set<string>,
    annotations: Annotations,
    type: PrimitiveType | undefined,
  ): SchemaNode {
    used.add('enum');
    if (!Array.isArray(schema.enum) || schema.enum.length === 0) {
      this.problem(origin, 'enum must be a non-empty array');
      return { kind: 'any', origin, annotations };
    }
    if (schema['x-open-enum'] !== undefined) used.add('x-open-enum');
    return {
      kind: 'enum',
      origin,
      annotations,
      values: schema.enum,
      open: schema['x-open-enum'] === true,
      ...(type ? { type } : {}),
    };
  }

  private allOf(
    schema: Json,
    origin: Origin,
    baseId: string,
    used: Set<string>,
    annotations: Annotations,
  ): SchemaNode {
    used.add('allOf');
    const at = joinPointer(origin.pointer, 'allOf');
    const branches = Array.isArray(schema.allOf) ? schema.allOf : [];
    if (branches.length === 0) this.problem(origin, 'allOf must be a non-empty array of schemas');
    return {
      kind: 'allOf',
      origin,
      annotations,
      branches: branches.map((branch, index) =>
        this.node(branch, { file: origin.file, pointer: joinPointer(at, index) }, baseId),
      ),
    };
  }

  private object(
    schema: Json,
    origin: Origin,
    baseId: string,
    used: Set<string>,
    annotations: Annotations,
    typeWritten: boolean,
  ): ObjectNode {
    for (const key of ['properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties'])
      if (schema[key] !== undefined) used.add(key);
    const written = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    const properties = Object.entries(written).map(([name, sub]): Property => ({
      name,
      required: required.includes(name),
      node: this.node(
        sub,
        { file: origin.file, pointer: joinPointer(origin.pointer, 'properties', name) },
        baseId,
      ),
    }));
    const extra = schema.additionalProperties;
    const additional =
      extra === false
        ? 'closed'
        : extra === true || extra === undefined
          ? 'open'
          : this.node(
              extra,
              { file: origin.file, pointer: joinPointer(origin.pointer, 'additionalProperties') },
              baseId,
            );
    let requiredAlternatives: string[][] = [];
    if (schema.anyOf !== undefined) {
      used.add('anyOf');
      requiredAlternatives = (schema.anyOf as Json[]).map((branch) => branch.required as string[]);
    }
    return {
      kind: 'object',
      origin,
      annotations,
      properties,
      required,
      additional,
      additionalWritten: extra === true,
      requiredAlternatives,
      ...(typeof schema.minProperties === 'number' ? { minProperties: schema.minProperties } : {}),
      ...(typeof schema.maxProperties === 'number' ? { maxProperties: schema.maxProperties } : {}),
      typeWritten,
    };
  }

  private array(
    schema: Json,
    origin: Origin,
    baseId: string,
    used: Set<string>,
    annotations: Annotations,
  ): SchemaNode {
    for (const key of ['items', 'minItems', 'maxItems', 'uniqueItems'])
      if (schema[key] !== undefined) used.add(key);
    if (Array.isArray(schema.items)) this.problem(origin, 'items as an array (tuples) is not supported');
    return {
      kind: 'array',
      origin,
      annotations,
      typeWritten: schema.type !== undefined,
      ...(schema.items !== undefined && !Array.isArray(schema.items)
        ? {
            items: this.node(
              schema.items,
              { file: origin.file, pointer: joinPointer(origin.pointer, 'items') },
              baseId,
            ),
          }
        : {}),
      ...(typeof schema.minItems === 'number' ? { minItems: schema.minItems } : {}),
      ...(typeof schema.maxItems === 'number' ? { maxItems: schema.maxItems } : {}),
      ...(typeof schema.uniqueItems === 'boolean' ? { uniqueItems: schema.uniqueItems } : {}),
    };
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{type: "null"}` and nothing else but annotations. */
function isNullSchema(schema: unknown): boolean {
  if (!isObject(schema) || schema.type !== 'null') return false;
  return Object.keys(schema).every((key) => key === 'type' || ANNOTATION_KEYWORDS.includes(key));
}

/** `anyOf: [{required: [..], properties?: {key: {}}}, ..]`: the identifier rule of an object. */
function isRequiredAlternatives(anyOf: unknown): boolean {
  return (
    Array.isArray(anyOf) &&
    anyOf.length > 0 &&
    anyOf.every(
      (branch) =>
        isObject(branch) &&
        Array.isArray(branch.required) &&
        Object.keys(branch).every((key) => key === 'required' || key === 'properties') &&
        Object.values(isObject(branch.properties) ? branch.properties : {}).every(
          (sub) => isObject(sub) && Object.keys(sub).length === 0,
        ),
    )
  );
}

function typesOf(type: unknown): string[] | undefined {
  if (type === undefined) return undefined;
  const list = Array.isArray(type) ? type : [type];
  const known = [...PRIMITIVE_TYPES, 'object', 'array'];
  return list.every((entry) => typeof entry === 'string' && known.includes(entry))
    ? (list as string[])
    : undefined;
}

function annotationsOf(schema: Json): Annotations {
  return {
    ...(typeof schema.title === 'string' ? { title: schema.title } : {}),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...(Array.isArray(schema.examples) ? { examples: schema.examples } : {}),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
    ...(typeof schema.$comment === 'string' ? { comment: schema.$comment } : {}),
    ...(Array.isArray(schema['x-errata']) ? { errata: schema['x-errata'] as string[] } : {}),
    ...(isObject(schema['x-learned']) ? { learned: schema['x-learned'] as unknown as LearnedEvidence } : {}),
  };
}

function rulesOf(schema: Json, used: Set<string>): StringRules & NumberRules {
  const rules: Record<string, unknown> = {};
  for (const key of [...STRING_RULES, ...NUMBER_RULES]) {
    if (schema[key] === undefined) continue;
    used.add(key);
    rules[key] = schema[key];
  }
  return rules as StringRules & NumberRules;
}

/** Builds the nodes of every file given (api.json excluded by the caller), in the order given. */
export function buildDocuments(files: SpecFile[]): BuildResult {
  const builder = new Builder(files);
  const documents = files.map((file) => builder.document(file));
  return { documents, problems: builder.problems };
}

/** One inline schema, for tests and tools: built as if it were the file `file` of spec/. */
export function buildSchema(
  schema: unknown,
  file = 'inline.json',
  others: SpecFile[] = [],
): { node: SchemaNode; problems: string[] } {
  const id = `https://spec.chameleon-webhooks.dev/v3/${file}`;
  const self: SpecFile = { path: file, id, json: (isObject(schema) ? schema : {}) as Json };
  const builder = new Builder([self, ...others]);
  const node = builder.node(schema, { file, pointer: '' }, id, ROOT_KEYWORDS);
  return { node, problems: builder.problems };
}

export { originKey };

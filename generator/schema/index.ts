/**
 * generator/schema: the typed schema model.
 *
 *   const { index, problems } = buildSchemaIndex(spec.files);   // JSON Schema → nodes, once
 *   index.document('models/profile.json').root                  // a SchemaNode
 *   index.target(refNode)                                       // what a RefNode points at
 *   toJsonSchema(node) / index.bundle(path) / index.dereference(path)   // nodes → JSON Schema
 *
 * nodes.ts declares the nodes, build.ts reads JSON Schema into them (one `$ref` resolver,
 * one nullability rule, every unsupported keyword reported with file and pointer),
 * serialize.ts writes them back, walk.ts answers the common questions (children, null).
 */
import type { SpecFile } from '../spec/load.js';
import { buildDocuments } from './build.js';
import type { DocumentNode, Origin, RefNode, SchemaNode } from './nodes.js';
import { originKey } from './refs.js';
import { documentToJsonSchema, toJsonSchema, type JsonSchema, type SerializeOptions } from './serialize.js';
import { walkNodes } from './walk.js';

export * from './nodes.js';
export { buildDocuments, buildSchema, SPEC_KEYWORDS, SUPPORTED_KEYWORDS } from './build.js';
export { joinPointer, originKey, readPointer, resolveRef } from './refs.js';
export {
  DATE_TIME_PATTERN,
  documentToJsonSchema,
  toJsonSchema,
  type JsonSchema,
  type SerializeOptions,
} from './serialize.js';
export { acceptsNull, childrenOf, walkNodes, withoutNull } from './walk.js';

/** Every document of the spec as nodes, and the lookups across them. */
export class SchemaIndex {
  private readonly byPath: Map<string, DocumentNode>;
  /** Every node by `file#pointer` (the outermost node where a nullable wraps another). */
  private readonly byOrigin = new Map<string, SchemaNode>();

  constructor(readonly documents: DocumentNode[]) {
    this.byPath = new Map(documents.map((doc) => [doc.path, doc]));
    for (const doc of documents) {
      for (const root of [doc.root, ...doc.definitions.map((def) => def.node)]) {
        walkNodes(root, (node) => {
          const key = originKey(node.origin);
          if (!this.byOrigin.has(key)) this.byOrigin.set(key, node);
        });
      }
    }
  }

  document(path: string): DocumentNode {
    const doc = this.byPath.get(path);
    if (!doc) throw new Error(`spec/${path} is not a schema document of the spec`);
    return doc;
  }

  /** The node at a file and pointer (a document root, a definition or any node inside them). */
  node(origin: Origin): SchemaNode {
    const node = this.byOrigin.get(originKey(origin));
    if (!node) throw new Error(`spec/${originKey(origin)} is not a schema of the spec`);
    return node;
  }

  /** What a reference points at. */
  target(ref: RefNode): SchemaNode {
    return this.node(ref.target);
  }

  /** The document at `path` as JSON Schema, refs as written. */
  jsonSchema(path: string): JsonSchema {
    return documentToJsonSchema(this.document(path));
  }

  /**
   * The document with every `$ref` replaced by its target, written out in full (a
   * document target with its `$schema`, `$id` and `definitions`). The spec has no cycles.
   */
  dereference(path: string): JsonSchema {
    const inline = (ref: RefNode, seen: string[]): JsonSchema => {
      const key = originKey(ref.target);
      if (seen.includes(key)) throw new Error(`spec/${key}: a $ref cycle (${[...seen, key].join(' → ')})`);
      const options = { ref: (next: RefNode) => inline(next, [...seen, key]) };
      return ref.target.pointer === ''
        ? documentToJsonSchema(this.document(ref.target.file), options)
        : toJsonSchema(this.target(ref), options);
    };
    return documentToJsonSchema(this.document(path), { ref: (ref) => inline(ref, [`${path}#`]) });
  }

  /**
   * The document as one standalone schema: every schema it reaches through refs is copied
   * under `definitions`, keyed by its TypeScript name (unique in the spec), and every ref
   * points there (`#/definitions/Profile`); a ref to the document itself stays `#`.
   * `options.portable` writes it for stock validators (see SerializeOptions).
   */
  bundle(path: string, options: Pick<SerializeOptions, 'portable'> = {}): JsonSchema {
    const definitions = new Map<string, JsonSchema>();
    const local = (ref: RefNode): JsonSchema => {
      if (ref.target.file === path && ref.target.pointer === '') return { $ref: '#' };
      if (!definitions.has(ref.typeName)) {
        definitions.set(ref.typeName, {}); // reserve the name first: refs inside may come back here
        const target = this.target(ref);
        definitions.set(ref.typeName, withoutDocumentKeys(toJsonSchema(target, { ...options, ref: local })));
      }
      return { $ref: `#/definitions/${ref.typeName}` };
    };
    const root = toJsonSchema(this.document(path).root, { ...options, ref: local });
    const doc = this.document(path);
    return {
      ...(doc.dialect ? { $schema: doc.dialect } : {}),
      $id: doc.id,
      ...root,
      ...(definitions.size
        ? { definitions: Object.fromEntries([...definitions].sort(([a], [b]) => a.localeCompare(b))) }
        : {}),
    };
  }
}

function withoutDocumentKeys(json: JsonSchema): JsonSchema {
  const { examples: _examples, ...rest } = json;
  return rest;
}

/** Builds the index of every schema file given (not api.json), with the builder's problems. */
export function buildSchemaIndex(files: SpecFile[]): { index: SchemaIndex; problems: string[] } {
  const { documents, problems } = buildDocuments(files);
  return { index: new SchemaIndex(documents), problems };
}

/**
 * Step 3: one intermediate model of the whole spec. Emitters read this model,
 * never the files: the model is the single place where names, order and the
 * package version are decided.
 */
import { createHash } from 'node:crypto';
import type { LoadedSpec, SpecFile } from './spec/load.js';
import { parseChangelog, type ChangelogEntry } from './spec/changelog.js';
import {
  acceptsNull,
  buildSchemaIndex,
  type SchemaIndex,
  type DefinitionNode,
  type ObjectNode,
  type SchemaNode,
} from './schema/index.js';

export interface ApiTopicEntry {
  kind: string;
  models: string[];
  since: string;
  inTopicTable?: boolean;
  note?: string;
}

export interface ApiHeader {
  name: string;
  example: string;
  description: string;
}

/** A fact the spec relies on that no vendor source states: where it is written, what it says, and why. */
export interface ApiInferredFact {
  /** Where the fact is written: a path into api.json (`outgoing.delivery.backoff`) or `document#pointer`. */
  fact: string;
  statement: string;
  reason: string;
}

/** spec/api.json: the API's own facts. */
export interface ApiFacts {
  specVersion: string;
  apiVersion: string;
  source: string;
  outgoing: {
    method: string;
    userAgent: { format: string; example: string; pattern: string };
    headers: ApiHeader[];
    signature: {
      header: string;
      algorithm: string;
      encoding: string;
      hexLength: number;
      signedContent: string;
      secretName: string;
      secretEnv: string;
      /** The status a receiver answers when the signature does not match. */
      rejectStatus: number;
    };
    replayWindow: { field: string; toleranceSeconds: number; direction: string; rejectStatus: number };
    delivery: {
      /** The only URL scheme Chameleon delivers to. */
      endpointScheme: string;
      timeoutSeconds: number;
      retries: number;
      retrySpanHours: number;
      backoff: string;
      successStatus: string;
      region: string;
      ipAddresses: string[];
      maxEndpointsPerAccount: number;
    };
  };
  incoming: {
    baseUrl: string;
    secretHeader: string;
    endpoints: Array<{
      model: string;
      path: string;
      secretPath: string;
      schema: string;
      batchPath?: string;
      batchSchema?: string;
    }>;
    limits: { valueBytes: number; maxHashDepth: number; batchBytes: number; suggestedBatchItems: number };
    reservedKeys: string[];
    normalizationExamples: Array<{ input: string; output: string }>;
  };
  /** Facts the spec states that no source does, each with why the spec believes it. */
  inferred: ApiInferredFact[];
  topics: ApiTopicEntry[];
}

export interface Example {
  /** A file-name-safe label: `docs-example`, `docs-example-2`, … */
  name: string;
  payload: Record<string, unknown>;
}

/** A schema document of the spec (topic, model, incoming payload, envelope or common); also a DocumentNode. */
export interface SchemaDocument {
  kind: 'topic' | 'model' | 'incoming' | 'envelope' | 'common';
  /** Path relative to spec/. */
  path: string;
  id: string;
  /** The TypeScript name (the schema's `title`). */
  typeName: string;
  description: string;
  /** `$schema` as written. */
  dialect?: string;
  /** The document's root schema as typed nodes (generator/schema). */
  root: SchemaNode;
  /** Its `definitions`, as nodes, in written order. */
  definitions: DefinitionNode[];
  /** Vendor errata this document corrects (`x-errata`). */
  errata: string[];
}

export interface Topic extends SchemaDocument {
  kind: 'topic';
  /** The webhook's `kind`, e.g. `tour.completed`. */
  topic: string;
  /** camelCase name for factories and maps: `tourCompleted`. */
  camelName: string;
  /** The interface of `data`, e.g. `TourCompletedData`. */
  dataTypeName: string;
  /** Models the vendor's topic table lists for this topic. */
  models: string[];
  since: string;
  inTopicTable: boolean;
  note?: string;
  /** The `data` object's node. */
  data: ObjectNode;
  /** Keys of `data` and the type each holds, in schema order. */
  dataKeys: Array<{ key: string; required: boolean; nullable: boolean }>;
  examples: Example[];
}

export interface SpecModel {
  api: ApiFacts;
  /** Version of the npm packages: the API major (v3 → 3) plus the spec's MINOR.PATCH (`specVersion`). */
  packageVersion: string;
  /** sha256 of the spec's files, for the generated-file headers. */
  specHash: string;
  topics: Topic[];
  models: SchemaDocument[];
  incoming: SchemaDocument[];
  envelope: SchemaDocument;
  common: SchemaDocument;
  /** Every schema document, sorted by path. */
  documents: SchemaDocument[];
  /** Every document and definition as typed nodes, and the lookups across them (refs). */
  schemas: SchemaIndex;
  /** The sections of the spec directory's CHANGELOG.md, newest first (none without the file). */
  changelog: ChangelogEntry[];
}

const API_FILE = 'api.json';

/** `tour.completed` → `tourCompleted` (also `-` and `_` separators). */
export function camelCase(topic: string): string {
  return topic.replace(/[._-]([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** `tour.completed` → `TourCompleted` */
export function pascalCase(topic: string): string {
  const camel = camelCase(topic);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

function documentKind(rel: string): SchemaDocument['kind'] {
  if (rel.startsWith('topics/')) return 'topic';
  if (rel.startsWith('models/')) return 'model';
  if (rel.startsWith('incoming/')) return 'incoming';
  if (rel === 'envelope.json') return 'envelope';
  if (rel === 'common.json') return 'common';
  throw new Error(`spec/${rel}: files belong in topics/, models/ or incoming/`);
}

function toDocument(file: SpecFile, schemas: SchemaIndex): SchemaDocument {
  const nodes = schemas.document(file.path);
  const { annotations } = nodes.root;
  return {
    ...(nodes.dialect ? { dialect: nodes.dialect } : {}),
    root: nodes.root,
    definitions: nodes.definitions,
    kind: documentKind(file.path),
    path: file.path,
    id: file.id,
    typeName: nodes.typeName,
    description: annotations.description ?? '',
    errata: annotations.errata ?? [],
  };
}

function exampleName(index: number): string {
  return index === 0 ? 'docs-example' : `docs-example-${index + 1}`;
}

/** A property of an object node, which a topic's lint has checked is there. */
function propertyOf(node: SchemaNode, name: string): SchemaNode | undefined {
  return node.kind === 'object'
    ? node.properties.find((property) => property.name === name)?.node
    : undefined;
}

/** The topic's `data` object (an empty one when the spec lacks it: the lint reports that). */
function dataOf(doc: SchemaDocument): ObjectNode {
  const data = propertyOf(doc.root, 'data');
  if (data?.kind === 'object') return data;
  return {
    kind: 'object',
    origin: { file: doc.path, pointer: '/properties/data' },
    annotations: {},
    properties: [],
    required: [],
    requiredStrict: [],
    customProperties: false,
    additional: 'open',
    additionalWritten: false,
    requiredAlternatives: [],
    typeWritten: false,
  };
}

function dataKeysOf(data: ObjectNode): Topic['dataKeys'] {
  return data.properties.map((property) => ({
    key: property.name,
    required: property.required,
    nullable: acceptsNull(property.node),
  }));
}

function toTopic(doc: SchemaDocument, entry: ApiTopicEntry | undefined): Topic {
  const kindNode = propertyOf(doc.root, 'kind');
  const kindConst = kindNode?.kind === 'const' && typeof kindNode.value === 'string' ? kindNode.value : '';
  const topic = entry?.kind ?? kindConst;
  const examples = (doc.root.annotations.examples ?? []) as Array<Record<string, unknown>>;
  const data = dataOf(doc);
  return {
    ...doc,
    kind: 'topic',
    topic,
    camelName: camelCase(topic),
    dataTypeName: `${pascalCase(topic)}Data`,
    models: entry?.models ?? [],
    since: entry?.since ?? '',
    inTopicTable: entry?.inTopicTable ?? true,
    ...(entry?.note ? { note: entry.note } : {}),
    data,
    dataKeys: dataKeysOf(data),
    examples: examples.map((payload, index) => ({ name: exampleName(index), payload })),
  };
}

function hashSpec(spec: LoadedSpec): string {
  const hash = createHash('sha256');
  for (const file of spec.files)
    hash.update(file.path).update('\0').update(JSON.stringify(file.json)).update('\0');
  return hash.digest('hex');
}

function packageVersionOf(api: ApiFacts): string {
  const major = /^v(\d+)$/.exec(api.apiVersion)?.[1];
  // The spec's own version is MINOR.PATCH: the major always is the API version.
  const minorPatch = /^\d+\.\d+$/.exec(api.specVersion)?.[0];
  if (!major || !minorPatch) {
    throw new Error(
      `spec/api.json: apiVersion must look like v3 and specVersion like 0.1 (MINOR.PATCH; got ${api.apiVersion}, ${api.specVersion})`,
    );
  }
  return `${major}.${minorPatch}`;
}

/** The schema documents of the spec, read once into nodes, and what the builder could not read. */
export interface SpecDocuments {
  /** Every file but api.json, sorted by path. */
  documents: SchemaDocument[];
  schemas: SchemaIndex;
  /** Unsupported keywords and unresolved refs, each naming its file and JSON Pointer. */
  problems: string[];
}

/** Reads every schema document (every file but api.json) into typed nodes. */
export function readDocuments(spec: LoadedSpec): SpecDocuments {
  const files = spec.files.filter((file) => file.path !== API_FILE);
  const { index, problems } = buildSchemaIndex(files);
  return { documents: files.map((file) => toDocument(file, index)), schemas: index, problems };
}

export async function buildModel(spec: LoadedSpec, read = readDocuments(spec)): Promise<SpecModel> {
  const apiFile = spec.files.find((file) => file.path === API_FILE);
  if (!apiFile) throw new Error('spec/api.json is missing');
  const api = apiFile.json as unknown as ApiFacts;
  const { documents, schemas } = read;
  const entries = new Map(api.topics.map((entry) => [entry.kind, entry]));
  const order = new Map(api.topics.map((entry, index) => [entry.kind, index]));

  const topicDocs = documents.filter((doc) => doc.kind === 'topic');
  const topics = topicDocs.map((doc) =>
    toTopic(doc, entries.get(doc.path.replace(/^topics\/|\.json$/g, ''))),
  );
  topics.sort(
    (a, b) =>
      (order.get(a.topic) ?? Infinity) - (order.get(b.topic) ?? Infinity) || a.topic.localeCompare(b.topic),
  );

  const byName = (a: SchemaDocument, b: SchemaDocument) => a.typeName.localeCompare(b.typeName);
  const single = (kind: SchemaDocument['kind']) => {
    const doc = documents.find((d) => d.kind === kind);
    if (!doc) throw new Error(`spec/: the ${kind} document is missing`);
    return doc;
  };
  return {
    api,
    packageVersion: packageVersionOf(api),
    specHash: hashSpec(spec),
    topics,
    models: documents.filter((doc) => doc.kind === 'model').sort(byName),
    incoming: documents.filter((doc) => doc.kind === 'incoming').sort(byName),
    envelope: single('envelope'),
    common: single('common'),
    documents,
    schemas,
    changelog: parseChangelog(spec.changelog),
  };
}

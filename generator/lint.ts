/**
 * Spec lint: the rules that keep spec/ compilable into exact types, open
 * validators and valid fixtures. Each rule returns plain-language problems;
 * generation stops when there is any.
 */
import { createSpecAjv } from './spec/ajv.js';
import { SPEC_ID_BASE } from './spec/load.js';
import { toJsonSchema, walkNodes, type DocumentNode, type SchemaNode } from './schema/index.js';
import type { SchemaDocument, SpecDocuments, SpecModel } from './model.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Every node of a document: its root and its definitions, depth first. */
function nodesOf(doc: SchemaDocument): SchemaNode[] {
  const nodes: SchemaNode[] = [];
  for (const root of [doc.root, ...doc.definitions.map((def) => def.node)])
    walkNodes(root, (node) => nodes.push(node));
  return nodes;
}

const LEARNED_CHANGES = ['property', 'topic', 'model', 'type-widened', 'enum-values', 'enum-opened'];
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** `x-learned` (spec:learn's evidence) has one shape, so the docs and the CHANGELOG can show it. */
function lintLearned(at: string, learned: unknown): string[] {
  const value = learned as Record<string, unknown>;
  const wrong: string[] = [];
  if (!LEARNED_CHANGES.includes(value.change as string))
    wrong.push(`change (one of ${LEARNED_CHANGES.join(', ')})`);
  for (const key of ['deliveries', 'of'])
    if (!Number.isInteger(value[key]) || (value[key] as number) < 1)
      wrong.push(`${key} (a positive integer)`);
  if ((value.deliveries as number) > (value.of as number)) wrong.push('deliveries (at most of)');
  for (const key of ['firstSeen', 'lastSeen'])
    if (typeof value[key] !== 'string' || !ISO_TIME.test(value[key] as string))
      wrong.push(`${key} (UTC ISO 8601)`);
  if (typeof value.example !== 'string' || !value.example) wrong.push('example (file:line#pointer)');
  if (value.format !== undefined && typeof value.format !== 'string') wrong.push('format (a string)');
  const known = ['change', 'deliveries', 'of', 'firstSeen', 'lastSeen', 'example', 'format'];
  const extra = Object.keys(value).filter((key) => !known.includes(key));
  if (extra.length) wrong.push(`no other keys (found ${extra.join(', ')})`);
  return wrong.length ? [`${at}: x-learned needs ${wrong.join(', ')}`] : [];
}

/** The spec's own rules, stricter than what the builder can read. */
function lintDocument(doc: SchemaDocument, written: DocumentNode): string[] {
  const problems: string[] = [];
  const where = `spec/${doc.path}`;
  if (doc.dialect !== DRAFT_07) problems.push(`${where}: $schema must be ${DRAFT_07}`);
  if (written.id !== SPEC_ID_BASE + doc.path)
    problems.push(`${where}: $id must be ${SPEC_ID_BASE + doc.path}`);
  if (!doc.typeName) problems.push(`${where}: needs a title (it names the TypeScript type)`);
  if (!doc.description) problems.push(`${where}: needs a description (it becomes the JSDoc)`);

  for (const node of nodesOf(doc)) {
    const at = `${where}#${node.origin.pointer}`;
    if (node.kind === 'object' && (node.additional !== 'open' || node.additionalWritten))
      problems.push(
        `${at}: keyword "additionalProperties" is not allowed in the spec (it is open by design)`,
      );
    if (node.annotations.learned !== undefined) problems.push(...lintLearned(at, node.annotations.learned));
    if (node.kind !== 'ref') continue;
    const siblings = Object.keys(node.annotations)
      .filter((key) => key !== 'description' && key !== 'learned')
      .map((key) => ({ comment: '$comment', errata: 'x-errata' })[key] ?? key);
    if (siblings.length)
      problems.push(`${at}: only "description" may stand beside $ref (found ${siblings.join(', ')})`);
  }
  return problems;
}

function lintUniqueNames(documents: SchemaDocument[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const shapes = new Map<string, string>();
  for (const doc of documents) {
    const names = [doc.typeName];
    for (const node of nodesOf(doc))
      if (node !== doc.root && node.annotations.title !== undefined) names.push(node.annotations.title);
    for (const name of names) {
      const other = seen.get(name);
      if (other) problems.push(`spec/${doc.path}: the name ${name} is also declared by spec/${other}`);
      seen.set(name, doc.path);
    }
    if (doc.kind === 'model' && doc.root.kind === 'object' && doc.root.properties.length) {
      const shape = JSON.stringify(toJsonSchema(doc.root).properties);
      const twin = shapes.get(shape);
      if (twin)
        problems.push(
          `spec/${doc.path}: declares exactly the same properties as spec/${twin}; share one model`,
        );
      shapes.set(shape, doc.path);
    }
  }
  return problems;
}

function lintTopics(model: SpecModel): string[] {
  const problems: string[] = [];
  const files = new Set(model.topics.map((topic) => topic.topic));
  for (const entry of model.api.topics) {
    if (!files.has(entry.kind))
      problems.push(`spec/api.json lists topic ${entry.kind}, which has no spec/topics/${entry.kind}.json`);
  }
  const listed = new Set(model.api.topics.map((entry) => entry.kind));
  const ajv = createSpecAjv(model.documents);
  for (const topic of model.topics) {
    const where = `spec/${topic.path}`;
    if (!listed.has(topic.topic)) problems.push(`${where}: the topic is not listed in spec/api.json`);
    const kind =
      topic.root.kind === 'object' ? topic.root.properties.find((p) => p.name === 'kind') : undefined;
    const kindConst = kind?.node.kind === 'const' ? kind.node.value : undefined;
    if (kindConst !== topic.topic)
      problems.push(`${where}: properties.kind must be {"const": "${topic.topic}"}`);
    if (topic.typeName !== `${topic.dataTypeName.replace(/Data$/, '')}Webhook`) {
      problems.push(`${where}: title must be ${topic.dataTypeName.replace(/Data$/, '')}Webhook`);
    }
    // The verifier relies on this: a webhook that passes its topic's guard has the whole envelope.
    const envelopeKeys = model.envelope.root.kind === 'object' ? model.envelope.root.required : [];
    const required = topic.root.kind === 'object' ? topic.root.required : [];
    const missing = envelopeKeys.filter((key) => !required.includes(key));
    if (missing.length) problems.push(`${where}: must require the envelope's ${missing.join(', ')}`);
    const dataTitle = topic.data.annotations.title;
    if (dataTitle !== topic.dataTypeName)
      problems.push(`${where}: properties.data.title must be ${topic.dataTypeName}`);
    if (topic.examples.length === 0)
      problems.push(`${where}: needs at least one example (the docs' example, corrected)`);
    const validate = ajv.getSchema(topic.id);
    for (const example of topic.examples) {
      if (validate && !validate(example.payload)) {
        const detail = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        problems.push(`${where}: example ${example.name} does not validate: ${detail}`);
      }
    }
  }
  return problems;
}

/**
 * Problems in the documents themselves: what the builder could not read (unsupported
 * keywords, refs to nothing, each with file and pointer), then the spec's own rules.
 */
export function lintDocuments(read: SpecDocuments): string[] {
  return [
    ...read.problems,
    ...read.documents.flatMap((doc) => lintDocument(doc, read.schemas.document(doc.path))),
    ...lintUniqueNames(read.documents),
  ];
}

/** Problems in the resolved model: the topic list, names and examples. */
export function lintModel(model: SpecModel): string[] {
  return lintTopics(model);
}

/**
 * docs/reference/: the reference a person reads, generated from the model so
 * the spec, not prose kept by hand, is the source of truth. One page per topic
 * and per model (every field: type, required, nullable, description), and an
 * index with the API facts and the topic table.
 *
 * These files are written under docs/reference/, not generated/: generate.ts
 * runs this emitter for its second output root.
 */
import path from 'node:path';
import type { JsonSchema } from '../spec/load.js';
import { render } from '../templates.js';
import type { SchemaDocument, SpecModel, Topic } from '../model.js';
import type { GeneratedFile } from './emitter.js';

interface Field {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** Names what a `$ref` points at: a model page link, or a common type's name. */
class TypeNamer {
  private readonly byPath: Map<string, SchemaDocument>;

  constructor(model: SpecModel) {
    this.byPath = new Map(model.documents.map((doc) => [doc.path, doc]));
  }

  ref(ref: string, fromDoc: string, linkPrefix: string): string {
    const [file = '', fragment = ''] = ref.split('#');
    const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(fromDoc), file)) : fromDoc;
    if (fragment) return `\`${fragment.split('/').pop()}\``;
    const doc = this.byPath.get(target);
    if (!doc) return `\`${target}\``;
    return doc.kind === 'model'
      ? `[${doc.typeName}](${linkPrefix}models/${doc.typeName}.md)`
      : `\`${doc.typeName}\``;
  }

  /** The description of what a `$ref` points at, for a field that has none of its own. */
  refDescription(ref: string, fromDoc: string): string {
    const [file = '', fragment = ''] = ref.split('#');
    const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(fromDoc), file)) : fromDoc;
    let schema: unknown = this.byPath.get(target)?.schema;
    for (const key of fragment.split('/').filter(Boolean))
      schema = (schema as Record<string, unknown> | undefined)?.[key];
    const description = (schema as JsonSchema | undefined)?.description;
    return typeof description === 'string' ? description : '';
  }

  /** One line of Markdown describing a schema's type. */
  describe(schema: JsonSchema, fromDoc: string, linkPrefix: string): string {
    const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
    if (Array.isArray(union))
      return union.map((branch) => this.describe(branch, fromDoc, linkPrefix)).join(' \\| ');
    if (typeof schema.$ref === 'string') return this.ref(schema.$ref, fromDoc, linkPrefix);
    if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
    const types = schema.type === undefined ? [] : ([] as unknown[]).concat(schema.type).map(String);
    let text = types.length
      ? types
          .map((type) => (type === 'array' ? this.arrayOf(schema, fromDoc, linkPrefix) : type))
          .join(' \\| ')
      : 'any';
    if (typeof schema.format === 'string') text += ` (${schema.format})`;
    if (Array.isArray(schema.enum)) {
      const values = schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(', ');
      text = `${types.length ? `${text}: ` : ''}one of ${values}${schema['x-open-enum'] === true ? ', or a newer value' : ''}`;
    }
    return text;
  }

  private arrayOf(schema: JsonSchema, fromDoc: string, linkPrefix: string): string {
    const items = schema.items as JsonSchema | undefined;
    return items ? `array of ${this.describe(items, fromDoc, linkPrefix)}` : 'array';
  }
}

function oneLine(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|') : '';
}

function fieldsOf(schema: JsonSchema, doc: SchemaDocument, namer: TypeNamer, linkPrefix: string): Field[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: namer.describe(property, doc.path, linkPrefix),
    required: required.has(name),
    description: oneLine(
      property.description ??
        (typeof property.$ref === 'string' ? namer.refDescription(property.$ref, doc.path) : ''),
    ),
  }));
}

function envelopeDescription(model: SpecModel, name: string): string {
  const property = (model.envelope.schema.properties as Record<string, JsonSchema> | undefined)?.[name];
  return oneLine(property?.description);
}

function topicPage(topic: Topic, namer: TypeNamer, model: SpecModel): GeneratedFile {
  const data = ((topic.schema.properties as Record<string, JsonSchema>).data ?? {}) as JsonSchema;
  const context = {
    api: model.api,
    topic,
    // The topic's id/kind/sent_at mean what the shared envelope says they mean.
    envelope: fieldsOf(topic.schema, topic, namer, '../')
      .filter((field) => field.name !== 'data')
      .map((field) => ({
        ...field,
        description: field.description || envelopeDescription(model, field.name),
      })),
    fields: fieldsOf(data, topic, namer, '../'),
    examples: topic.examples.map((example) => ({
      name: example.name,
      source: JSON.stringify(example.payload, null, 2),
    })),
  };
  return { path: `topics/${topic.topic}.md`, contents: render('docs/topic.md', context) };
}

function modelPage(doc: SchemaDocument, namer: TypeNamer, model: SpecModel, usedBy: string[]): GeneratedFile {
  const context = { api: model.api, doc, fields: fieldsOf(doc.schema, doc, namer, '../'), usedBy };
  return { path: `models/${doc.typeName}.md`, contents: render('docs/model.md', context) };
}

/** Topics whose schema refers to a model, directly. */
function usersOf(model: SpecModel, doc: SchemaDocument): string[] {
  const file = path.posix.basename(doc.path);
  return model.topics
    .filter((topic) => JSON.stringify(topic.schema).includes(`models/${file}"`))
    .map((topic) => topic.topic);
}

export function emitDocs(model: SpecModel): GeneratedFile[] {
  const namer = new TypeNamer(model);
  const index = {
    path: 'README.md',
    contents: render('docs/index.md', {
      api: model.api,
      version: model.packageVersion,
      toleranceMinutes: model.api.outgoing.replayWindow.toleranceSeconds / 60,
      topics: model.topics.map((topic) => ({ ...topic, description: oneLine(topic.description) })),
      models: model.models.map((doc) => ({ typeName: doc.typeName, description: oneLine(doc.description) })),
    }),
  };
  return [
    index,
    ...model.topics.map((topic) => topicPage(topic, namer, model)),
    ...model.models.map((doc) => modelPage(doc, namer, model, usersOf(model, doc))),
  ];
}

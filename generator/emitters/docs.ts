/**
 * docs/reference/: the reference a person reads, generated from the model so
 * the spec, not prose kept by hand, is the source of truth. One page per topic
 * and per model (every field: type, required, nullable, description), and an
 * index with the API facts and the topic table.
 *
 * Its files go to the `docs` output root (docs/reference/, or `--docs-out`).
 */
import {
  walkNodes,
  type LearnedEvidence,
  type ObjectNode,
  type RefNode,
  type SchemaIndex,
  type SchemaNode,
} from '../schema/index.js';
import { render } from '../templates.js';
import type { SchemaDocument, SpecModel, Topic } from '../model.js';
import type { Emitter, GeneratedFile } from './emitter.js';

interface Field {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** The `type` keywords a node was written with (nullable ones add `null`), as the docs list them. */
function writtenTypes(node: SchemaNode): string[] {
  switch (node.kind) {
    case 'primitive':
      return [node.type];
    case 'multiType':
      return [...node.types];
    case 'object':
      return node.typeWritten ? ['object'] : [];
    case 'array':
      return node.typeWritten ? ['array'] : [];
    case 'enum':
      return node.type ? [node.type] : [];
    default:
      return [];
  }
}

/** Names schema nodes for people: one line of Markdown per type, refs as links to model pages. */
export class TypeNamer {
  constructor(private readonly schemas: SchemaIndex) {}

  /** A model page link for a whole model document, else the referenced type's name in code. */
  ref(ref: RefNode, linkPrefix: string): string {
    if (ref.target.pointer !== '' || !ref.target.file.startsWith('models/')) return `\`${ref.typeName}\``;
    return `[${ref.typeName}](${linkPrefix}models/${ref.typeName}.md)`;
  }

  /** The description of what a `$ref` points at, for a field that has none of its own. */
  refDescription(ref: RefNode): string {
    return this.schemas.target(ref).annotations.description ?? '';
  }

  /** One line of Markdown describing a node's type. */
  describe(node: SchemaNode, linkPrefix: string): string {
    switch (node.kind) {
      case 'union':
        return node.branches.map((branch) => this.describe(branch, linkPrefix)).join(' \\| ');
      case 'nullable':
        return node.form === 'type'
          ? this.typed(node.node, linkPrefix, true)
          : this.nullableUnion(node, linkPrefix);
      case 'ref':
        return this.ref(node, linkPrefix);
      case 'const':
        return `\`${JSON.stringify(node.value)}\``;
      default:
        return this.typed(node, linkPrefix, false);
    }
  }

  private nullableUnion(node: Extract<SchemaNode, { kind: 'nullable' }>, linkPrefix: string): string {
    const inner = node.node;
    const branches =
      inner.kind === 'union' && inner.origin.pointer === node.origin.pointer ? inner.branches : [inner];
    const parts = branches.map((branch) => this.describe(branch, linkPrefix));
    return (node.form.endsWith('first') ? ['null', ...parts] : [...parts, 'null']).join(' \\| ');
  }

  private typed(node: SchemaNode, linkPrefix: string, orNull: boolean): string {
    const types = [...writtenTypes(node), ...(orNull ? ['null'] : [])];
    let text = types.length
      ? types.map((type) => (type === 'array' ? this.arrayOf(node, linkPrefix) : type)).join(' \\| ')
      : 'any';
    if ((node.kind === 'primitive' || node.kind === 'multiType') && node.format) text += ` (${node.format})`;
    if (node.kind === 'enum') {
      const values = node.values.map((value) => `\`${JSON.stringify(value)}\``).join(', ');
      text = `${types.length ? `${text}: ` : ''}one of ${values}${node.open ? ', or a newer value' : ''}`;
    }
    return text;
  }

  private arrayOf(node: SchemaNode, linkPrefix: string): string {
    return node.kind === 'array' && node.items
      ? `array of ${this.describe(node.items, linkPrefix)}`
      : 'array';
  }
}

function oneLine(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|') : '';
}

/** spec:learn's evidence (`x-learned`), as a sentence a reviewer can check against the captures. */
export function learnedNote(learned: LearnedEvidence | undefined): string {
  if (!learned) return '';
  const format = learned.format ? `; every value looked like ${learned.format} (not asserted)` : '';
  return `*Learned from captured deliveries (${learned.change}): seen in ${learned.deliveries} of ${learned.of}, ${learned.firstSeen} to ${learned.lastSeen}, e.g. \`${learned.example}\`${format}; not yet confirmed by the vendor.*`;
}

function fieldsOf(node: SchemaNode, namer: TypeNamer, linkPrefix: string): Field[] {
  const properties = node.kind === 'object' ? node.properties : [];
  return properties.map((property) => ({
    name: property.name,
    type: namer.describe(property.node, linkPrefix),
    required: property.required,
    description: [
      oneLine(
        property.node.annotations.description ??
          (property.node.kind === 'ref' ? namer.refDescription(property.node) : ''),
      ),
      learnedNote(learnedOf(property.node)),
    ]
      .filter(Boolean)
      .join(' '),
  }));
}

/** The evidence beside a property, or on the enum or type it holds (a widened type, new enum values). */
function learnedOf(node: SchemaNode): LearnedEvidence | undefined {
  return node.annotations.learned ?? (node.kind === 'nullable' ? node.node.annotations.learned : undefined);
}

function envelopeDescription(model: SpecModel, name: string): string {
  const envelope = model.envelope.root as ObjectNode;
  return oneLine(
    envelope.properties.find((property) => property.name === name)?.node.annotations.description,
  );
}

function topicPage(topic: Topic, namer: TypeNamer, model: SpecModel): GeneratedFile {
  const context = {
    api: model.api,
    topic,
    // The topic's id/kind/sent_at mean what the shared envelope says they mean.
    envelope: fieldsOf(topic.root, namer, '../')
      .filter((field) => field.name !== 'data')
      .map((field) => ({
        ...field,
        description: field.description || envelopeDescription(model, field.name),
      })),
    fields: fieldsOf(topic.data, namer, '../'),
    learned: learnedNote(topic.root.annotations.learned),
    examples: topic.examples.map((example) => ({
      name: example.name,
      source: JSON.stringify(example.payload, null, 2),
    })),
  };
  return { path: `topics/${topic.topic}.md`, contents: render('docs/topic.md', context) };
}

function modelPage(doc: SchemaDocument, namer: TypeNamer, model: SpecModel, usedBy: string[]): GeneratedFile {
  const context = {
    api: model.api,
    doc,
    fields: fieldsOf(doc.root, namer, '../'),
    usedBy,
    learned: learnedNote(doc.root.annotations.learned),
  };
  return { path: `models/${doc.typeName}.md`, contents: render('docs/model.md', context) };
}

/** Topics whose schema refers to a model, directly. */
function usersOf(model: SpecModel, doc: SchemaDocument): string[] {
  const refersTo = (topic: Topic) => {
    let found = false;
    walkNodes(topic.root, (node) => {
      if (node.kind === 'ref' && node.target.file === doc.path && node.target.pointer === '') found = true;
    });
    return found;
  };
  return model.topics.filter(refersTo).map((topic) => topic.topic);
}

export function emitDocs(model: SpecModel): GeneratedFile[] {
  const namer = new TypeNamer(model.schemas);
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

export const docsEmitter: Emitter = { name: 'docs', root: 'docs', emit: emitDocs };

/**
 * From observations to proposals: each one an edit of a spec file's JSON with
 * its evidence written beside it as `x-learned`, every one of them additive
 * (spec:diff must not call a learned spec breaking):
 *
 * - an undocumented key becomes an optional property (required only inside
 *   something new: a new topic, model or object). A key seen in every delivery
 *   of an existing object is flagged for a person: making it required breaks;
 * - a documented integer that got decimals becomes a number; a string that got
 *   integers becomes `string | integer`;
 * - a closed enum that got other values of its type lists them, or is opened
 *   when more than ENUM_OPEN_AFTER new values arrived;
 * - a topic the spec lacks gets a draft schema from its payloads (known keys
 *   such as `profile` reuse the spec's models), an entry in api.json and its
 *   first payload as the example.
 *
 * Undocumented keys of Profile and Company are their custom properties, by
 * design: never proposed. Everything else (a shared definition refusing a value,
 * a required key that was absent, types that do not widen) goes to a person.
 */
import { pascalCase, type SpecModel } from '../model.js';
import { originKey, readPointer, type LearnedEvidence, type SchemaNode } from '../schema/index.js';
import { SPEC_ID_BASE, type SpecFile } from '../spec/load.js';
import {
  evidenceOf,
  ID_REF,
  Inferrer,
  isObject,
  LEARNED_DESCRIPTION,
  TIMESTAMP_REF,
  type HumanNote,
  type Json,
} from './infer.js';
import { jsonType, Observer, type NodeSeen, type ObjectSeen, type Seen } from './observe.js';
import type { Delivery } from './read.js';

/** More new values than this and the enum is proposed open (`x-open-enum`) rather than longer. */
export const ENUM_OPEN_AFTER = 3;
/** Models whose undocumented keys are the account's custom properties. */
export const CUSTOM_PROPERTY_MODELS = ['models/profile.json', 'models/company.json'];
const SHARED_FILES = ['common.json', 'envelope.json'];

export interface Proposal {
  change: LearnedEvidence['change'];
  /** The spec file (relative to spec/) and the JSON Pointer of the schema added or edited. */
  file: string;
  pointer: string;
  /** In words, for the report. */
  summary: string;
  evidence: LearnedEvidence;
}

export interface LearnResult {
  proposals: Proposal[];
  human: HumanNote[];
  /** Custom properties seen (not proposed), by model file. */
  customProperties: Record<string, string[]>;
  /** The spec's JSON files after the edits, by path relative to spec/ (new files included). */
  files: Map<string, Json>;
}

const escapeSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

class Proposer {
  readonly proposals: Proposal[] = [];
  readonly human: HumanNote[] = [];
  readonly customProperties: Record<string, string[]> = {};
  readonly files: Map<string, Json>;
  readonly inferrer: Inferrer;

  constructor(
    private readonly model: SpecModel,
    raw: SpecFile[],
  ) {
    this.files = new Map(raw.map((file) => [file.path, structuredClone(file.json)]));
    const titles = new Set<string>();
    for (const doc of model.documents) {
      titles.add(doc.typeName);
      for (const def of doc.definitions) titles.add(def.typeName);
    }
    for (const topic of model.topics) titles.add(topic.dataTypeName);
    this.inferrer = new Inferrer(new Map(model.models.map((doc) => [doc.typeName, doc.path])), titles);
  }

  private note(where: string, what: string, seen: Seen[]): void {
    const evidence = evidenceOf('property', seen, seen.length);
    this.human.push({ where, what, deliveries: evidence.deliveries, example: evidence.example });
  }

  private at(file: string, pointer: string): Json {
    return readPointer(this.files.get(file), pointer) as Json;
  }

  private propose(proposal: Proposal): void {
    this.proposals.push(proposal);
  }

  undocumentedKeys(entry: ObjectSeen): void {
    const { file, pointer } = entry.node.origin;
    const where = `spec/${file}#${pointer}`;
    if (CUSTOM_PROPERTY_MODELS.includes(file) && pointer === '') {
      if (entry.unknown.size) this.customProperties[file] = [...entry.unknown.keys()].sort();
      return;
    }
    const of = new Set(entry.occurrences.map((s) => s.delivery)).size;
    for (const [name, values] of entry.unknown) {
      const inferred = this.inferrer.infer(values, name, `${where}/properties/${name}`);
      if (!inferred) continue;
      const evidence = evidenceOf('property', values, of, inferred.format);
      const target = this.at(file, pointer);
      target.properties = { ...(isObject(target.properties) ? target.properties : {}) };
      (target.properties as Json)[name] = {
        description: LEARNED_DESCRIPTION,
        ...inferred.schema,
        'x-learned': evidence,
      };
      const propertyPointer = `${pointer}/properties/${escapeSegment(name)}`;
      this.propose({
        change: 'property',
        file,
        pointer: propertyPointer,
        summary: `optional property ${name}: ${describe(inferred.schema)}${inferred.format ? ` (${inferred.format})` : ''}`,
        evidence,
      });
      if (values.length === entry.occurrences.length && values.length > 1)
        this.note(
          `spec/${file}#${propertyPointer}`,
          `seen in every one of ${values.length} values: making it required is a breaking change, decide`,
          values,
        );
    }
    for (const [name, seen] of entry.missing)
      this.note(
        `${where}/properties/${name}`,
        `required, but absent from ${seen.length} of ${entry.occurrences.length}: making it optional is a breaking change, decide`,
        seen,
      );
  }

  refusedValues(entry: NodeSeen): void {
    if (!entry.refused.length) return;
    const { node, refused } = entry;
    const { file, pointer } = node.origin;
    const where = `spec/${file}#${pointer}`;
    const of = new Set([...entry.accepted, ...refused.map((s) => s.delivery)]).size;
    const types = [...new Set(refused.map((s) => jsonType(s.value)))].sort();
    if (SHARED_FILES.includes(file)) {
      this.note(
        where,
        `a shared definition refused ${types.join(', ')} values such as ${sample(refused)}: widening it changes every use`,
        refused,
      );
      return;
    }
    const target = this.at(file, pointer);
    if (
      node.kind === 'enum' &&
      !node.open &&
      refused.every((s) => typeof s.value === (node.type ?? typeof node.values.find((v) => v !== null)))
    ) {
      const values = [...new Set(refused.map((s) => s.value))];
      const open = values.length > ENUM_OPEN_AFTER;
      const evidence = evidenceOf(open ? 'enum-opened' : 'enum-values', refused, of);
      target.enum = [...(target.enum as unknown[]), ...values];
      if (open) target['x-open-enum'] = true;
      target['x-learned'] = evidence;
      this.propose({
        change: evidence.change,
        file,
        pointer,
        summary: `${open ? 'enum opened, with' : 'enum values'} ${values.map((v) => JSON.stringify(v)).join(', ')}`,
        evidence,
      });
      return;
    }
    const primitive = node.kind === 'primitive' ? node : undefined;
    const widened = primitive && widen(primitive, types);
    if (!primitive || !widened) {
      this.note(
        where,
        `refused ${types.join(', ')} values such as ${sample(refused)}, and no widening rule applies`,
        refused,
      );
      return;
    }
    const evidence = evidenceOf('type-widened', refused, of);
    const written = target.type;
    target.type = Array.isArray(written)
      ? written.flatMap((t) => (t === primitive.type ? widened : [t]))
      : widened.length === 1
        ? widened[0]
        : widened;
    target['x-learned'] = evidence;
    this.propose({
      change: 'type-widened',
      file,
      pointer,
      summary: `type ${primitive.type} widened to ${widened.join(' | ')}`,
      evidence,
    });
  }

  /**
   * The refs existing topics use for a key of `data` (`profile` → ../models/profile.json), and the
   * keys that hold different models in different topics (`action`): those a person picks.
   */
  private knownDataRefs(): { refs: Map<string, { ref: string; node: SchemaNode }>; ambiguous: Set<string> } {
    const refs = new Map<string, { ref: string; node: SchemaNode }>();
    const ambiguous = new Set<string>();
    for (const topic of this.model.topics)
      for (const property of topic.data.properties) {
        if (property.node.kind !== 'ref') continue;
        const known = refs.get(property.name);
        if (!known)
          refs.set(property.name, { ref: property.node.ref, node: this.model.schemas.target(property.node) });
        else if (known.ref !== property.node.ref) ambiguous.add(property.name);
      }
    for (const key of ambiguous) refs.delete(key);
    return { refs, ambiguous };
  }

  /** Walks the known keys of the new topics' data through their models, before those are judged. */
  walkKnownKeys(observer: Observer, topics: Map<string, Delivery[]>): void {
    const known = this.knownDataRefs().refs;
    for (const deliveries of topics.values())
      for (const delivery of deliveries)
        for (const [key, value] of Object.entries(delivery.body.data as Json))
          if (known.has(key))
            observer.walkModel(known.get(key)!.node, {
              value,
              delivery,
              pointer: `/data/${escapeSegment(key)}`,
            });
  }

  newTopic(kind: string, deliveries: Delivery[]): void {
    const { refs: known, ambiguous } = this.knownDataRefs();
    const left = new Map<string, Seen[]>();
    const samples: Seen[] = deliveries.map((delivery) => {
      const data = { ...(delivery.body.data as Json) };
      for (const key of ambiguous) {
        if (!(key in data)) continue;
        const seen = { value: data[key], delivery, pointer: `/data/${escapeSegment(key)}` };
        left.set(key, [...(left.get(key) ?? []), seen]);
        delete data[key];
      }
      return { value: data, delivery, pointer: '/data' };
    });
    for (const [key, seen] of left)
      this.note(
        `topic ${kind}.data.${key}`,
        'this key holds different models in different topics: pick one',
        seen,
      );
    const fixed = Object.fromEntries([...known].map(([key, { ref }]) => [key, { $ref: ref }]));
    const name = pascalCase(kind);
    const data = this.inferrer.object(samples, `topic ${kind}.data`, fixed);
    const evidence = evidenceOf(
      'topic',
      deliveries.map((delivery) => ({ value: delivery.body, delivery, pointer: '' })),
      deliveries.length,
    );
    const file = `topics/${kind}.json`;
    this.files.set(file, {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: SPEC_ID_BASE + file,
      title: `${name}Webhook`,
      description: `${LEARNED_DESCRIPTION} A topic the vendor does not document yet: describe when it is sent.`,
      type: 'object',
      required: ['id', 'kind', 'sent_at', 'data'],
      properties: {
        id: { $ref: ID_REF },
        kind: { const: kind },
        sent_at: { $ref: TIMESTAMP_REF },
        data: {
          title: `${name}Data`,
          description: `The models carried by a \`${kind}\` webhook (learned).`,
          ...data,
        },
      },
      examples: [deliveries[0]!.body],
      'x-learned': evidence,
    });
    const api = this.files.get('api.json')!;
    const models = Object.values((data.properties ?? {}) as Record<string, Json>)
      .map((schema) => (typeof schema.$ref === 'string' ? this.titleOf(schema.$ref) : undefined))
      .filter((title): title is string => !!title);
    (api.topics as Json[]).push({
      kind,
      models,
      since: evidence.firstSeen.slice(0, 10),
      inTopicTable: false,
      note: 'Learned from captured deliveries: not in the vendor documentation yet.',
    });
    this.propose({
      change: 'topic',
      file,
      pointer: '',
      summary: `new topic ${kind} (draft schema of data: ${Object.keys((data.properties ?? {}) as Json).join(', ')})`,
      evidence,
    });
  }

  private titleOf(ref: string): string | undefined {
    const file = ref.replace(/^\.\.\//, '');
    return (
      this.model.models.find((doc) => doc.path === file)?.typeName ??
      this.inferrer.models.find((m) => m.file === file)?.title
    );
  }

  newModels(): void {
    for (const model of this.inferrer.models) {
      this.files.set(model.file, model.json);
      const evidence = model.json['x-learned'] as LearnedEvidence;
      this.propose({
        change: 'model',
        file: model.file,
        pointer: '',
        summary: `new model ${model.title}`,
        evidence,
      });
    }
  }
}

function widen(node: Extract<SchemaNode, { kind: 'primitive' }>, refused: string[]): string[] | undefined {
  if (node.type === 'integer' && refused.every((t) => t === 'number')) return ['number'];
  if (node.type === 'string' && refused.every((t) => t === 'integer')) return ['string', 'integer'];
  return undefined;
}

function sample(seen: Seen[]): string {
  return [...new Set(seen.slice(0, 3).map((s) => JSON.stringify(s.value)))].join(', ');
}

function describe(schema: Json): string {
  if (typeof schema.$ref === 'string')
    return schema.$ref
      .split('/')
      .pop()!
      .replace(/\.json$/, '');
  if (Array.isArray(schema.anyOf)) return `${schema.anyOf.map((s) => describe(s as Json)).join(' | ')}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  if (type === 'array' && isObject(schema.items)) return `array of ${describe(schema.items)}`;
  if (type === 'object' && isObject(schema.properties))
    return `object {${Object.keys(schema.properties).join(', ')}}`;
  return type;
}

/** Proposals for `deliveries` against the spec `model` (whose files are `raw`). */
export function learn(model: SpecModel, raw: SpecFile[], deliveries: Delivery[]): LearnResult {
  const observer = new Observer(model);
  for (const delivery of deliveries) observer.read(delivery);
  const proposer = new Proposer(model, raw);
  const { objects, nodes, unknownTopics } = observer.observations;
  proposer.walkKnownKeys(observer, unknownTopics);
  const byOrigin = <T extends { node: SchemaNode }>(map: Map<string, T>) =>
    [...map.values()].sort((a, b) => originKey(a.node.origin).localeCompare(originKey(b.node.origin)));
  for (const entry of byOrigin(objects)) proposer.undocumentedKeys(entry);
  for (const entry of byOrigin(nodes)) proposer.refusedValues(entry);
  for (const [kind, list] of [...unknownTopics].sort(([a], [b]) => a.localeCompare(b)))
    proposer.newTopic(kind, list);
  proposer.newModels();
  return {
    proposals: proposer.proposals,
    human: [...proposer.human, ...proposer.inferrer.human],
    customProperties: proposer.customProperties,
    files: proposer.files,
  };
}

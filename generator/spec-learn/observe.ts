/**
 * Walks every delivery against the spec's typed nodes and records what the
 * spec does not say: keys it does not document (per object schema), values
 * outside a closed enum, values of the wrong type, required keys that were
 * absent, and topics it does not know. Nothing is decided here (propose.ts does).
 */
import type { SpecModel } from '../model.js';
import { originKey, type ObjectNode, type SchemaNode } from '../schema/index.js';
import type { Delivery } from './read.js';

/** One value seen at one place of one delivery. */
export interface Seen {
  value: unknown;
  delivery: Delivery;
  /** JSON Pointer in the delivery's body. */
  pointer: string;
}

/** An object schema of the spec and what arrived where it applies. */
export interface ObjectSeen {
  node: ObjectNode;
  /** Every value it was applied to. */
  occurrences: Seen[];
  /** Undocumented keys and their values. */
  unknown: Map<string, Seen[]>;
  /** Required keys that were absent, and where. */
  missing: Map<string, Seen[]>;
}

/** A node that got values it does not accept (wrong type, outside its enum or pattern). */
export interface NodeSeen {
  node: SchemaNode;
  /** The values it refused. */
  refused: Seen[];
  /** Deliveries whose values it accepted (so the evidence can say "n of m"). */
  accepted: Set<Delivery>;
}

export interface Observations {
  objects: Map<string, ObjectSeen>;
  nodes: Map<string, NodeSeen>;
  /** Deliveries of topics the spec does not have, by kind. */
  unknownTopics: Map<string, Delivery[]>;
  /** Deliveries read per topic. */
  perTopic: Map<string, Delivery[]>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const escapeSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON type of a value as a schema names it (`integer` for whole numbers). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether a value passes a primitive's type and string rules (format date-time is checked by shape). */
function primitiveAccepts(
  node: Extract<SchemaNode, { kind: 'primitive' | 'multiType' }>,
  value: unknown,
): boolean {
  const types: string[] = node.kind === 'primitive' ? [node.type] : node.types;
  const type = jsonType(value);
  if (!types.includes(type) && !(type === 'integer' && types.includes('number'))) return false;
  if (typeof value !== 'string') return true;
  if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) return false;
  if (node.format === 'date-time' && Number.isNaN(Date.parse(value))) return false;
  return true;
}

export class Observer {
  readonly observations: Observations = {
    objects: new Map(),
    nodes: new Map(),
    unknownTopics: new Map(),
    perTopic: new Map(),
  };

  constructor(private readonly model: SpecModel) {}

  read(delivery: Delivery): void {
    const kind = String(delivery.body.kind);
    const topic = this.model.topics.find((t) => t.topic === kind);
    const list = topic ? this.observations.perTopic : this.observations.unknownTopics;
    list.set(kind, [...(list.get(kind) ?? []), delivery]);
    if (topic) this.walk(topic.root, { value: delivery.body, delivery, pointer: '' });
  }

  /** Walks a value of a model (for the known keys of a topic the spec does not have yet). */
  walkModel(node: SchemaNode, seen: Seen): void {
    this.walk(node, seen);
  }

  private nodeSeen(node: SchemaNode): NodeSeen {
    const key = originKey(node.origin);
    const entry = this.observations.nodes.get(key) ?? { node, refused: [], accepted: new Set<Delivery>() };
    this.observations.nodes.set(key, entry);
    return entry;
  }

  private judge(node: SchemaNode, seen: Seen, accepted: boolean): void {
    const entry = this.nodeSeen(node);
    if (accepted) entry.accepted.add(seen.delivery);
    else entry.refused.push(seen);
  }

  private walk(node: SchemaNode, seen: Seen): void {
    const { value } = seen;
    switch (node.kind) {
      case 'ref':
        this.walk(this.model.schemas.target(node), seen);
        break;
      case 'nullable':
        if (value !== null) this.walk(node.node, seen);
        break;
      case 'union': {
        // The first branch of the value's JSON type; none is a refusal for a person to read.
        const branch = node.branches.find((b) => this.typeFits(b, value));
        if (branch) this.walk(branch, seen);
        else this.judge(node, seen, false);
        break;
      }
      case 'object':
        this.object(node, seen);
        break;
      case 'array':
        if (!Array.isArray(value)) this.judge(node, seen, false);
        else if (node.items)
          for (const [index, item] of value.entries())
            this.walk(node.items, { ...seen, value: item, pointer: `${seen.pointer}/${index}` });
        break;
      case 'enum':
        this.judge(
          node,
          seen,
          node.open || node.values.some((v) => JSON.stringify(v) === JSON.stringify(value)),
        );
        break;
      case 'const':
        this.judge(node, seen, JSON.stringify(node.value) === JSON.stringify(value));
        break;
      case 'primitive':
      case 'multiType':
        this.judge(node, seen, primitiveAccepts(node, value));
        break;
      default:
        break; // any, allOf, not: nothing the learner can tell
    }
  }

  private typeFits(node: SchemaNode, value: unknown): boolean {
    const inner = node.kind === 'ref' ? this.model.schemas.target(node) : node;
    if (inner.kind === 'object') return isObject(value);
    if (inner.kind === 'array') return Array.isArray(value);
    if (inner.kind === 'primitive' || inner.kind === 'multiType') return primitiveAccepts(inner, value);
    if (inner.kind === 'nullable') return value === null || this.typeFits(inner.node, value);
    return true;
  }

  private object(node: ObjectNode, seen: Seen): void {
    if (!isObject(seen.value)) {
      this.judge(node, seen, false);
      return;
    }
    const key = originKey(node.origin);
    const entry = this.observations.objects.get(key) ?? {
      node,
      occurrences: [],
      unknown: new Map<string, Seen[]>(),
      missing: new Map<string, Seen[]>(),
    };
    this.observations.objects.set(key, entry);
    entry.occurrences.push(seen);
    const value = seen.value;
    for (const property of node.properties) {
      const at = `${seen.pointer}/${escapeSegment(property.name)}`;
      if (property.name in value)
        this.walk(property.node, { ...seen, value: value[property.name], pointer: at });
      else if (property.required)
        entry.missing.set(property.name, [...(entry.missing.get(property.name) ?? []), seen]);
    }
    const documented = new Set(node.properties.map((p) => p.name));
    for (const [name, inner] of Object.entries(value)) {
      if (documented.has(name)) continue;
      const list = entry.unknown.get(name) ?? [];
      list.push({ ...seen, value: inner, pointer: `${seen.pointer}/${escapeSegment(name)}` });
      entry.unknown.set(name, list);
    }
  }
}

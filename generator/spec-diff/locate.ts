/**
 * Where a change is written, for the review formats: a change's path
 * (`model Profile#company_id|0`, `topic tour.completed#data.step`,
 * `api#outgoing.headers[User-Agent].example`) resolved in both specs to the
 * spec file, the JSON Pointer inside it and the value there before and after.
 * The comparer (schema.ts) builds these paths; this module reads them back, so
 * the comparer itself stays one line per rule.
 */
import type { SchemaDocument, SpecModel } from '../model.js';
import { joinPointer, toJsonSchema, type SchemaNode } from '../schema/index.js';
import type { SpecChange } from './change.js';
import { byLabel } from './diff.js';
import { view } from './schema.js';

export interface ChangeLocation {
  /** The spec file, relative to the repository (`spec/models/profile.json`). */
  file: string;
  /** JSON Pointer inside the file (`''` is the whole document). */
  pointer: string;
  /** The value there before and after the change; undefined where there is none. */
  old?: unknown;
  new?: unknown;
}

/** The documentation keywords a patch message names, and the annotation each is read from. */
const DOC_FIELDS: Record<string, 'description' | 'examples' | 'errata' | 'comment' | 'default' | 'learned'> =
  {
    description: 'description',
    examples: 'examples',
    'x-errata': 'errata',
    $comment: 'comment',
    default: 'default',
    'x-learned': 'learned',
  };

type Step = { property: string } | { items: true } | { branch: number } | { additional: true };

/** `data.profile[]|1*` → steps; `definitions.X` at the start names a definition. */
function parseSteps(rest: string): { definition?: string; steps: Step[] } {
  let text = rest;
  let definition: string | undefined;
  const def = /^definitions\.([^.[|*]+)/.exec(text);
  if (def) {
    definition = def[1];
    text = text.slice(def[0].length);
  }
  const steps: Step[] = [];
  const token = /\[\]|\|(\d+)|\*|\.?([^.[|*]+)/g;
  for (const match of text.matchAll(token)) {
    if (match[0] === '[]') steps.push({ items: true });
    else if (match[0] === '*') steps.push({ additional: true });
    else if (match[1] !== undefined) steps.push({ branch: Number(match[1]) });
    else if (match[2] !== undefined) steps.push({ property: match[2] });
  }
  return { ...(definition !== undefined ? { definition } : {}), steps };
}

function follow(node: SchemaNode, step: Step): SchemaNode | undefined {
  const seen = view(node);
  if ('branch' in step) return seen.branches[step.branch];
  const inner = seen.node;
  if ('items' in step) return inner.kind === 'array' ? inner.items : undefined;
  if ('additional' in step)
    return inner.kind === 'object' && typeof inner.additional === 'object' ? inner.additional : undefined;
  return inner.kind === 'object' ? inner.properties.find((p) => p.name === step.property)?.node : undefined;
}

function nodeAt(doc: SchemaDocument | undefined, rest: string): SchemaNode | undefined {
  if (!doc) return undefined;
  const { definition, steps } = parseSteps(rest);
  let node: SchemaNode | undefined =
    definition !== undefined ? doc.definitions.find((d) => d.key === definition)?.node : doc.root;
  for (const step of steps) node = node && follow(node, step);
  return node;
}

/** What a table shows for a node: its structure, or the documentation keyword a patch change names. */
function shownValue(node: SchemaNode | undefined, change: SpecChange, whole: boolean): unknown {
  if (!node) return undefined;
  if (whole) return node.annotations.title ?? 'present';
  const keyword = /^(\S+) changed/.exec(change.message)?.[1];
  const field = keyword && change.level === 'patch' ? DOC_FIELDS[keyword] : undefined;
  if (field) return view(node).annotations[field];
  return toJsonSchema(node, { withoutAnnotations: true });
}

const KEYED: Record<string, string> = { headers: 'name', endpoints: 'model', topics: 'kind' };

/** `outgoing.headers[User-Agent].example` in api.json: the pointer and the value. */
function apiAt(api: unknown, rest: string): { pointer: string; value: unknown } {
  let value = api;
  let pointer = '';
  for (const match of rest.matchAll(/([^.[\]]+)|\[([^\]]+)\]/g)) {
    const [, key, id] = match;
    if (key !== undefined) {
      pointer = joinPointer(pointer, key);
      value = (value as Record<string, unknown> | undefined)?.[key];
      continue;
    }
    const list = Array.isArray(value) ? value : [];
    const field = KEYED[pointer.split('/').pop() ?? ''] ?? 'name';
    const index = list.findIndex((item) => String((item as Record<string, unknown>)?.[field]) === id);
    pointer = joinPointer(pointer, index < 0 ? String(id) : index);
    value = index < 0 ? undefined : list[index];
  }
  return { pointer, value };
}

/** Resolves a change of `diffSpecs(before, after)` in both specs. */
export function locate(change: SpecChange, before: SpecModel, after: SpecModel): ChangeLocation {
  const hash = change.path.indexOf('#');
  const label = hash < 0 ? change.path : change.path.slice(0, hash);
  const rest = hash < 0 ? '' : change.path.slice(hash + 1);
  if (label === 'api') {
    const a = apiAt(before.api, rest);
    const b = apiAt(after.api, rest);
    return {
      file: 'spec/api.json',
      pointer: b.value !== undefined ? b.pointer : a.pointer,
      old: a.value,
      new: b.value,
    };
  }
  const docA = byLabel(before).get(label);
  const docB = byLabel(after).get(label);
  const nodeA = nodeAt(docA, rest);
  const nodeB = nodeAt(docB, rest);
  const where = nodeB ?? nodeA;
  const whole = hash < 0;
  return {
    file: `spec/${(docB ?? docA)?.path ?? ''}`,
    pointer: whole ? '' : (where?.origin.pointer ?? ''),
    old: shownValue(nodeA, change, whole),
    new: shownValue(nodeB, change, whole),
  };
}

/**
 * The diff of two resolved specs: topics and schema documents matched by name
 * (topic kind, or type name for models, incoming payloads, envelope and
 * common), each pair compared keyword by keyword, plus the API facts.
 */
import type { SchemaDocument, SpecModel } from '../model.js';
import { compareApi } from './api.js';
import { ChangeList, classify, type DiffLevel, type SpecChange } from './change.js';
import { SchemaComparer } from './schema.js';

export interface SpecDiff {
  from: { specVersion: string; packageVersion: string };
  to: { specVersion: string; packageVersion: string };
  level: DiffLevel;
  changes: SpecChange[];
}

/** How a document is named in the report and matched across versions. */
export function labelOf(doc: SchemaDocument & { topic?: string }): string {
  if (doc.kind === 'topic') return `topic ${doc.topic ?? doc.typeName}`;
  return `${doc.kind} ${doc.typeName || doc.path}`;
}

export function byLabel(model: SpecModel): Map<string, SchemaDocument> {
  const documents: SchemaDocument[] = [
    ...model.topics,
    ...model.models,
    ...model.incoming,
    model.envelope,
    model.common,
  ];
  return new Map(documents.map((doc) => [labelOf(doc), doc]));
}

function compareDocuments(list: ChangeList, before: SpecModel, after: SpecModel): void {
  const a = byLabel(before);
  const b = byLabel(after);
  for (const [label, doc] of a) {
    if (!b.has(label))
      list.breaking(label, `${doc.kind === 'topic' ? 'topic' : doc.kind} removed (spec/${doc.path})`);
  }
  for (const [label, doc] of b) {
    const old = a.get(label);
    if (!old) {
      list.additive(label, `${doc.kind === 'topic' ? 'topic' : doc.kind} added (spec/${doc.path})`);
      continue;
    }
    new SchemaComparer(list).compareDocuments(`${label}#`, old, doc);
  }
}

/** Every change from `before` to `after`, breaking first, then additive, then patch; stable within a level. */
export function diffSpecs(before: SpecModel, after: SpecModel): SpecDiff {
  const list = new ChangeList();
  compareDocuments(list, before, after);
  compareApi(list, before.api, after.api);
  const order = { breaking: 0, additive: 1, patch: 2 };
  const changes = list.changes
    .map((change, index) => ({ change, index }))
    .sort((x, y) => order[x.change.level] - order[y.change.level] || x.index - y.index)
    .map(({ change }) => change);
  return {
    from: { specVersion: before.api.specVersion, packageVersion: before.packageVersion },
    to: { specVersion: after.api.specVersion, packageVersion: after.packageVersion },
    level: classify(changes),
    changes,
  };
}

/** The bump of MINOR.PATCH from one spec version to the next. */
export function bumpOf(from: string, to: string): DiffLevel | 'downgrade' {
  const [minorA = 0, patchA = 0] = from.split('.').map(Number);
  const [minorB = 0, patchB = 0] = to.split('.').map(Number);
  if (minorB > minorA) return 'additive';
  if (minorB < minorA) return 'downgrade';
  if (patchB > patchA) return 'patch';
  if (patchB < patchA) return 'downgrade';
  return 'none';
}

/**
 * The bump a diff needs. Within v3 the major never moves, so a breaking change
 * is released as a MINOR (with an acknowledged "Breaking" section).
 */
export function requiredBump(level: DiffLevel): DiffLevel {
  return level === 'breaking' ? 'additive' : level;
}

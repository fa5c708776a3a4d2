/**
 * What spec:diff reports: one `SpecChange` per difference, each with the level
 * it needs, and the level of the whole diff (the highest of its changes).
 *
 * Levels are judged for consumers of the generated package: their handlers
 * (compiled against the types) and the validators and verifiers (which accept
 * or reject payloads). The rules, in one place:
 *
 * - breaking: something consumers rely on goes away or tightens: a topic,
 *   model or property removed; a property made required (validators now reject
 *   payloads without it) or optional or nullable (handlers that read it stop
 *   compiling); a type, format, pattern, bound or enum narrowed; a `$ref` or
 *   type name changed; a verification rule tightened.
 * - additive: something new that old code ignores safely: a topic, model or
 *   optional property added; a type, format or enum widened (payloads the old
 *   validators accepted still pass; open enums are typed `(string & {})`);
 *   a verification rule loosened.
 * - patch: nothing a program can observe beyond documentation: descriptions,
 *   examples, errata, notes and the vendor's delivery facts.
 */
export type ChangeLevel = 'breaking' | 'additive' | 'patch';
export type DiffLevel = ChangeLevel | 'none';

export interface SpecChange {
  level: ChangeLevel;
  /** Where: `topic tour.snoozed`, `Tour.properties.name`, `api.outgoing.replayWindow.direction`. */
  path: string;
  /** One sentence, for people. */
  message: string;
}

const RANK: Record<DiffLevel, number> = { none: 0, patch: 1, additive: 2, breaking: 3 };

/** The level of a whole diff: its highest change, or `none` for identical specs. */
export function classify(changes: readonly SpecChange[]): DiffLevel {
  return changes.reduce<DiffLevel>(
    (level, change) => (RANK[change.level] > RANK[level] ? change.level : level),
    'none',
  );
}

export function atLeast(level: DiffLevel, required: DiffLevel): boolean {
  return RANK[level] >= RANK[required];
}

/** Collects changes; helpers keep call sites to one line each. */
export class ChangeList {
  readonly changes: SpecChange[] = [];

  add(level: ChangeLevel, path: string, message: string): void {
    this.changes.push({ level, path, message });
  }

  breaking(path: string, message: string): void {
    this.add('breaking', path, message);
  }

  additive(path: string, message: string): void {
    this.add('additive', path, message);
  }

  patch(path: string, message: string): void {
    this.add('patch', path, message);
  }
}

/** A value for a message: short JSON, cut when long. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

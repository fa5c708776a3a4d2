/**
 * Compares the API facts of spec/api.json. The runtime reads these facts
 * (verification, the receiver, the incoming client), so each has a rule that
 * says which direction of change tightens what the package accepts.
 */
import type { ApiFacts } from '../model.js';
import { type ChangeList, show, type ChangeLevel } from './change.js';

/** A rule returns the level of a change, or null when another part of the diff reports it. */
type Rule = (before: unknown, after: unknown) => { level: ChangeLevel; why: string } | null;

const fixed =
  (level: ChangeLevel, why: string): Rule =>
  () => ({ level, why });

/** A number the package enforces as a ceiling: lowering it rejects what was accepted. */
const ceiling: Rule = (before, after) =>
  typeof before === 'number' && typeof after === 'number' && after > before
    ? { level: 'additive', why: 'raised: more is accepted' }
    : { level: 'breaking', why: 'lowered or removed: the package now rejects what it accepted' };

/** A list of values the package accepts: fewer entries reject what was accepted. */
const acceptedList: Rule = (before, after) => {
  const a = Array.isArray(before) ? before.map((v) => JSON.stringify(v)) : [];
  const b = Array.isArray(after) ? after.map((v) => JSON.stringify(v)) : [];
  return a.every((value) => b.includes(value))
    ? { level: 'additive', why: 'entries added' }
    : { level: 'breaking', why: 'entries removed' };
};

/** A list of values the package refuses: more entries reject what was accepted. */
const refusedList: Rule = (before, after) =>
  acceptedList(after, before)?.level === 'additive'
    ? { level: 'additive', why: 'entries removed' }
    : { level: 'breaking', why: 'entries added' };

const RULES: Array<[RegExp, Rule]> = [
  [/^specVersion$/, fixed('patch', 'the version itself')],
  [/^apiVersion$/, fixed('breaking', 'another API version is another package major')],
  [/^source$/, fixed('patch', 'where the facts come from')],
  [
    /^outgoing\.replayWindow\.direction$/,
    (before, after) =>
      before === 'past' && after === 'both'
        ? {
            level: 'breaking',
            why: 'verification now also rejects a sent_at too far in the future, which it accepted',
          }
        : before === 'both' && after === 'past'
          ? { level: 'additive', why: 'verification no longer rejects a sent_at in the future' }
          : { level: 'breaking', why: 'verification follows another rule' },
  ],
  [/^outgoing\.replayWindow\.toleranceSeconds$/, ceiling],
  [/^outgoing\.replayWindow\.rejectStatus$/, fixed('breaking', 'receivers answer another status')],
  [/^outgoing\.replayWindow\.field$/, fixed('breaking', 'verification reads another field')],
  [
    /^outgoing\.signature\.(header|algorithm|encoding|hexLength|signedContent)$/,
    fixed('breaking', 'signatures are computed or read differently'),
  ],
  [
    /^outgoing\.signature\.rejectStatus$/,
    (before) =>
      before === undefined
        ? { level: 'patch', why: 'documents the status receivers already answer on a mismatch' }
        : { level: 'breaking', why: 'receivers answer another status' },
  ],
  [
    /^outgoing\.signature\.(secretName|secretEnv)$/,
    fixed('patch', 'a name in the documentation and samples'),
  ],
  [
    /^outgoing\.headers\[[^\]]+\]$/,
    (before, after) =>
      before === undefined
        ? { level: 'additive', why: 'header added' }
        : after === undefined
          ? { level: 'breaking', why: 'header removed' }
          : { level: 'patch', why: 'header documentation' },
  ],
  [/^outgoing\.headers\[[^\]]+\]\.(example|description)$/, fixed('patch', 'header documentation')],
  [/^outgoing\.userAgent\.pattern$/, fixed('breaking', 'User-Agent parsing changed')],
  [/^outgoing\.userAgent\.(format|example)$/, fixed('patch', 'documentation of the User-Agent')],
  [/^outgoing\.method$/, fixed('breaking', 'receivers accept another method')],
  [/^outgoing\.delivery\.ipAddresses$/, acceptedList],
  [/^outgoing\.delivery\./, fixed('patch', "a fact about the vendor's sender")],
  [
    /^incoming\.endpoints\[[^\]]+\]$/,
    (before) =>
      before === undefined
        ? { level: 'additive', why: 'endpoint added' }
        : { level: 'breaking', why: 'endpoint removed' },
  ],
  [/^incoming\.endpoints\[[^\]]+\]\./, fixed('breaking', 'the client sends elsewhere')],
  [/^incoming\.limits\./, ceiling],
  [/^incoming\.reservedKeys$/, refusedList],
  [/^incoming\.normalizationExamples$/, fixed('patch', 'examples')],
  [/^incoming\.(baseUrl|secretHeader)$/, fixed('breaking', 'the client talks to the API differently')],
  [/^inferred(\[.+\])?$/, fixed('patch', 'documentation: a fact the spec infers, and why')],
  // A topic added or removed is reported once, with its schema document.
  [/^topics\[[^\]]+\]$/, () => null],
  [/^topics\[[^\]]+\]\./, fixed('patch', 'topic table metadata')],
];

/** Arrays of objects with a natural key are compared by that key, not by position. */
const KEYED_ARRAYS: Record<string, string> = {
  'outgoing.headers': 'name',
  'incoming.endpoints': 'model',
  topics: 'kind',
  inferred: 'fact',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyed(value: unknown, key: string): Record<string, unknown> | undefined {
  if (!Array.isArray(value)) return undefined;
  return Object.fromEntries(
    value.map((item) => [`[${String((item as Record<string, unknown>)[key])}]`, item]),
  );
}

function ruleFor(path: string): Rule {
  // Unknown facts are flagged breaking, so a person decides what they mean.
  return (
    RULES.find(([pattern]) => pattern.test(path))?.[1] ??
    fixed('breaking', 'a fact spec:diff has no rule for (review it)')
  );
}

function walk(list: ChangeList, path: string, before: unknown, after: unknown): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const keyName = KEYED_ARRAYS[path];
  // A keyed array compares entry by entry, also when it first appears or goes away.
  if (keyName && (Array.isArray(before) || Array.isArray(after))) {
    const a = keyed(before, keyName) ?? {};
    const b = keyed(after, keyName) ?? {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      walk(list, `${path}${key}`, a[key], b[key]);
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(list, path ? `${path}.${key}` : key, before[key], after[key]);
    }
    return;
  }
  const verdict = ruleFor(path)(before, after);
  if (!verdict) return;
  const { level, why } = verdict;
  const what =
    before === undefined
      ? `added: ${show(after)}`
      : after === undefined
        ? `removed (was ${show(before)})`
        : `${show(before)} → ${show(after)}`;
  list.add(level, `api#${path}`, `${what}: ${why}`);
}

export function compareApi(list: ChangeList, before: ApiFacts, after: ApiFacts): void {
  walk(list, '', before, after);
}

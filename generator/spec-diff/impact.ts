/**
 * The consumer impact of a breaking change, in one sentence: what stops
 * compiling or which deliveries the validators start to refuse. Read from the
 * comparer's messages (change.ts lists the rules), most specific first.
 */
import type { SpecChange } from './change.js';

/** The field or subject a change is about, as a reader names it: `Profile.email`, `topic tour.snoozed`. */
export function subjectOf(change: SpecChange): string {
  const [label = '', rest = ''] = change.path.split('#');
  const name = label.replace(/^(model|incoming|envelope|common) /, '');
  if (!rest) return label;
  return label === 'api' ? `api.json ${rest}` : `${name}.${rest}`;
}

const IMPACTS: Array<[RegExp, (subject: string) => string]> = [
  [
    /^topic removed/,
    (s) => `Handlers registered for ${s} stop compiling, and its deliveries arrive as an unknown topic.`,
  ],
  [/removed \(spec\//, (s) => `Code importing ${s} stops compiling.`],
  [/^property removed/, (s) => `Handlers that read ${s} stop compiling.`],
  [
    /^required property added/,
    (s) => `Deliveries without ${s} become non-conforming (rejected with 400 in strict mode).`,
  ],
  [
    /^made required/,
    (s) => `Deliveries without ${s} become non-conforming (rejected with 400 in strict mode).`,
  ],
  [
    /^made optional/,
    (s) => `Handlers that read ${s} must now handle its absence, or stop compiling under strict null checks.`,
  ],
  [
    /^may now be null/,
    (s) => `Handlers that read ${s} must now handle null, or stop compiling under strict null checks.`,
  ],
  [/^no longer accepts null/, (s) => `Deliveries with ${s} set to null become non-conforming.`],
  [/^type name changed/, (s) => `Code importing the old type name of ${s} stops compiling.`],
  [
    /^type changed from/,
    (s) =>
      `${s} has another type: handlers that read it may stop compiling, and deliveries may stop conforming.`,
  ],
  [/^type narrowed/, (s) => `Deliveries whose ${s} has the type no longer allowed become non-conforming.`],
  [
    /^(enum narrowed|enum added|const changed)/,
    (s) => `Deliveries with a value of ${s} no longer listed become non-conforming.`,
  ],
  [
    /^enum closed/,
    (s) => `Values of ${s} outside the list become non-conforming, and the type no longer admits them.`,
  ],
  [/^(format|pattern) /, (s) => `Deliveries whose ${s} does not match the new format become non-conforming.`],
  [/\(narrowed\)$/, (s) => `Deliveries whose ${s} is outside the new bound become non-conforming.`],
  [
    /^closed to additional properties/,
    (s) => `Deliveries carrying undocumented keys in ${s} become non-conforming.`,
  ],
  [
    /^(items constrained|alternative removed|the schema of additional)/,
    (s) => `Deliveries whose ${s} matched the old schema only become non-conforming.`,
  ],
  [/^definition removed/, (s) => `Schemas that reference ${s} no longer resolve.`],
];

/** One sentence for a breaking change; API facts carry theirs after the last colon of the message. */
export function impactOf(change: SpecChange): string {
  const subject = `\`${subjectOf(change)}\``;
  if (change.path.startsWith('api#')) {
    const why = change.message.slice(change.message.lastIndexOf(': ') + 2);
    return `${subject}: ${why.charAt(0).toUpperCase()}${why.slice(1)}.`;
  }
  const rule = IMPACTS.find(([pattern]) => pattern.test(change.message));
  return rule
    ? rule[1](subject)
    : `${subject} changed in a way spec:diff does not classify: review what receivers and handlers rely on.`;
}

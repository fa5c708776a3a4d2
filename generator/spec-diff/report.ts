/**
 * The review formats of spec:diff: one report, as JSON for bots (described by
 * report.schema.json, shipped beside this file) and as Markdown for a
 * pull-request comment. Both carry the same content: the classification and
 * the bump the policy requires against the one the spec declares, the changes
 * grouped per topic and model with their JSON Pointer and old and new value,
 * one sentence of consumer impact per breaking change, and the diff stat of
 * generated/.
 */
import type { SpecModel } from '../model.js';
import type { ChangeLevel, DiffLevel } from './change.js';
import { bumpOf, requiredBump, type SpecDiff } from './diff.js';
import type { DiffStat } from './diffstat.js';
import { impactOf } from './impact.js';
import { locate } from './locate.js';

export type Bump = 'minor' | 'patch' | 'none' | 'downgrade';

export interface ReportChange {
  level: ChangeLevel;
  path: string;
  message: string;
  /** The spec file and the JSON Pointer inside it. */
  file: string;
  pointer: string;
  /** The value before and after (absent where there is none). */
  old?: unknown;
  new?: unknown;
  /** For a breaking change: what it means for consumers, in one sentence. */
  impact?: string;
}

export interface ReportGroup {
  /** `topic tour.completed`, `model Profile`, `api`. */
  subject: string;
  file: string;
  changes: ReportChange[];
}

export interface ReviewReport {
  from: SpecDiff['from'];
  to: SpecDiff['to'];
  level: DiffLevel;
  counts: Record<ChangeLevel, number>;
  bump: { required: Bump; declared: Bump; sufficient: boolean };
  groups: ReportGroup[];
  /** null when the stat was not computed (`--no-stat`). */
  generated: DiffStat | null;
}

const BUMPS: Record<DiffLevel | 'downgrade', Bump> = {
  breaking: 'minor',
  additive: 'minor',
  patch: 'patch',
  none: 'none',
  downgrade: 'downgrade',
};
const RANK: Record<Bump, number> = { downgrade: -1, none: 0, patch: 1, minor: 2 };

/** Drops undefined values, so the JSON has no `"old": undefined` keys a schema would have to allow. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function buildReport(
  diff: SpecDiff,
  before: SpecModel,
  after: SpecModel,
  generated: DiffStat | null,
): ReviewReport {
  const groups = new Map<string, ReportGroup>();
  for (const change of diff.changes) {
    const location = locate(change, before, after);
    const subject = change.path.split('#')[0]!;
    const group = groups.get(subject) ?? { subject, file: location.file, changes: [] };
    groups.set(subject, group);
    group.changes.push(
      defined({
        level: change.level,
        path: change.path,
        message: change.message,
        file: location.file,
        pointer: location.pointer,
        old: location.old,
        new: location.new,
        impact: change.level === 'breaking' ? impactOf(change) : undefined,
      }),
    );
  }
  const required = BUMPS[requiredBump(diff.level)];
  const declared = BUMPS[bumpOf(diff.from.specVersion, diff.to.specVersion)];
  const count = (level: ChangeLevel) => diff.changes.filter((c) => c.level === level).length;
  return {
    from: diff.from,
    to: diff.to,
    level: diff.level,
    counts: { breaking: count('breaking'), additive: count('additive'), patch: count('patch') },
    bump: { required, declared, sufficient: declared !== 'downgrade' && RANK[declared] >= RANK[required] },
    groups: [...groups.values()],
    generated,
  };
}

/** A value in a table cell: compact JSON in code, cut when long, pipes escaped. */
function cell(value: unknown): string {
  if (value === undefined) return '—';
  const text = JSON.stringify(value);
  const cut = text.length > 72 ? `${text.slice(0, 69)}…` : text;
  return `\`${cut.replace(/\|/g, '\\|')}\``;
}

const BUMP_NAMES: Record<Bump, string> = {
  minor: 'MINOR',
  patch: 'PATCH',
  none: 'no bump',
  downgrade: 'a downgrade',
};

function summary(report: ReviewReport): string {
  const { counts, bump, from, to } = report;
  const verdict = bump.sufficient ? '✅' : '❌';
  const counted = `${counts.breaking} breaking, ${counts.additive} additive, ${counts.patch} patch`;
  return (
    `**${report.level}** (${counted}): the policy requires ${BUMP_NAMES[bump.required]}; ` +
    `the spec declares ${BUMP_NAMES[bump.declared]} (${from.specVersion} → ${to.specVersion}) ${verdict}`
  );
}

function table(group: ReportGroup): string[] {
  const rows = group.changes.map(
    (c) =>
      `| ${c.level} | \`${c.pointer ? `#${c.pointer}` : '(document)'}\` | ${c.message.replace(/\|/g, '\\|')} | ${cell(c.old)} | ${cell(c.new)} |`,
  );
  return [
    `### ${group.subject} (\`${group.file}\`)`,
    '',
    '| level | JSON Pointer | change | old | new |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** The stat of generated/, folded: a spec change touches many fixtures, and the tables come first. */
function stat(generated: DiffStat): string[] {
  const heading = `### generated/: ${generated.files.length} files changed, +${generated.added} −${generated.removed}`;
  if (!generated.files.length) return [heading, '', 'No file of generated/ changes.'];
  const width = Math.max(...generated.files.map((f) => f.path.length));
  const lines = generated.files.map((f) => `${f.path.padEnd(width)} | +${f.added} −${f.removed}`);
  return [heading, '', '<details><summary>per file</summary>', '', '```', ...lines, '```', '', '</details>'];
}

/** The pull-request comment. */
export function toMarkdown(report: ReviewReport): string {
  const parts = [`## spec:diff ${report.from.specVersion} → ${report.to.specVersion}`, '', summary(report)];
  const breaking = report.groups.flatMap((g) => g.changes.filter((c) => c.impact));
  if (breaking.length) {
    parts.push('', '### Consumer impact', '', ...breaking.map((c) => `- ${c.impact}`));
    if (!report.bump.sufficient || report.level === 'breaking')
      parts.push('', 'Each breaking change needs a bullet under `### Breaking` in `spec/CHANGELOG.md`.');
  }
  for (const group of report.groups) parts.push('', ...table(group));
  if (!report.groups.length) parts.push('', 'No change.');
  if (report.generated) parts.push('', ...stat(report.generated));
  return `${parts.join('\n')}\n`;
}

/** The change lists spec:diff prints for a CHANGELOG.md section (the parser is generator/spec/changelog.ts). */
import type { SpecChange } from './change.js';
import type { SpecDiff } from './diff.js';

export { parseChangelog, type ChangelogEntry } from '../spec/changelog.js';

const SECTIONS = [
  ['breaking', 'Breaking'],
  ['additive', 'Added'],
  ['patch', 'Changed (documentation)'],
] as const;

function bullet(change: SpecChange): string {
  return `- \`${change.path}\`: ${change.message}`;
}

/** The change lists of one changelog section, as Markdown. */
export function changelogSections(diff: SpecDiff): string {
  const parts: string[] = [];
  for (const [level, title] of SECTIONS) {
    const changes = diff.changes.filter((change) => change.level === level);
    if (changes.length) parts.push(`### ${title}\n\n${changes.map(bullet).join('\n')}`);
  }
  return parts.join('\n\n');
}

/**
 * spec/CHANGELOG.md: one `## MINOR.PATCH` section per spec version, newest
 * first. Its change lists are what `npm run spec:diff -- OLD NEW --changelog`
 * prints; people add the prose. A `### Breaking` section acknowledges breaking
 * changes, one bullet per change, each starting with the change's path in
 * backticks: CI refuses a breaking change that is not listed there.
 * An optional `Baseline: \`dir\`` line names a spec directory to diff against
 * instead of the previous release (for a first release with a known history).
 * loadSpec reads it with the schemas, so the model (and the changelog emitter) has it.
 */

export interface ChangelogEntry {
  version: string;
  baseline?: string;
  /** The section's Markdown, without its heading. */
  body: string;
  /** Change paths listed under `### Breaking`. */
  acknowledged: string[];
  /** Every change path the section lists, in any subsection. */
  listed: string[];
}

const HEADING = /^## (\d+\.\d+)\s*$/;
const BULLET_PATH = /^\s*[-*] `([^`]+)`/;

export function parseChangelog(text: string): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  let current: { version: string; lines: string[] } | undefined;
  const finish = () => {
    if (!current) return;
    const lines = current.lines;
    let subsection = '';
    const acknowledged: string[] = [];
    const listed: string[] = [];
    for (const line of lines) {
      if (line.startsWith('### ')) subsection = line.slice(4).trim().toLowerCase();
      const path = BULLET_PATH.exec(line)?.[1];
      if (!path) continue;
      listed.push(path);
      if (subsection.startsWith('breaking')) acknowledged.push(path);
    }
    const baseline = lines.map((line) => /^Baseline: `([^`]+)`/.exec(line)?.[1]).find(Boolean);
    const body = lines
      .filter((line) => !line.startsWith('Baseline: '))
      .join('\n')
      .trim();
    entries.push({ version: current.version, ...(baseline ? { baseline } : {}), body, acknowledged, listed });
  };
  for (const line of text.split('\n')) {
    const version = HEADING.exec(line)?.[1];
    if (version) {
      finish();
      current = { version, lines: [] };
    } else current?.lines.push(line);
  }
  finish();
  return entries;
}

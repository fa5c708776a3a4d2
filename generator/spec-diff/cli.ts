/**
 * `npm run spec:diff -- OLD NEW [--format text|markdown|json] [--no-stat]`
 *
 * OLD and NEW are spec directories or git refs (their `spec/` is extracted).
 * `text` (the default) prints every change grouped by level, then a summary,
 * and on the last line the classification alone (`breaking`, `additive`,
 * `patch` or `none`), so a script can read it with `tail -n 1`. `markdown` is
 * a pull-request comment and `json` the same report for bots (report.ts,
 * described by report.schema.json); both include the generated/ diff stat
 * unless `--no-stat`. `--json` prints the bare SpecDiff; `--changelog` the
 * change lists for a spec/CHANGELOG.md section.
 * Exit codes: 0 after a diff, 2 for invalid input (missing or invalid spec).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SpecError } from '../generate.js';
import type { SpecChange } from './change.js';
import { changelogSections } from './changelog.js';
import { diffSpecs, requiredBump, type SpecDiff } from './diff.js';
import { generatedDiffStat } from './diffstat.js';
import { buildReport, toMarkdown } from './report.js';
import { loadSpecSource, SpecSourceError } from './source.js';
import type { SpecModel } from '../model.js';

const USAGE =
  'usage: npm run spec:diff -- OLD_SPEC_DIR_OR_GIT_REF NEW_SPEC_DIR_OR_GIT_REF [--format text|markdown|json] [--no-stat] [--json | --changelog]';
const FLAGS = ['--json', '--changelog', '--no-stat', '--format'];
const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** `--format X` or `--format=X`; undefined when absent, null when invalid. */
function formatOf(argv: string[]): Format | undefined | null {
  const index = argv.findIndex((arg) => arg === '--format' || arg.startsWith('--format='));
  if (index < 0) return undefined;
  const value = argv[index]!.includes('=') ? argv[index]!.split('=')[1] : argv[index + 1];
  return FORMATS.find((format) => format === value) ?? null;
}

/** The arguments that are spec sources: neither flags nor the value after `--format`. */
function sourcesOf(argv: string[]): string[] {
  return argv.filter((arg, index) => !arg.startsWith('--') && argv[index - 1] !== '--format');
}

/** The markdown or json report of a diff, with the generated/ diff stat unless `stat` is false. */
export async function renderReport(
  diff: SpecDiff,
  before: SpecModel,
  after: SpecModel,
  format: 'markdown' | 'json',
  stat = true,
): Promise<string> {
  const report = buildReport(diff, before, after, stat ? await generatedDiffStat(before, after) : null);
  return format === 'json' ? JSON.stringify(report, null, 2) : toMarkdown(report);
}

const HEADINGS = { breaking: 'Breaking', additive: 'Additive', patch: 'Patch' } as const;

export function formatDiff(diff: SpecDiff): string {
  const lines = [
    `spec ${diff.from.specVersion} (package ${diff.from.packageVersion}) → spec ${diff.to.specVersion} (package ${diff.to.packageVersion})`,
  ];
  for (const level of ['breaking', 'additive', 'patch'] as const) {
    const changes = diff.changes.filter((change) => change.level === level);
    if (!changes.length) continue;
    lines.push('', `${HEADINGS[level]} (${changes.length}):`);
    lines.push(...changes.map((change: SpecChange) => `  ${change.path}: ${change.message}`));
  }
  const counts = (['breaking', 'additive', 'patch'] as const).map(
    (level) => `${diff.changes.filter((c) => c.level === level).length} ${level}`,
  );
  const bump = requiredBump(diff.level);
  const needs = bump === 'none' ? 'no version bump' : bump === 'patch' ? 'a PATCH bump' : 'a MINOR bump';
  lines.push(
    '',
    `${diff.changes.length} change(s): ${counts.join(', ')}; the release needs ${needs}${diff.level === 'breaking' ? ' and an acknowledged Breaking section in spec/CHANGELOG.md' : ''}.`,
  );
  lines.push(diff.level);
  return lines.join('\n');
}

export async function main(argv: string[], repo = ROOT): Promise<number> {
  const json = argv.includes('--json');
  const changelog = argv.includes('--changelog');
  const format = formatOf(argv);
  const sources = sourcesOf(argv);
  const unknownFlag = argv.some((arg) => arg.startsWith('--') && !FLAGS.includes(arg.split('=')[0]!));
  if (sources.length !== 2 || unknownFlag || format === null) {
    console.error(USAGE);
    return 2;
  }
  const loaded: Array<Awaited<ReturnType<typeof loadSpecSource>>> = [];
  try {
    for (const source of sources) loaded.push(await loadSpecSource(source, repo));
    const [before, after] = [loaded[0]!.model, loaded[1]!.model];
    const diff = diffSpecs(before, after);
    if (format === 'markdown' || format === 'json')
      process.stdout.write(
        `${await renderReport(diff, before, after, format, !argv.includes('--no-stat'))}\n`,
      );
    else
      console.log(
        json ? JSON.stringify(diff, null, 2) : changelog ? changelogSections(diff) : formatDiff(diff),
      );
    return 0;
  } catch (error) {
    if (error instanceof SpecError || error instanceof SpecSourceError) {
      console.error(`spec:diff: ${error.message}`);
      return 2;
    }
    console.error(`spec:diff: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await Promise.all(loaded.map((source) => source.cleanup()));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2), process.cwd()).then((code) => process.exit(code));
}

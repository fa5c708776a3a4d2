/**
 * Writes a learned spec: the edited and new JSON files into a spec directory,
 * in the layout people write them (short schemas on one line), then the MINOR
 * bump of `specVersion` and a spec/CHANGELOG.md section whose bullets are
 * spec:diff's, each with its evidence, so `spec:check-release` accepts it.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModel } from '../pipeline.js';
import type { SpecModel } from '../model.js';
import { diffSpecs, type SpecDiff } from '../spec-diff/diff.js';
import { locate } from '../spec-diff/locate.js';
import type { Json } from './infer.js';
import type { LearnResult, Proposal } from './propose.js';

const WIDTH = 120;

/** JSON with two-space indentation, objects and arrays on one line when they fit. */
export function formatJson(value: unknown, indent = 0): string {
  const flat = flatJson(value);
  if (flat.length + indent <= WIDTH || value === null || typeof value !== 'object') return flat;
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if (Array.isArray(value))
    return `[\n${value.map((item) => pad + formatJson(item, indent + 2)).join(',\n')}\n${end}]`;
  const entries = Object.entries(value as Json).map(
    ([key, inner]) => `${pad}${JSON.stringify(key)}: ${formatJson(inner, indent + 2 + key.length + 4)}`,
  );
  return `{\n${entries.join(',\n')}\n${end}}`;
}

function flatJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flatJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, inner]) => `${JSON.stringify(key)}: ${flatJson(inner)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

function nextMinor(version: string): string {
  const [minor = 0] = version.split('.').map(Number);
  return `${minor + 1}.0`;
}

function evidenceLine(proposal: Proposal | undefined): string {
  if (!proposal) return '';
  const e = proposal.evidence;
  return ` Evidence: ${e.deliveries} of ${e.of} deliveries, ${e.firstSeen} to ${e.lastSeen}, e.g. \`${e.example}\`${e.format ? `; values look like ${e.format}` : ''}.`;
}

/** The changelog section: spec:diff's additive bullets, each with the evidence of its proposal. */
export function changelogSection(
  version: string,
  diff: SpecDiff,
  before: SpecModel,
  after: SpecModel,
  result: LearnResult,
  deliveries: number,
): string {
  const bullets = diff.changes
    .filter((change) => change.level === 'additive')
    .map((change) => {
      const where = locate(change, before, after);
      const proposal = result.proposals.find(
        (p) => `spec/${p.file}` === where.file && p.pointer === where.pointer,
      );
      return `- \`${change.path}\`: ${change.message}.${evidenceLine(proposal)}`;
    });
  return [
    `## ${version}`,
    '',
    `Learned by \`npm run spec:learn\` from ${deliveries} captured deliveries. Each change carries its evidence in the spec (\`x-learned\`); confirm it with the vendor, then remove the annotation.`,
    '',
    '### Added',
    '',
    ...bullets,
    '',
  ].join('\n');
}

/** The spec's CHANGELOG.md with `section` above its newest entry. */
function withSection(changelog: string, section: string): string {
  const first = changelog.search(/^## /m);
  return first < 0
    ? `${changelog.trimEnd()}\n\n${section}`
    : `${changelog.slice(0, first)}${section}\n${changelog.slice(first)}`;
}

export interface WriteOptions {
  /** Bump specVersion (MINOR) and add a CHANGELOG.md section (default true). */
  bump?: boolean;
  /** How many deliveries were read, for the changelog. */
  deliveries: number;
}

/** Writes the learned spec into `outDir` (a copy of `specDir` first, unless they are one). Returns the new model. */
export async function writeLearnedSpec(
  before: SpecModel,
  result: LearnResult,
  specDir: string,
  outDir: string,
  { bump = true, deliveries }: WriteOptions,
): Promise<SpecModel> {
  if (path.resolve(specDir) !== path.resolve(outDir)) {
    await mkdir(outDir, { recursive: true });
    await cp(specDir, outDir, { recursive: true });
  }
  const api = result.files.get('api.json')!;
  if (bump && result.proposals.length) api.specVersion = nextMinor(String(api.specVersion));
  for (const [file, json] of result.files) {
    const target = path.join(outDir, file);
    const text = `${formatJson(json)}\n`;
    const old = await readFile(target, 'utf8').catch(() => undefined);
    if (old !== undefined && JSON.stringify(JSON.parse(old)) === JSON.stringify(json)) continue; // untouched: keep its layout
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  if (!bump || !result.proposals.length) return loadModel(outDir);
  const unbumped = await loadModel(outDir);
  const section = changelogSection(
    String(api.specVersion),
    diffSpecs(before, unbumped),
    before,
    unbumped,
    result,
    deliveries,
  );
  const changelogFile = path.join(outDir, 'CHANGELOG.md');
  await writeFile(changelogFile, withSection(await readFile(changelogFile, 'utf8').catch(() => ''), section));
  return loadModel(outDir);
}

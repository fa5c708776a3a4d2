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

/**
 * How spec/ lays a value out, by where it is: a document (or an object schema with `properties`)
 * has one key per line; under `properties` and `definitions` each schema is one line, however
 * long, unless it is an object schema itself; `examples` are plain two-space JSON; anything else
 * is one line when it fits in WIDTH. Rewriting a file this way keeps its diff to what changed.
 */
type Layout = 'document' | 'schemas' | 'schema' | 'examples' | 'auto';

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function childLayout(layout: Layout, key: string): Layout {
  if (layout === 'schemas') return 'schema';
  if (key === 'properties' || key === 'definitions') return 'schemas';
  if (key === 'examples') return 'examples';
  return 'auto';
}

export function formatJson(value: unknown, indent = 0, layout: Layout = 'document', prefix = 0): string {
  const pad = ' '.repeat(indent + 2);
  const end = ' '.repeat(indent);
  if (layout === 'examples') return JSON.stringify(value, null, 2).replace(/\n/g, `\n${end}`);
  const expand =
    isPlainObject(value) &&
    (layout === 'document' ||
      layout === 'schemas' ||
      (layout === 'schema' && isPlainObject(value.properties)));
  if (expand) {
    const entries = Object.entries(value).map(([key, inner]) => {
      const label = `${JSON.stringify(key)}: `;
      const child = layout === 'schema' ? childLayout('document', key) : childLayout(layout, key);
      return `${pad}${label}${formatJson(inner, indent + 2, child, label.length)}`;
    });
    return entries.length ? `{\n${entries.join(',\n')}\n${end}}` : '{}';
  }
  const flat = flatJson(value);
  if (
    layout === 'schema' ||
    indent + prefix + flat.length <= WIDTH ||
    value === null ||
    typeof value !== 'object'
  )
    return flat;
  // A table (headers, endpoints, topics): one row per line, however long.
  const row = Array.isArray(value) && value.every(isPlainObject) ? 'schema' : 'auto';
  if (Array.isArray(value))
    return `[\n${value.map((item) => pad + formatJson(item, indent + 2, row)).join(',\n')}\n${end}]`;
  const entries = Object.entries(value as Json).map(([key, inner]) => {
    const label = `${JSON.stringify(key)}: `;
    return `${pad}${label}${formatJson(inner, indent + 2, 'auto', label.length)}`;
  });
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

/** Where the bracket opened at `open` closes, skipping strings. */
function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') if (--depth === 0) return i;
  }
  return -1;
}

/**
 * api.json edited as text, so its diff is the two lines that change: `specVersion` and one row per
 * new topic at the end of `topics`. Undefined when the result would not be `json` (then it is rewritten).
 */
function patchApi(old: string, json: Json): string | undefined {
  const before = JSON.parse(old) as Json;
  let text = old.replace(/("specVersion"\s*:\s*)"[^"]*"/, `$1${JSON.stringify(json.specVersion)}`);
  const added = (json.topics as Json[]).slice((before.topics as Json[]).length);
  if (added.length) {
    const open = text.search(/"topics"\s*:\s*\[/);
    const close = open < 0 ? -1 : closingBracket(text, text.indexOf('[', open));
    if (close < 0) return undefined;
    const last = text.slice(0, close).trimEnd();
    const indent = /\n( *)\{[^\n]*$/.exec(last)?.[1] ?? '    ';
    const rows = added.map((row) => `,\n${indent}${flatJson(row)}`).join('');
    text = `${last}${rows}${text.slice(last.length)}`;
  }
  return JSON.stringify(JSON.parse(text)) === JSON.stringify(json) ? text : undefined;
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
    const old = await readFile(target, 'utf8').catch(() => undefined);
    if (old !== undefined && JSON.stringify(JSON.parse(old)) === JSON.stringify(json)) continue; // untouched: keep its layout
    const text = (file === 'api.json' && old !== undefined && patchApi(old, json)) || `${formatJson(json)}\n`;
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

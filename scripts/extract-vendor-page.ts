/**
 * `npm run vendor:extract -- <seed file>`: reads a copy of the vendor's
 * "Webhooks overview" page (Markdown) and writes what the tests check the spec
 * against into test/vendor-page/overview.json: the topic table, the request
 * headers, and every example payload exactly as published (the raw text, which
 * is often not valid JSON) with its heading's topics and the defects it shows.
 * The tests read that file and never the page, so they run on any clone; run
 * this again when the vendor's page changes and review the diff.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const VENDOR_PAGE_FILE = path.join(ROOT, 'test', 'vendor-page', 'overview.json');

/** What an example, as published, gets wrong; the spec must say how it corrected each one. */
export type ExampleDefect =
  | 'placeholder' // `...` where keys or items were left out
  | 'comment' // a `// ...` comment, which JSON does not allow
  | 'trailing-comma' // a comma right before `}` or `]`
  | 'mojibake' // UTF-8 shown as Latin-1 (`ðŸŽ‰` for 🎉)
  | 'kind-mismatch' // its `kind` is none of the topics its heading names
  | 'invalid-json'; // JSON.parse rejects it as published

export interface VendorExample {
  /** The heading's anchor, e.g. `example-tour-all`. */
  anchor: string;
  /** The topics the heading names, in its order. */
  topics: string[];
  /** The top-level `kind` the payload states. */
  kind: string | null;
  defects: ExampleDefect[];
  /** The code block's text, as published. */
  raw: string;
}

export interface VendorPage {
  /** The seed's file name and the sha256 of its text, to tell which page this was taken from. */
  source: { file: string; sha256: string };
  /** Topics of the "Webhook topics" table, in order. */
  topicTable: string[];
  /** The "Request headers" table: name and example value, in order. */
  headers: Array<{ name: string; example: string }>;
  examples: VendorExample[];
}

/** The text from a heading that starts with `title` up to the next heading of the same or a higher level. */
function section(page: string, title: string): string {
  const start = page.search(new RegExp(`^(#+) ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  if (start < 0) throw new Error(`the page has no "${title}" heading`);
  const level = /^#+/.exec(page.slice(start))![0].length;
  const bodyStart = page.indexOf('\n', start) + 1;
  const end = page.slice(bodyStart).search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? page.slice(start) : page.slice(start, bodyStart + end);
}

/** The rows of the first Markdown table in `text`, as trimmed cells, without the header and rule. */
function tableRows(text: string): string[][] {
  const rows = text
    .split('\n')
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
  return rows.slice(2);
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

export function defectsOf(raw: string, topics: string[]): ExampleDefect[] {
  const defects: ExampleDefect[] = [];
  const kind = kindOf(raw);
  if (/\.\.\./.test(raw)) defects.push('placeholder');
  if (/^\s*\/\/|[,{[]\s*\/\//m.test(raw)) defects.push('comment');
  if (/,\s*[}\]]/.test(raw)) defects.push('trailing-comma');
  if (/ð|Ã/.test(raw)) defects.push('mojibake');
  if (kind !== null && !topics.includes(kind)) defects.push('kind-mismatch');
  try {
    JSON.parse(raw);
  } catch {
    defects.push('invalid-json');
  }
  return defects;
}

/** The payload's top-level `kind`: the first `"kind"` two spaces in, where the envelope's keys are. */
function kindOf(raw: string): string | null {
  return /^ {2}"kind"\s*:\s*"([^"]*)"/m.exec(raw)?.[1] ?? null;
}

function examplesOf(page: string): VendorExample[] {
  const examples: VendorExample[] = [];
  const headings = [...page.matchAll(/^#+ Example: (.*?)(?: :id=([\w-]+))?$/gm)];
  for (const [index, heading] of headings.entries()) {
    const end = headings[index + 1]?.index ?? page.length;
    const body = page.slice(heading.index, end).split(/^#{1,4} /m)[0]!;
    const topics = [...heading[1]!.matchAll(/`([a-z.]+)`/g)].map((match) => match[1]!);
    for (const block of body.matchAll(/^```json\n([\s\S]*?)^```/gm)) {
      const raw = block[1]!.replace(/\n$/, '');
      examples.push({
        anchor: heading[2] ?? '',
        topics,
        kind: kindOf(raw),
        defects: defectsOf(raw, topics),
        raw,
      });
    }
  }
  return examples;
}

/** Everything the tests need from one version of the vendor's page. */
export function extractVendorPage(page: string, file: string): VendorPage {
  const topicTable = tableRows(section(page, 'Webhook topics')).map((cells) => unquote(cells[0]!));
  const headers = tableRows(section(page, 'Request headers')).map((cells) => ({
    name: unquote(cells[0]!),
    example: unquote(cells[1]!),
  }));
  return {
    source: { file, sha256: createHash('sha256').update(page).digest('hex') },
    topicTable,
    headers,
    examples: examplesOf(page),
  };
}

async function main(argv: string[]): Promise<void> {
  const [seed, out = VENDOR_PAGE_FILE] = argv;
  if (!seed) throw new Error('usage: npm run vendor:extract -- <seed file> [output.json]');
  const page = extractVendorPage(await readFile(seed, 'utf8'), path.basename(seed));
  const options = (await resolveConfig(out)) ?? {};
  await writeFile(out, await format(JSON.stringify(page), { ...options, parser: 'json' }));
  console.log(
    `${path.relative(process.cwd(), out)}: ${page.topicTable.length} topics, ${page.headers.length} headers, ${page.examples.length} examples`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

// `chameleon-webhooks import profiles|companies|events FILE`: backfills a file of
// NDJSON or CSV rows into Chameleon through the incoming client. The file is streamed:
// rows are read, sent and let go one chunk at a time (`--chunk-rows` rows, and about
// one batch body's worth of row text), so memory stays bounded whatever
// the file's size. Progress goes to stderr, a summary to stdout, and every row not
// accepted goes, with its reason and line, to FILE.rejected.ndjson: nothing is lost.
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  createIncomingClient,
  IncomingRequestError,
  type BatchProgress,
  type IncomingClient,
  type IncomingClientOptions,
} from '../incoming/client.js';
import { CsvReader, CsvSyntaxError, type CsvRecord } from '../incoming/csv.js';
import { INCOMING_BASE_URL, INCOMING_LIMITS } from '../incoming/facts.js';
import type { FailureReason } from '../incoming/http.js';

export const IMPORT_USAGE = `Usage: chameleon-webhooks import <profiles|companies|events> FILE [options]

Sends every row of FILE (.ndjson/.jsonl: one JSON object per line; .csv: a header row,
then one row per item; empty cells are left out) to Chameleon's incoming webhooks.
The file is streamed, a chunk of rows at a time, so it may be of any size.

Options:
  --secret SECRET             the Account Secret (default: $CHAMELEON_ACCOUNT_SECRET)
  --base-url URL              default ${INCOMING_BASE_URL}
  --on-model-missing MODE     create (default) or ignore: for items whose record does not exist
  --batch-size N              items per batch request (default ${INCOMING_LIMITS.suggestedBatchItems})
  --chunk-rows N              rows read into memory at a time (default ${INCOMING_LIMITS.suggestedBatchItems},
                              or the batch size if larger)
  --rejected FILE             where rows not accepted go (default: FILE.rejected.ndjson)
  --help

Exit status: 0 when every row was accepted, 1 when some were rejected, 2 on a usage error.`;

const MODELS = ['profiles', 'companies', 'events'] as const;
type ImportModel = (typeof MODELS)[number];

/** Row text a chunk may hold, in characters: one batch body's worth, Chameleon's limit. */
const CHUNK_CHARS = INCOMING_LIMITS.batchBytes;
/** A batch request that failed this way stops the run: later rows are returned as not sent. */
const FATAL: readonly string[] = ['forbidden', 'not-found', 'rate-limited', 'server-error', 'network-error'];

/** Where the command writes; the process streams by default, a test passes its own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Extra client options (a test injects `fetch`, `sleep`). */
  client?: Partial<IncomingClientOptions>;
  /** Bytes per read from FILE (the stream's highWaterMark); a test makes it tiny. */
  readBytes?: number;
}

/** One row of the input file: its line, and the object or why it could not be read. */
interface Row {
  line: number;
  item?: Record<string, unknown>;
  problem?: string;
  raw?: string;
}

/** A row that was read as an object, ready to send. */
interface Item {
  line: number;
  item: Record<string, unknown>;
}

/** A row that was not accepted, as written to the rejected file. */
interface Rejected {
  line: number;
  reason: FailureReason | 'unreadable';
  status?: number;
  message: string;
  item?: Record<string, unknown>;
  raw?: string;
}

class UsageError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The file's text, piece by piece, with the bytes read so far (for the progress bar). */
async function* readPieces(file: string, io: CliIo): AsyncGenerator<{ text: string; bytesRead: number }> {
  const decoder = new TextDecoder('utf-8');
  let bytesRead = 0;
  for await (const buffer of createReadStream(file, io.readBytes ? { highWaterMark: io.readBytes } : {})) {
    bytesRead += (buffer as Buffer).length;
    yield { text: decoder.decode(buffer as Buffer, { stream: true }), bytesRead };
  }
  const rest = decoder.decode();
  if (rest) yield { text: rest, bytesRead };
}

function ndjsonRow(raw: string, line: number): Row {
  try {
    const value: unknown = JSON.parse(raw);
    return isObject(value)
      ? { line, item: value }
      : { line, raw, problem: 'The line is JSON but not an object.' };
  } catch (error) {
    return { line, raw, problem: `Not JSON: ${(error as Error).message}` };
  }
}

/**
 * NDJSON rows one by one; lines end in LF or CRLF, blank lines are skipped but counted.
 * A line longer than a batch body can never be sent: it is returned as unreadable (with
 * its start) instead of being held whole in memory.
 */
async function* readNdjson(file: string, io: CliIo): AsyncGenerator<Row & { bytesRead: number }> {
  let partial = '';
  let overlong: string | undefined;
  let line = 0;
  let bytesRead = 0;
  const rowsOf = function* (lines: string[]) {
    for (const text of lines) {
      line++;
      if (overlong !== undefined) {
        yield {
          line,
          raw: `${overlong}…`,
          problem: `The line is longer than ${CHUNK_CHARS} characters.`,
          bytesRead,
        };
        overlong = undefined;
        continue;
      }
      const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
      if (raw.trim() !== '') yield { ...ndjsonRow(raw, line), bytesRead };
    }
  };
  for await (const piece of readPieces(file, io)) {
    bytesRead = piece.bytesRead;
    const lines = (partial + piece.text).split('\n');
    partial = lines.pop()!;
    yield* rowsOf(lines);
    if (partial.length > CHUNK_CHARS) {
      overlong ??= partial.slice(0, 200);
      partial = '';
    }
  }
  yield* rowsOf([partial]);
}

/** CSV cells are strings (Chameleon parses numbers, booleans and dates from them); empty cells are left out. */
function csvRow(header: CsvRecord, { line, fields }: CsvRecord): Row {
  if (fields.length > header.fields.length) {
    return {
      line,
      raw: fields.join(','),
      problem: `The row has ${fields.length} fields; the header has ${header.fields.length}.`,
    };
  }
  const entries = fields.flatMap((value, column): Array<[string, string]> =>
    value === '' ? [] : [[header.fields[column]!, value]],
  );
  return { line, item: Object.fromEntries(entries) };
}

async function* readCsvRecords(file: string, io: CliIo): AsyncGenerator<CsvRecord & { bytesRead: number }> {
  const reader = new CsvReader({ maxRecordChars: CHUNK_CHARS });
  let bytesRead = 0;
  for await (const piece of readPieces(file, io)) {
    bytesRead = piece.bytesRead;
    for (const record of reader.push(piece.text)) yield { ...record, bytesRead };
  }
  for (const record of reader.end()) yield { ...record, bytesRead };
}

async function* readCsv(file: string, io: CliIo): AsyncGenerator<Row & { bytesRead: number }> {
  let header: CsvRecord | undefined;
  for await (const record of readCsvRecords(file, io)) {
    if (header) yield { ...csvRow(header, record), bytesRead: record.bytesRead };
    else header = record;
  }
}

/**
 * Reads the whole CSV once without keeping it, before anything is sent: a syntax error
 * anywhere stops the import with nothing sent, as it did when the file was read at once.
 */
async function checkCsv(file: string, io: CliIo): Promise<void> {
  for await (const record of readCsvRecords(file, io)) void record;
}

async function openRows(file: string, io: CliIo): Promise<AsyncGenerator<Row & { bytesRead: number }>> {
  if (/\.csv$/i.test(file)) {
    await checkCsv(file, io);
    return readCsv(file, io);
  }
  if (/\.(nd)?jsonl?$/i.test(file)) {
    await stat(file); // a missing file is a usage error, found before the client starts
    return readNdjson(file, io);
  }
  throw new UsageError(`${file}: the file must end in .ndjson, .jsonl or .csv`);
}

interface Options {
  model: ImportModel;
  file: string;
  secret: string;
  baseUrl?: string;
  onModelMissing?: 'create' | 'ignore';
  batchSize?: number;
  chunkRows: number;
  rejectedFile: string;
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(Number.isInteger(number) && number > 0)) throw new UsageError(`${flag} is a positive integer.`);
  return number;
}

function parseOptions(args: readonly string[], env: CliIo['env']): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      secret: { type: 'string' },
      'base-url': { type: 'string' },
      'on-model-missing': { type: 'string' },
      'batch-size': { type: 'string' },
      'chunk-rows': { type: 'string' },
      rejected: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const [model, file, ...rest] = positionals;
  if (!model || !(MODELS as readonly string[]).includes(model))
    throw new UsageError(`Name what to import: ${MODELS.join(', ')}.`);
  if (!file || rest.length) throw new UsageError('Name exactly one file to import.');
  const secret = values.secret ?? env.CHAMELEON_ACCOUNT_SECRET;
  if (!secret) throw new UsageError('No account secret: pass --secret or set CHAMELEON_ACCOUNT_SECRET.');
  const onModelMissing = values['on-model-missing'];
  if (onModelMissing !== undefined && onModelMissing !== 'create' && onModelMissing !== 'ignore') {
    throw new UsageError('--on-model-missing is create or ignore.');
  }
  const batchSize = positiveInteger(values['batch-size'], '--batch-size');
  const chunkRows =
    positiveInteger(values['chunk-rows'], '--chunk-rows') ??
    Math.max(batchSize ?? 0, INCOMING_LIMITS.suggestedBatchItems);
  return {
    model: model as ImportModel,
    file,
    secret,
    chunkRows,
    rejectedFile: values.rejected ?? `${file}.rejected.ndjson`,
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    ...(onModelMissing ? { onModelMissing } : {}),
    ...(batchSize ? { batchSize } : {}),
  };
}

/** Counts over the whole file so far, for progress and the summary. */
interface Totals {
  rows: number;
  items: number;
  accepted: number;
  returned: number;
}

/** The rows of one chunk, and how far into the file (in bytes) it starts and ends. */
interface Chunk {
  items: Item[];
  unreadable: Rejected[];
  fromByte: number;
  toByte: number;
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, a plain line per update
 * otherwise. The count is of rows read so far (the file's total is not known until its
 * end); the bar is how far through the file's bytes the import is.
 */
function progressPrinter(
  io: CliIo,
  label: string,
  fileBytes: number,
  totals: Totals,
  chunk: Chunk,
): (progress: BatchProgress) => void {
  return ({ total, done, accepted, returned }) => {
    const counts = `${totals.items + done}/${totals.items + total} rows (${totals.accepted + accepted} accepted, ${totals.returned + returned} returned)`;
    if (!io.stderr.isTTY) {
      io.stderr.write(`${label}: ${counts}\n`);
      return;
    }
    const width = 30;
    const through =
      chunk.fromByte +
      (total ? (chunk.toByte - chunk.fromByte) * (done / total) : chunk.toByte - chunk.fromByte);
    const filled = fileBytes ? Math.min(width, Math.round((through / fileBytes) * width)) : width;
    const finished = filled === width && done === total;
    io.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts}${finished ? '\n' : ''}`,
    );
  };
}

/** The state carried from chunk to chunk: the client, the counts, and whether a failure for good stopped sending. */
interface Run {
  client: IncomingClient;
  options: Options;
  io: CliIo;
  fileBytes: number;
  totals: Totals;
  stopped?: string;
}

function notSent(items: Item[], message: string): Rejected[] {
  return items.map(({ line, item }) => ({ line, reason: 'not-sent', message, item }));
}

async function importBatch(run: Run, chunk: Chunk): Promise<Rejected[]> {
  const { client, options, io } = run;
  if (run.stopped) return notSent(chunk.items, run.stopped);
  const resource = options.model === 'companies' ? client.companies : client.profiles;
  const report = await resource.batch(
    chunk.items.map(({ item }) => item),
    {
      ...(options.onModelMissing ? { onModelMissing: options.onModelMissing } : {}),
      onProgress: progressPrinter(io, `import ${options.model}`, run.fileBytes, run.totals, chunk),
    },
  );
  for (const warning of report.warnings)
    io.stderr.write(`line ${chunk.items[warning.index]!.line}: ${warning.path}: ${warning.message}\n`);
  const fatal = report.returned.find(({ reason }) => FATAL.includes(reason));
  if (fatal) run.stopped = `Not sent: an earlier request failed for good (${fatal.message}).`;
  return report.returned.map(({ index, reason, status, message, item }) => ({
    line: chunk.items[index]!.line,
    reason,
    ...(status === undefined ? {} : { status }),
    message,
    item,
  }));
}

/** Events have no batch endpoint: one request each, in order; a failure for good stops the run. */
async function importEvents(run: Run, chunk: Chunk): Promise<Rejected[]> {
  const { client, io } = run;
  const rejected: Rejected[] = [];
  const progress = progressPrinter(io, 'import events', run.fileBytes, run.totals, chunk);
  let accepted = 0;
  for (const { line, item } of chunk.items) {
    if (run.stopped) {
      rejected.push({ line, reason: 'not-sent', message: run.stopped, item });
    } else {
      try {
        const result = await client.events.track(item as Parameters<IncomingClient['events']['track']>[0]);
        accepted++;
        for (const warning of result.warnings)
          io.stderr.write(`line ${line}: ${warning.path}: ${warning.message}\n`);
      } catch (error) {
        if (!(error instanceof IncomingRequestError)) throw error;
        rejected.push({
          line,
          reason: error.reason,
          ...(error.status === undefined ? {} : { status: error.status }),
          message: error.message,
          item,
        });
        if (FATAL.includes(error.reason))
          run.stopped = `Not sent: an earlier request failed for good (${error.message}).`;
      }
    }
    const done = accepted + rejected.length;
    if (done === chunk.items.length || done % 100 === 0 || !io.stderr.isTTY)
      progress({ total: chunk.items.length, done, accepted, returned: rejected.length });
  }
  return rejected;
}

/** Appends rejected rows to the rejected file, creating it at the first one (no file when all were accepted). */
function rejectedWriter(file: string): { write(entries: Rejected[]): Promise<void>; close(): Promise<void> } {
  let handle: FileHandle | undefined;
  return {
    async write(entries) {
      if (!entries.length) return;
      handle ??= await open(file, 'w');
      await handle.write(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    },
    close: async () => handle?.close(),
  };
}

/** Groups rows into chunks of at most `chunkRows` rows and about `CHUNK_CHARS` characters of row text. */
async function* chunksOf(
  rows: AsyncIterable<Row & { bytesRead: number }>,
  chunkRows: number,
): AsyncGenerator<Chunk> {
  let chunk: Chunk = { items: [], unreadable: [], fromByte: 0, toByte: 0 };
  let chars = 0;
  for await (const row of rows) {
    if (row.item) chunk.items.push({ line: row.line, item: row.item });
    else
      chunk.unreadable.push({
        line: row.line,
        reason: 'unreadable',
        message: row.problem ?? 'Unreadable.',
        ...(row.raw === undefined ? {} : { raw: row.raw }),
      });
    chunk.toByte = row.bytesRead;
    chars += row.raw?.length ?? JSON.stringify(row.item).length;
    if (chunk.items.length + chunk.unreadable.length >= chunkRows || chars >= CHUNK_CHARS) {
      yield chunk;
      chunk = { items: [], unreadable: [], fromByte: chunk.toByte, toByte: chunk.toByte };
      chars = 0;
    }
  }
  if (chunk.items.length || chunk.unreadable.length) yield chunk;
}

async function runWith(options: Options, io: CliIo): Promise<number> {
  const rows = await openRows(options.file, io);
  const run: Run = {
    client: createIncomingClient({
      accountSecret: options.secret,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.batchSize ? { maxBatchItems: options.batchSize } : {}),
      ...io.client,
    }),
    options,
    io,
    fileBytes: (await stat(options.file)).size,
    totals: { rows: 0, items: 0, accepted: 0, returned: 0 },
  };
  const reasons = new Map<string, number>();
  const rejectedFile = rejectedWriter(options.rejectedFile);
  try {
    for await (const chunk of chunksOf(rows, options.chunkRows)) {
      const returned =
        options.model === 'events' ? await importEvents(run, chunk) : await importBatch(run, chunk);
      // Chunks come in file order, so sorting within one keeps the whole file in line order.
      const rejected = [...chunk.unreadable, ...returned].sort((a, b) => a.line - b.line);
      await rejectedFile.write(rejected);
      for (const entry of rejected) reasons.set(entry.reason, (reasons.get(entry.reason) ?? 0) + 1);
      run.totals.rows += chunk.items.length + chunk.unreadable.length;
      run.totals.items += chunk.items.length;
      run.totals.accepted += chunk.items.length - returned.length;
      run.totals.returned += returned.length;
    }
  } finally {
    await rejectedFile.close();
  }
  const rejectedCount = [...reasons.values()].reduce((sum, count) => sum + count, 0);
  io.stdout.write(
    `Imported ${options.model} from ${options.file}: ${run.totals.accepted} of ${run.totals.rows} rows accepted, ${rejectedCount} rejected.\n`,
  );
  if (rejectedCount) {
    io.stdout.write(
      `Rejected rows (${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ')}) are in ${options.rejectedFile}; each line holds the row under "item".\n`,
    );
  }
  return rejectedCount ? 1 : 0;
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Runs `import` with the arguments after the subcommand's name; resolves to the exit status. */
export async function runImport(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const options = parseOptions(args, io.env);
    if (options === 'help') {
      io.stdout.write(`${IMPORT_USAGE}\n`);
      return 0;
    }
    return await runWith(options, io);
  } catch (error) {
    // Usage mistakes, unreadable files and bad CSV are the user's to fix; anything else is a bug.
    const expected =
      error instanceof UsageError ||
      error instanceof CsvSyntaxError ||
      typeof (error as { code?: unknown }).code === 'string';
    if (!expected) throw error;
    io.stderr.write(`chameleon-webhooks import: ${(error as Error).message}\n\n${IMPORT_USAGE}\n`);
    return 2;
  }
}

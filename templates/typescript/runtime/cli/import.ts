// `chameleon-webhooks import profiles|companies|events FILE`: backfills a file of
// NDJSON or CSV rows into Chameleon through the incoming client. The file is streamed
// a chunk of rows at a time, so memory stays bounded whatever its size. Every row ends
// exactly once as accepted, rejected (FILE.rejected.*, in the input's format, reasons
// beside it) or unknown-outcome (FILE.unknown-outcome.*: sent, answer lost). A checkpoint
// is written before and after each chunk, so a stopped or killed import resumes with
// `--resume` without losing a row or sending an event twice.
import { parseArgs } from 'node:util';
import { createIncomingClient, type IncomingClient, type IncomingClientOptions } from '../incoming/client.js';
import { CsvReader, CsvSyntaxError } from '../incoming/csv.js';
import { INCOMING_BASE_URL, INCOMING_LIMITS } from '../incoming/facts.js';
import { isCredentialFailure, type FailureReason } from '../incoming/http.js';
import {
  besideInput,
  readCheckpoint,
  RowFile,
  writeCheckpoint,
  type Checkpoint,
  type RowReason,
  type Totals,
} from './import-files.js';
import { ImportProgress } from './import-progress.js';
import {
  openSource,
  readRows,
  type ReadFrom,
  type Row,
  type RowFormat,
  type RowSource,
} from './import-rows.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export const IMPORT_USAGE = `Usage: chameleon-webhooks import <profiles|companies|events> FILE [options]

Sends every row of FILE (.ndjson/.jsonl: one JSON object per line; .csv: a header row,
then one row per item; empty cells are left out) to Chameleon's incoming webhooks.
The file is streamed, a chunk of rows at a time, so it may be of any size.

Every row ends in exactly one place: accepted; rejected (in FILE.rejected.<ext>, in the
input's own format, so a fixed file imports as it is; why in FILE.rejected.reasons.ndjson);
or, for an event whose request was sent but whose answer was lost, unknown-outcome (in
FILE.unknown-outcome.<ext>): it may be stored, so it is not sent twice unless you ask.

Options:
  --secret SECRET             the Account Secret (default: $CHAMELEON_ACCOUNT_SECRET)
  --base-url URL              default ${INCOMING_BASE_URL}
  --on-model-missing MODE     create (default) or ignore: for items whose record does not exist
  --batch-size N              items per batch request (default ${INCOMING_LIMITS.suggestedBatchItems})
  --chunk-rows N              rows sent, then checkpointed, at a time (default: the batch size;
                              1 for events, so a kill leaves at most one event in doubt)
  --retry-ambiguous           send an event again when its answer was lost (it may be stored twice)
  --timeout SECONDS           time allowed for each request (default 30)
  --retry-delay SECONDS       the first wait before a retry; each retry doubles it (default 1)
  --rejected FILE             where rows not accepted go (default: FILE.rejected.<ext>)
  --unknown FILE              where unknown-outcome rows go (default: FILE.unknown-outcome.<ext>)
  --state FILE                the checkpoint (default: FILE.import-state.json)
  --resume                    continue after the last row the checkpoint confirms
  --progress-every SECONDS    off a terminal, a progress line this often (default 10)
  --help

Ctrl-C or SIGTERM lets the request in flight finish, writes the checkpoint and the summary, and exits 130.

Exit status: 0 every row accepted; 1 some rejected or unknown-outcome; 2 a usage or input
error; 3 Chameleon refused the Account Secret; 4 stopped by a failure for good (Chameleon or
the network): run again with --resume; 130 interrupted: run again with --resume.`;

const HINT = 'Run `chameleon-webhooks import --help` for the options.';

/** The exit statuses the usage text lists. */
export const IMPORT_EXIT = {
  accepted: 0,
  notAllAccepted: 1,
  usage: 2,
  secretRefused: 3,
  stopped: 4,
  interrupted: 130,
} as const;

const MODELS = ['profiles', 'companies', 'events'] as const;
type ImportModel = (typeof MODELS)[number];

/** Row bytes a chunk may hold: one batch body's worth, Chameleon's limit. */
const CHUNK_BYTES = INCOMING_LIMITS.batchBytes;

/** Where the command writes; the process streams by default, a test passes its own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Extra client options (a test injects `fetch`, `sleep`). */
  client?: Partial<IncomingClientOptions>;
  /** Bytes per read from FILE (the stream's highWaterMark); a test makes it tiny. */
  readBytes?: number;
  /** Aborted to stop after the chunk in flight (the process wires it to SIGINT). */
  signal?: AbortSignal;
  /** Milliseconds, for progress rates; a test passes a clock it moves. */
  now?: () => number;
}

class UsageError extends Error {}

interface Options {
  model: ImportModel;
  file: string;
  format: RowFormat;
  secret: string;
  baseUrl?: string;
  onModelMissing?: 'create' | 'ignore';
  batchSize?: number;
  chunkRows: number;
  retryAmbiguous: boolean;
  rejectedFile: string;
  unknownFile: string;
  stateFile: string;
  resume: boolean;
  progressEveryMs: number;
  timeoutMs?: number;
  retryDelayMs?: number;
}

function positiveNumber(value: string | undefined, flag: string, integer = true): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0 && (!integer || Number.isInteger(number))))
    throw new UsageError(`${flag} is a positive ${integer ? 'integer' : 'number'}.`);
  return number;
}

function formatOf(file: string): RowFormat {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(nd)?jsonl?$/i.test(file)) return 'ndjson';
  throw new UsageError(`${file}: the file must end in .ndjson, .jsonl or .csv.`);
}

const FLAGS = {
  secret: { type: 'string' },
  'base-url': { type: 'string' },
  'on-model-missing': { type: 'string' },
  'batch-size': { type: 'string' },
  'chunk-rows': { type: 'string' },
  'retry-ambiguous': { type: 'boolean' },
  timeout: { type: 'string' },
  'retry-delay': { type: 'string' },
  rejected: { type: 'string' },
  unknown: { type: 'string' },
  state: { type: 'string' },
  resume: { type: 'boolean' },
  'progress-every': { type: 'string' },
  help: { type: 'boolean' },
} as const;

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options: FLAGS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseOptions(args: readonly string[], env: CliIo['env']): Options | 'help' {
  const { values, positionals } = parseFlags(args);
  if (values.help) return 'help';
  const [model, file, ...rest] = positionals;
  if (!model || !(MODELS as readonly string[]).includes(model))
    throw new UsageError(`Name what to import: ${MODELS.join(', ')}.`);
  if (!file || rest.length) throw new UsageError('Name exactly one file to import.');
  const format = formatOf(file);
  const secret = values.secret ?? env.CHAMELEON_ACCOUNT_SECRET;
  if (!secret) throw new UsageError('No Account Secret: pass --secret or set CHAMELEON_ACCOUNT_SECRET.');
  const onModelMissing = values['on-model-missing'];
  if (onModelMissing !== undefined && onModelMissing !== 'create' && onModelMissing !== 'ignore') {
    throw new UsageError('--on-model-missing is create or ignore.');
  }
  const batchSize = positiveNumber(values['batch-size'], '--batch-size');
  const chunkRows =
    positiveNumber(values['chunk-rows'], '--chunk-rows') ??
    (model === 'events' ? 1 : (batchSize ?? INCOMING_LIMITS.suggestedBatchItems));
  const everySeconds = positiveNumber(values['progress-every'], '--progress-every', false) ?? 10;
  const timeout = positiveNumber(values.timeout, '--timeout', false);
  const retryDelay = positiveNumber(values['retry-delay'], '--retry-delay', false);
  return {
    model: model as ImportModel,
    file,
    format,
    secret,
    chunkRows,
    retryAmbiguous: values['retry-ambiguous'] ?? false,
    rejectedFile: values.rejected ?? besideInput(file, 'rejected'),
    unknownFile: values.unknown ?? besideInput(file, 'unknown-outcome'),
    stateFile: values.state ?? `${file}.import-state.json`,
    resume: values.resume ?? false,
    progressEveryMs: everySeconds * 1000,
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
    ...(onModelMissing ? { onModelMissing } : {}),
    ...(batchSize ? { batchSize } : {}),
    ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
    ...(retryDelay ? { retryDelayMs: retryDelay * 1000 } : {}),
  };
}

/**
 * Reads the whole CSV once without keeping it, before anything is sent: a syntax error
 * anywhere stops the import with nothing sent.
 */
async function checkCsv(file: string, io: CliIo): Promise<void> {
  const reader = new CsvReader({ maxRecordChars: CHUNK_BYTES });
  const decoder = new TextDecoder();
  const stream = createReadStream(file, io.readBytes ? { highWaterMark: io.readBytes } : {});
  for await (const buffer of stream as AsyncIterable<Buffer>)
    reader.push(decoder.decode(buffer, { stream: true }));
  reader.push(decoder.decode());
  reader.end();
}

/** Consecutive rows, at most `chunkRows` of them and about `CHUNK_BYTES` of row bytes. */
interface Chunk {
  rows: Row[];
  start: ReadFrom;
  end: ReadFrom;
}

async function* chunksOf(rows: AsyncIterable<Row>, from: ReadFrom, chunkRows: number): AsyncGenerator<Chunk> {
  let chunk: Chunk = { rows: [], start: from, end: from };
  let bytes = 0;
  for await (const row of rows) {
    chunk.rows.push(row);
    chunk.end = row.next;
    bytes += row.bytes?.length ?? CHUNK_BYTES;
    if (chunk.rows.length >= chunkRows || bytes >= CHUNK_BYTES) {
      yield chunk;
      chunk = { rows: [], start: chunk.end, end: chunk.end };
      bytes = 0;
    }
  }
  if (chunk.rows.length) yield chunk;
}

/** What became of one row of a chunk. `stop`: the run stopped before it had an outcome. */
type Outcome =
  | { kind: 'accepted'; duplicatePossible: boolean }
  | { kind: 'rejected' | 'unknown' | 'stop'; reason: string; status?: number; message: string };

/**
 * Failures that stop the run: no later request can do better, so the row is left for `--resume`.
 * For an upsert, an unknown outcome after every retry is one too: sending it again is harmless.
 */
function stopsTheRun(reason: FailureReason, model: ImportModel): boolean {
  if (reason === 'unknown-outcome') return model !== 'events';
  return (
    isCredentialFailure(reason) ||
    ['not-found', 'rate-limited', 'server-error', 'network-error', 'not-sent'].includes(reason)
  );
}

interface Run {
  options: Options;
  io: CliIo;
  client: IncomingClient;
  checkpoint: Checkpoint;
  rejected: RowFile;
  unknown: RowFile;
}

async function sendChunk(run: Run, chunk: Chunk): Promise<Outcome[]> {
  const { client, options, io } = run;
  const outcomes: Outcome[] = chunk.rows.map(({ problem }) =>
    problem
      ? { kind: 'rejected', reason: problem.reason, message: problem.message }
      : { kind: 'accepted', duplicatePossible: false },
  );
  const positions = chunk.rows.flatMap((row, position) => (row.item ? [position] : []));
  if (!positions.length) return outcomes;
  const items = positions.map((position) => chunk.rows[position]!.item!);
  const report =
    options.model === 'events'
      ? await client.events.trackMany(
          items as unknown as Parameters<IncomingClient['events']['trackMany']>[0],
        )
      : await client[options.model].batch(
          items,
          options.onModelMissing ? { onModelMissing: options.onModelMissing } : {},
        );
  for (const warning of report.warnings)
    io.stderr.write(
      `line ${chunk.rows[positions[warning.index]!]!.line}: ${warning.path}: ${warning.message}\n`,
    );
  for (const index of report.duplicatesPossible)
    outcomes[positions[index]!] = { kind: 'accepted', duplicatePossible: true };
  for (const { index, reason, status, message } of report.returned) {
    const kind = stopsTheRun(reason, options.model)
      ? 'stop'
      : reason === 'unknown-outcome'
        ? 'unknown'
        : 'rejected';
    outcomes[positions[index]!] = { kind, reason, ...(status === undefined ? {} : { status }), message };
  }
  return outcomes;
}

function count(totals: Totals, outcome: Outcome): void {
  totals.rows++;
  if (outcome.kind === 'accepted') {
    totals.accepted++;
    if (outcome.duplicatePossible) totals.duplicatesPossible++;
    return;
  }
  if (outcome.kind === 'rejected') totals.rejected++;
  else totals.unknownOutcome++;
  totals.reasons[outcome.reason] = (totals.reasons[outcome.reason] ?? 0) + 1;
}

function reasonOf(row: Row, outcome: Outcome & { kind: 'rejected' | 'unknown' }): RowReason {
  return {
    line: row.line,
    reason: outcome.reason,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    message: outcome.message,
    ...(row.problem?.start === undefined ? {} : { start: row.problem.start }),
  };
}

/** Records the outcomes of the rows before the first `stop`; returns that row, if any. */
async function confirm(run: Run, chunk: Chunk, outcomes: Outcome[]): Promise<Outcome | undefined> {
  const stopAt = outcomes.findIndex((outcome) => outcome.kind === 'stop');
  const done = stopAt < 0 ? outcomes.length : stopAt;
  const rejected: Array<{ bytes?: Buffer; reason: RowReason }> = [];
  const unknown: typeof rejected = [];
  for (let position = 0; position < done; position++) {
    const row = chunk.rows[position]!;
    const outcome = outcomes[position]!;
    count(run.checkpoint.totals, outcome);
    if (outcome.kind === 'accepted') continue;
    const entry = { ...(row.bytes ? { bytes: row.bytes } : {}), reason: reasonOf(row, outcome as never) };
    (outcome.kind === 'unknown' ? unknown : rejected).push(entry);
  }
  await run.rejected.write(rejected);
  await run.unknown.write(unknown);
  run.checkpoint.next =
    done === 0 ? chunk.start : done < chunk.rows.length ? chunk.rows[done - 1]!.next : chunk.end;
  delete run.checkpoint.inFlight;
  await saveCheckpoint(run);
  return stopAt < 0 ? undefined : outcomes[stopAt];
}

async function saveCheckpoint(run: Run): Promise<void> {
  run.checkpoint.rejected = { ...run.rejected.sizes, rows: run.rejected.count };
  run.checkpoint.unknown = { ...run.unknown.sizes, rows: run.unknown.count };
  await writeCheckpoint(run.options.stateFile, run.checkpoint);
}

/**
 * After a kill, the chunk that was in flight may have reached Chameleon. An upsert is simply
 * sent again; an event is not: its rows go to the unknown-outcome file, for review.
 */
async function settleInFlight(run: Run, source: RowSource): Promise<void> {
  const { inFlight, next } = run.checkpoint;
  if (!inFlight || run.options.model !== 'events') return;
  const rows: Row[] = [];
  for await (const row of readRows(run.options.file, run.options.format, source, next, {
    maxBytes: CHUNK_BYTES,
  })) {
    if (row.startByte >= inFlight.byte) break;
    rows.push(row);
  }
  const message =
    'The import was killed while this event was being sent: Chameleon may have stored it. Not sent again.';
  const outcomes: Outcome[] = rows.map((row) =>
    row.problem
      ? { kind: 'rejected', reason: row.problem.reason, message: row.problem.message }
      : { kind: 'unknown', reason: 'unknown-outcome', message },
  );
  await confirm(run, { rows, start: next, end: inFlight }, outcomes);
}

function freshCheckpoint(options: Options, fileBytes: number, firstRow: ReadFrom): Checkpoint {
  return {
    version: 1,
    model: options.model,
    fileBytes,
    next: firstRow,
    done: false,
    totals: { rows: 0, accepted: 0, rejected: 0, unknownOutcome: 0, duplicatesPossible: 0, reasons: {} },
    rejected: { data: 0, reasons: 0, rows: 0 },
    unknown: { data: 0, reasons: 0, rows: 0 },
  };
}

/** The checkpoint to continue from (`--resume`), or a fresh one; refuses to silently start over. */
async function startingPoint(options: Options, fileBytes: number, source: RowSource): Promise<Checkpoint> {
  const saved = await readCheckpoint(options.stateFile);
  if (!options.resume) {
    if (saved && !saved.done)
      throw new UsageError(
        `${options.stateFile}: an earlier import of this file stopped at line ${saved.next.line}. Pass --resume to continue it, or delete that file to start over.`,
      );
    return freshCheckpoint(options, fileBytes, source.firstRow);
  }
  if (!saved) throw new UsageError(`${options.stateFile}: no checkpoint to resume from.`);
  if (saved.model !== options.model)
    throw new UsageError(`${options.stateFile} is a checkpoint of an import of ${saved.model}.`);
  if (saved.fileBytes !== fileBytes)
    throw new UsageError(
      `${options.file} is ${fileBytes} bytes, ${saved.fileBytes} when the checkpoint was written: it changed, so the checkpoint does not apply.`,
    );
  return saved;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function byReason(reasons: Record<string, number>, keep: (reason: string) => boolean): string {
  return Object.entries(reasons)
    .filter(([reason]) => keep(reason))
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
}

function writeSummary(run: Run, ending: string): void {
  const { totals } = run.checkpoint;
  const { options, io } = run;
  const lines = [
    `Imported ${options.model} from ${options.file}: ${totals.accepted} of ${plural(totals.rows, 'row')} accepted, ${totals.rejected} rejected, ${totals.unknownOutcome} unknown-outcome, ${totals.duplicatesPossible} duplicates-possible.`,
  ];
  if (totals.rejected)
    lines.push(
      `Rejected rows (${byReason(totals.reasons, (reason) => reason !== 'unknown-outcome')}) are in ${run.rejected.file}, as in the input; why, row by row: ${run.rejected.reasonsFile}.`,
    );
  if (totals.unknownOutcome)
    lines.push(
      `Rows whose outcome is unknown (sent, answer lost: Chameleon may have stored them) are in ${run.unknown.file}; why: ${run.unknown.reasonsFile}. Check them before sending them again.`,
    );
  if (totals.duplicatesPossible)
    lines.push(
      `${plural(totals.duplicatesPossible, 'event')} sent again after a lost answer may be stored twice.`,
    );
  lines.push(`Checkpoint: ${options.stateFile} (${ending}).`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

async function runWith(options: Options, io: CliIo): Promise<number> {
  const fileBytes = (await stat(options.file)).size;
  if (options.format === 'csv') await checkCsv(options.file, io);
  const source = await openSource(options.file, options.format, CHUNK_BYTES);
  const checkpoint = await startingPoint(options, fileBytes, source);
  const run: Run = {
    options,
    io,
    checkpoint,
    client: createIncomingClient({
      accountSecret: options.secret,
      retryAmbiguous: options.retryAmbiguous,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.batchSize ? { maxBatchItems: options.batchSize } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retryDelayMs ? { retry: { baseDelayMs: options.retryDelayMs } } : {}),
      ...io.client,
    }),
    rejected: new RowFile(options.rejectedFile, options.format, source.headerBytes),
    unknown: new RowFile(options.unknownFile, options.format, source.headerBytes),
  };
  try {
    if (checkpoint.done) {
      writeSummary(run, 'already complete; nothing sent');
      return checkpoint.totals.rows === checkpoint.totals.accepted ? 0 : 1;
    }
    await run.rejected.resumeAt(checkpoint.rejected, checkpoint.rejected.rows);
    await run.unknown.resumeAt(checkpoint.unknown, checkpoint.unknown.rows);
    await settleInFlight(run, source);
    return await sendAll(run, source, fileBytes);
  } finally {
    await run.rejected.close();
    await run.unknown.close();
  }
}

async function sendAll(run: Run, source: RowSource, fileBytes: number): Promise<number> {
  const { options, io, checkpoint } = run;
  const now = io.now ?? Date.now;
  const progress = new ImportProgress(
    io.stderr,
    `import ${options.model}`,
    fileBytes,
    { byte: checkpoint.next.byte, rows: checkpoint.totals.rows },
    options.progressEveryMs,
    now,
  );
  const rows = readRows(options.file, options.format, source, checkpoint.next, {
    maxBytes: CHUNK_BYTES,
    ...(io.readBytes ? { readBytes: io.readBytes } : {}),
  });
  let stop: Outcome | undefined;
  let interrupted = false;
  for await (const chunk of chunksOf(rows, checkpoint.next, options.chunkRows)) {
    if (io.signal?.aborted) {
      interrupted = true;
      break;
    }
    checkpoint.inFlight = chunk.end;
    await saveCheckpoint(run);
    stop = await confirm(run, chunk, await sendChunk(run, chunk));
    progress.update(checkpoint.totals, checkpoint.next.byte);
    if (stop) break;
  }
  progress.finish(checkpoint.totals, checkpoint.next.byte);
  return finish(run, stop, interrupted);
}

async function finish(run: Run, stop: Outcome | undefined, interrupted: boolean): Promise<number> {
  const { checkpoint, io } = run;
  const resume = `run the same command with --resume to continue from line ${checkpoint.next.line}`;
  if (interrupted) {
    writeSummary(run, `interrupted; ${resume}`);
    return IMPORT_EXIT.interrupted;
  }
  if (stop && stop.kind !== 'accepted') {
    const secret = isCredentialFailure(stop.reason as FailureReason);
    io.stderr.write(
      secret
        ? `chameleon-webhooks import: Chameleon refused the Account Secret (${stop.message}). Check --secret or CHAMELEON_ACCOUNT_SECRET (Chameleon's dashboard shows the Account Secret); nothing more was sent.\n`
        : `chameleon-webhooks import: stopped at line ${checkpoint.next.line}: ${stop.message}. Nothing more was sent.\n`,
    );
    writeSummary(run, `stopped; ${resume}`);
    return secret ? IMPORT_EXIT.secretRefused : IMPORT_EXIT.stopped;
  }
  checkpoint.done = true;
  await saveCheckpoint(run);
  writeSummary(run, 'complete');
  const { rows, accepted } = checkpoint.totals;
  return rows === accepted ? IMPORT_EXIT.accepted : IMPORT_EXIT.notAllAccepted;
}

/**
 * The process's streams, with SIGINT (Ctrl-C) or SIGTERM (what `docker stop`, Kubernetes and systemd
 * send) stopping the import after the chunk in flight; a second signal stops it at once.
 */
function processIo(): CliIo & { dispose(): void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(IMPORT_EXIT.interrupted);
    controller.abort();
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    process.stderr.write(`\nStopping after the request in flight (${again} again to stop at once)…\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** One line for an error the user can fix: usage, a missing file, bad CSV. */
function isExpected(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof CsvSyntaxError ||
    error instanceof SyntaxError ||
    typeof (error as { code?: unknown } | null)?.code === 'string'
  );
}

/** Runs `import` with the arguments after the subcommand's name; resolves to the exit status. */
export async function runImport(args: readonly string[], io?: CliIo): Promise<number> {
  const own = io ? undefined : processIo();
  try {
    const options = parseOptions(args, (io ?? own!).env);
    if (options === 'help') {
      (io ?? own!).stdout.write(`${IMPORT_USAGE}\n`);
      return 0;
    }
    return await runWith(options, io ?? own!);
  } catch (error) {
    if (!isExpected(error)) throw error;
    (io ?? own!).stderr.write(`chameleon-webhooks import: ${(error as Error).message}\n${HINT}\n`);
    return IMPORT_EXIT.usage;
  } finally {
    own?.dispose();
  }
}

// The rows of an import file, read as bytes: each row keeps its exact place in the file
// (so a checkpoint can resume right after it) and its original bytes (so a rejected row is
// written back as it was). A row is decoded alone, so one invalid UTF-8 byte rejects that
// row only. CSV quotes and line breaks are ASCII, and an ASCII byte never occurs inside a
// multi-byte UTF-8 character, so records can be split before decoding.
import { createReadStream } from 'node:fs';
import { parseCsv } from '../incoming/csv.js';

export type RowFormat = 'ndjson' | 'csv';

/** Why a row could not be read into an item. */
export type RowProblem = 'unreadable' | 'invalid-utf8';

/** One record of the file: where it is, its bytes, and the item or why there is none. */
export interface Row {
  /** The line the record starts on, 1-based. */
  line: number;
  /** Where the record starts. */
  startByte: number;
  /** Where the next record starts (after this one's line break): a checkpoint resumes there. */
  next: ReadFrom;
  /** The record's bytes without its line break; absent for a record too long to hold. */
  bytes?: Buffer;
  item?: Record<string, unknown>;
  problem?: { reason: RowProblem; message: string; start?: string };
}

/** Where reading starts: the file's beginning, or a checkpoint's next row. */
export interface ReadFrom {
  byte: number;
  line: number;
  /** The byte before is a CR: an LF here ends no record and starts no line (CRLF). */
  afterCr?: boolean;
}

interface RawRecord {
  line: number;
  startByte: number;
  next: ReadFrom;
  bytes?: Buffer;
  /** The first bytes of a record longer than the limit, which was not kept. */
  overlongStart?: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Collects a record's bytes across reads, keeping none past `maxBytes`. */
class RecordBuffer {
  private pieces: Buffer[] = [];
  private size = 0;
  private overlongStart: Buffer | undefined;
  constructor(private readonly maxBytes: number) {}

  add(piece: Buffer): void {
    if (this.overlongStart) return;
    this.pieces.push(piece);
    this.size += piece.length;
    if (this.size > this.maxBytes) {
      this.overlongStart = Buffer.concat(this.pieces).subarray(0, 200);
      this.pieces = [];
    }
  }

  take(line: number, startByte: number, next: ReadFrom): RawRecord {
    const record: RawRecord = this.overlongStart
      ? { line, startByte, next, overlongStart: this.overlongStart }
      : { line, startByte, next, bytes: Buffer.concat(this.pieces) };
    this.pieces = [];
    this.size = 0;
    this.overlongStart = undefined;
    return record;
  }
}

/**
 * Splits the file into records from `from`: NDJSON at every LF; CSV at CR, LF or CRLF outside
 * quotes. Toggling on every quote is enough to know whether a break is quoted (`""` toggles twice).
 */
async function* records(
  file: string,
  format: RowFormat,
  from: ReadFrom,
  maxBytes: number,
  readBytes?: number,
): AsyncGenerator<RawRecord> {
  const buffer = new RecordBuffer(maxBytes);
  let offset = from.byte;
  let recordStart = from.byte;
  let recordLine = from.line;
  let line = from.line;
  let quoted = false;
  let afterCr = from.afterCr ?? false;
  const stream = createReadStream(file, {
    start: from.byte,
    ...(readBytes ? { highWaterMark: readBytes } : {}),
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let pieceStart = 0;
    for (let index = 0; index < chunk.length; index++) {
      if (format === 'ndjson') {
        index = chunk.indexOf(LF, index);
        if (index < 0) break;
      }
      const byte = chunk[index]!;
      if (byte === QUOTE) quoted = !quoted;
      const wasAfterCr = afterCr;
      afterCr = byte === CR;
      if (byte !== LF && byte !== CR) continue;
      if (byte === CR || !wasAfterCr) line++;
      if (quoted) continue;
      if (byte === LF && wasAfterCr && format === 'csv') {
        // The LF of a CRLF: the record ended at the CR; the next one starts after this byte.
        recordStart = offset + index + 1;
        pieceStart = index + 1;
        continue;
      }
      buffer.add(chunk.subarray(pieceStart, index));
      const next = { byte: offset + index + 1, line, ...(byte === CR ? { afterCr: true } : {}) };
      yield buffer.take(recordLine, recordStart, next);
      recordStart = offset + index + 1;
      recordLine = line;
      pieceStart = index + 1;
    }
    buffer.add(chunk.subarray(pieceStart));
    offset += chunk.length;
  }
  if (offset > recordStart) yield buffer.take(recordLine, recordStart, { byte: offset, line: line + 1 });
}

function decoded(record: RawRecord, maxBytes: number): string | NonNullable<Row['problem']> {
  if (!record.bytes) {
    const start = new TextDecoder().decode(record.overlongStart);
    return { reason: 'unreadable', message: `The row is longer than ${maxBytes} bytes.`, start };
  }
  try {
    return strictUtf8.decode(record.bytes);
  } catch {
    return {
      reason: 'invalid-utf8',
      message: 'The row is not valid UTF-8 (is the file in another encoding?).',
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ndjsonItem(text: string): Pick<Row, 'item' | 'problem'> {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return { item: value };
    return { problem: { reason: 'unreadable', message: 'The line is JSON but not an object.' } };
  } catch (error) {
    return { problem: { reason: 'unreadable', message: `Not JSON: ${(error as Error).message}` } };
  }
}

/** CSV cells are strings (Chameleon parses numbers, booleans and dates from them); empty cells are left out. */
function csvItem(text: string, header: readonly string[], line: number): Pick<Row, 'item' | 'problem'> {
  let fields: string[];
  try {
    fields = parseCsv(text)[0]?.fields ?? [''];
  } catch (error) {
    return { problem: { reason: 'unreadable', message: (error as Error).message } };
  }
  if (fields.length !== header.length) {
    const message = `Line ${line}: the row has ${fields.length} field${fields.length === 1 ? '' : 's'}; the header has ${header.length}.`;
    return { problem: { reason: 'unreadable', message } };
  }
  const entries = fields.flatMap((value, column): Array<[string, string]> =>
    value === '' ? [] : [[header[column]!, value]],
  );
  return { item: Object.fromEntries(entries) };
}

export interface RowSource {
  /** The CSV header's names (empty for NDJSON), and where the first row after it starts. */
  header: string[];
  headerBytes?: Buffer;
  firstRow: ReadFrom;
}

function isBlank(record: RawRecord, format: RowFormat): boolean {
  if (!record.bytes) return false;
  if (format === 'csv') return record.bytes.length === 0;
  return record.bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === CR);
}

/** Reads the CSV header (the first record), or nothing for NDJSON. */
export async function openSource(file: string, format: RowFormat, maxBytes: number): Promise<RowSource> {
  if (format === 'ndjson') return { header: [], firstRow: { byte: 0, line: 1 } };
  for await (const record of records(file, format, { byte: 0, line: 1 }, maxBytes)) {
    if (isBlank(record, format)) continue;
    const text = decoded(record, maxBytes);
    if (typeof text !== 'string')
      throw new SyntaxError(`The CSV header (line ${record.line}): ${text.message}`);
    const bom = text.startsWith('\uFEFF') ? 1 : 0;
    const header = parseCsv(text.slice(bom))[0]?.fields ?? [];
    return {
      header,
      headerBytes: record.bytes!,
      firstRow: record.next,
    };
  }
  throw new SyntaxError('The CSV file is empty: it needs a header row.');
}

/** Every row from `from`, blank ones skipped (their lines still count). */
export async function* readRows(
  file: string,
  format: RowFormat,
  source: RowSource,
  from: ReadFrom,
  options: { maxBytes: number; readBytes?: number },
): AsyncGenerator<Row> {
  for await (const record of records(file, format, from, options.maxBytes, options.readBytes)) {
    if (isBlank(record, format)) continue;
    const row: Row = { line: record.line, startByte: record.startByte, next: record.next };
    if (record.bytes) row.bytes = record.bytes;
    const text = decoded(record, options.maxBytes);
    if (typeof text !== 'string') {
      row.problem = text;
      yield row;
      continue;
    }
    const read =
      format === 'csv'
        ? csvItem(text, source.header, record.line)
        : ndjsonItem(text.endsWith('\r') ? text.slice(0, -1) : text);
    yield { ...row, ...read };
  }
}

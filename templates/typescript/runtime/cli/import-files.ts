// The files an import writes besides stdout: rows not accepted (and rows whose outcome is
// unknown) in the input's own format, each with a sidecar of reasons, and the checkpoint.
// A row goes back out with its original bytes, so once fixed the file imports as it is;
// the sidecar's Nth line tells why about the file's Nth row.
import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import type { RowFormat } from './import-rows.js';

/** Why one row is in a row file, as written to the sidecar. */
export interface RowReason {
  /** The row's line in the input. */
  line: number;
  reason: string;
  status?: number;
  message: string;
  /** The first characters of a row too long to be written back. */
  start?: string;
}

/** Bytes written so far to a row file and its sidecar: a checkpoint records them. */
export interface RowFileSizes {
  data: number;
  reasons: number;
}

/** `profiles.rejected.ndjson` → `profiles.rejected.reasons.ndjson`. */
export function reasonsFileOf(file: string): string {
  return `${file.replace(/\.[^./\\]+$/, '')}.reasons.ndjson`;
}

/** `profiles.ndjson` → `profiles.<kind>.ndjson`: beside the input, in its format. */
export function besideInput(file: string, kind: string): string {
  const match = /^(.*?)(\.[^./\\]+)?$/.exec(file)!;
  return `${match[1]}.${kind}${match[2] ?? ''}`;
}

/**
 * Appends rows to a data file and reasons to its sidecar, both created at the first row (no
 * file when there is none). `resumeAt` cuts both back to a checkpoint's sizes first (a fresh
 * import: to nothing): whatever a killed run wrote after its last checkpoint is written again
 * by the resumed run, so no row is in a file twice.
 */
export class RowFile {
  private data?: FileHandle;
  private reasons?: FileHandle;
  private rows = 0;
  readonly sizes: RowFileSizes = { data: 0, reasons: 0 };
  readonly reasonsFile: string;

  constructor(
    readonly file: string,
    private readonly format: RowFormat,
    private readonly header: Buffer | undefined,
  ) {
    this.reasonsFile = reasonsFileOf(file);
  }

  /** Rows written, by this run and the ones it resumes. */
  get count(): number {
    return this.rows;
  }

  async resumeAt(sizes: RowFileSizes, rows: number): Promise<void> {
    this.rows = rows;
    if (sizes.data === 0 && sizes.reasons === 0) {
      // Rows a killed run wrote after its checkpoint, or an earlier import's: none of this run's.
      await rm(this.file, { force: true });
      await rm(this.reasonsFile, { force: true });
      return;
    }
    this.data = await open(this.file, 'r+');
    this.reasons = await open(this.reasonsFile, 'r+');
    await this.data.truncate(sizes.data);
    await this.reasons.truncate(sizes.reasons);
    Object.assign(this.sizes, sizes);
  }

  async write(entries: ReadonlyArray<{ bytes?: Buffer; reason: RowReason }>): Promise<void> {
    if (!entries.length) return;
    if (!this.data || !this.reasons) {
      this.data = await open(this.file, 'w');
      this.reasons = await open(this.reasonsFile, 'w');
      if (this.format === 'csv' && this.header) await this.append('data', [this.header, Buffer.from('\n')]);
    }
    const rows: Buffer[] = [];
    const reasons: string[] = [];
    for (const { bytes, reason } of entries) {
      // A row too long to keep is only in the sidecar, with its start: `row` is then null.
      if (bytes) rows.push(bytes, Buffer.from('\n'));
      reasons.push(JSON.stringify({ row: bytes ? ++this.rows : null, ...reason }));
    }
    await this.append('data', rows);
    await this.append('reasons', [Buffer.from(`${reasons.join('\n')}\n`)]);
  }

  private async append(which: 'data' | 'reasons', pieces: Buffer[]): Promise<void> {
    const bytes = Buffer.concat(pieces);
    if (!bytes.length) return;
    await this[which]!.write(bytes, 0, bytes.length, this.sizes[which]);
    this.sizes[which] += bytes.length;
  }

  async close(): Promise<void> {
    await this.data?.close();
    await this.reasons?.close();
  }
}

/** Counts over the whole import, every run of it, for progress and the summary. */
export interface Totals {
  /** Rows with an outcome: accepted, rejected or unknown. */
  rows: number;
  accepted: number;
  rejected: number;
  unknownOutcome: number;
  duplicatesPossible: number;
  /** Rejected and unknown rows by reason. */
  reasons: Record<string, number>;
}

/** What `--resume` needs: where the next unconfirmed row is, and what was written before it. */
export interface Checkpoint {
  version: 1;
  model: string;
  /** The input's size when the import started: a different size means a different file. */
  fileBytes: number;
  /** Every row before this one has its outcome recorded. */
  next: { byte: number; line: number; afterCr?: boolean };
  /** Set while a chunk's requests may be in flight: the end of that chunk. */
  inFlight?: { byte: number; line: number; afterCr?: boolean };
  done: boolean;
  totals: Totals;
  rejected: RowFileSizes & { rows: number };
  unknown: RowFileSizes & { rows: number };
}

/** Written to a temporary file then renamed, so a kill leaves the old checkpoint or the new one. */
export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The checkpoint at `file`, or undefined when there is none. */
export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const checkpoint = JSON.parse(text) as Checkpoint;
  if (checkpoint.version !== 1) throw new SyntaxError(`${file} is not a checkpoint of this version.`);
  return checkpoint;
}

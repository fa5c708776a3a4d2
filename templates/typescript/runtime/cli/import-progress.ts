// Progress of an import on stderr. Every number is of rows whose outcome is known (accepted,
// rejected or unknown), never of rows merely read; the percentage is of the file's bytes up
// to the last such row. On a terminal one line is redrawn in place (at most every 100 ms),
// with rows per second and an ETA; elsewhere (a log, CI) a plain line every `everyMs`.
import type { Totals } from './import-files.js';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const REDRAW_MS = 100;

function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export class ImportProgress {
  private readonly startedAt: number;
  private lastShown: number;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly fileBytes: number,
    /** Where this run started reading, and the rows already done then (a resumed run). */
    private readonly start: { byte: number; rows: number },
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
    this.lastShown = this.startedAt;
  }

  /** The line for `totals`, with `byte` the end of the last row that has its outcome. */
  line(totals: Totals, byte: number): string {
    const percent = this.fileBytes ? (100 * byte) / this.fileBytes : 100;
    const seconds = (this.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? (totals.rows - this.start.rows) / seconds : 0;
    const bytesRate = seconds > 0 ? (byte - this.start.byte) / seconds : 0;
    const eta = bytesRate > 0 ? ` ETA ${clock((this.fileBytes - byte) / bytesRate)}` : '';
    const counts = `${totals.rows} rows (${totals.accepted} accepted, ${totals.rejected} rejected, ${totals.unknownOutcome} unknown-outcome)`;
    return `${this.label} ${percent.toFixed(1)}% ${counts} ${Math.round(rate)} rows/s${this.out.isTTY ? eta : ''}`;
  }

  update(totals: Totals, byte: number): void {
    const now = this.now();
    if (this.out.isTTY) {
      if (now - this.lastShown < REDRAW_MS && this.drawn) return;
      this.out.write(`\r${this.line(totals, byte)}\u001b[K`);
      this.drawn = true;
    } else {
      if (now - this.lastShown < this.everyMs) return;
      this.out.write(`${this.line(totals, byte)}\n`);
    }
    this.lastShown = now;
  }

  /** The last line (a terminal's is drawn once more, complete, and ended). */
  finish(totals: Totals, byte: number): void {
    if (this.out.isTTY) this.out.write(`\r${this.line(totals, byte)}\u001b[K\n`);
  }
}

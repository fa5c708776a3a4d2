// A small RFC 4180 reader for the import CLI: quoted fields, doubled quotes inside
// them, separators and line breaks inside quotes, CRLF, LF or CR line ends, a leading BOM.
// It reads text in pieces (`CsvReader`), so a file of any size streams through it with
// only the record being read held in memory; a record may span any number of pieces.

/** One CSV record and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Thrown for text that is not CSV (a quote left open, text after a closing quote). */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface CsvReaderOptions {
  /**
   * The longest record, in characters, before reading stops with a CsvSyntaxError.
   * A quote left open would otherwise swallow the rest of the file into one field.
   */
  maxRecordChars?: number;
}

type State = 'field-start' | 'unquoted' | 'quoted' | 'after-quote';

/** Reads CSV text piece by piece: `push` each piece, then `end`; each returns the records it completed. Blank lines are skipped. */
export class CsvReader {
  private records: CsvRecord[] = [];
  private fields: string[] = [];
  private field = '';
  private recordChars = 0;
  private state: State = 'field-start';
  private line = 1;
  private recordLine = 1;
  private started = false;
  /** A last character whose meaning depends on the next one (`"` inside quotes, `\r`), kept for the next piece. */
  private held = '';
  private readonly maxRecordChars: number;

  constructor(options: CsvReaderOptions = {}) {
    this.maxRecordChars = options.maxRecordChars ?? Number.POSITIVE_INFINITY;
  }

  /** Reads one more piece of text; returns the records it completed. */
  push(piece: string): CsvRecord[] {
    let text = this.held + piece;
    this.held = '';
    if (!this.started && text !== '') {
      this.started = true;
      text = text.replace(/^\uFEFF/, '');
    }
    this.read(text, false);
    return this.take();
  }

  /** Finishes reading: returns the last record, or throws if a quote is left open. */
  end(): CsvRecord[] {
    const text = this.held;
    this.held = '';
    this.read(text, true);
    if (this.state === 'quoted') throw new CsvSyntaxError('a quoted field is never closed', this.recordLine);
    if (this.field !== '' || this.fields.length || this.state === 'after-quote') this.endRecord();
    return this.take();
  }

  private take(): CsvRecord[] {
    const done = this.records;
    this.records = [];
    return done;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = 'field-start';
  }

  private endRecord(): void {
    this.endField();
    const blank = this.fields.length === 1 && this.fields[0] === '';
    if (!blank) this.records.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.recordChars = 0;
  }

  private addChar(char: string): void {
    this.field += char;
    if (++this.recordChars > this.maxRecordChars) {
      throw new CsvSyntaxError(
        `the record is longer than ${this.maxRecordChars} characters (is a quote left open?)`,
        this.recordLine,
      );
    }
  }

  private read(text: string, final: boolean): void {
    for (let index = 0; index < text.length; index++) {
      const char = text[index]!;
      const next = text[index + 1];
      const needsNext = char === '\r' || (char === '"' && this.state === 'quoted');
      if (needsNext && next === undefined && !final) {
        this.held = char;
        return;
      }
      if (this.state === 'quoted') {
        if (char === '"' && next === '"') {
          this.addChar('"');
          index++;
        } else if (char === '"') {
          this.state = 'after-quote';
        } else {
          if (char === '\n' || (char === '\r' && next !== '\n')) this.line++;
          this.addChar(char);
        }
      } else if (char === ',') {
        this.endField();
      } else if (char === '\n' || char === '\r') {
        if (char === '\r' && next === '\n') index++;
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
      } else if (this.state === 'after-quote') {
        throw new CsvSyntaxError('text follows a closing quote', this.line);
      } else if (char === '"' && this.state === 'field-start') {
        this.state = 'quoted';
      } else {
        this.addChar(char);
        this.state = 'unquoted';
      }
    }
  }
}

/** Parses CSV text into records; blank lines are skipped. */
export function parseCsv(input: string, options: CsvReaderOptions = {}): CsvRecord[] {
  const reader = new CsvReader(options);
  return [...reader.push(input), ...reader.end()];
}

import { Transform, type TransformCallback } from 'node:stream';
import { countLineBreaks, parseRecord, type Field } from './csv-text';

const MAX_HEADER_BYTES = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Index just past the first record's line break, by the rules in csv-text.ts
 * (a quote opens a field only at its start); -1 if the record is not complete yet.
 */
export function endOfFirstRecord(buffer: Buffer, delimiter = 0x2c, quote = 0x22): number {
  let inQuotes = false;
  let fieldStart = true;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (inQuotes) {
      if (byte === quote) {
        if (i + 1 >= buffer.length) return -1;
        if (buffer[i + 1] === quote) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (byte === quote && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else if (byte === delimiter) {
      fieldStart = true;
    } else if (byte === LF) {
      return i + 1;
    } else if (byte === CR) {
      if (i + 1 >= buffer.length) return -1;
      return buffer[i + 1] === LF ? i + 2 : i + 1;
    } else {
      fieldStart = false;
    }
  }
  return -1;
}

/** The header record itself is unusable (as opposed to the stream failing). */
export class HeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaderError';
  }
}

export interface HeaderRecord {
  fields: Field[];
  /** Lines of the file the header takes (more than one when a quoted name holds a line break). */
  lines: number;
}

function toHeader(text: string, delimiter: string, quote: string, terminated: boolean): HeaderRecord {
  const breaks = countLineBreaks(text);
  return { fields: parseRecord(text, delimiter, quote).fields, lines: terminated ? breaks : breaks + 1 };
}

/**
 * Takes the header record off the front of a UTF-8 CSV byte stream (byte order
 * mark already dropped) and passes the remaining bytes through untouched.
 */
export class HeaderSplitter extends Transform {
  private head: Buffer | null = Buffer.alloc(0);
  private headerResolve!: (header: HeaderRecord) => void;
  private headerReject!: (error: Error) => void;
  readonly header: Promise<HeaderRecord>;

  constructor(
    private readonly delimiter = ',',
    private readonly quote = '"',
  ) {
    super();
    this.header = new Promise((resolve, reject) => {
      this.headerResolve = resolve;
      this.headerReject = reject;
    });
    this.header.catch(() => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.head === null) return done(null, chunk);
    const buffer = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
    const end = endOfFirstRecord(buffer, this.delimiter.charCodeAt(0), this.quote.charCodeAt(0));
    if (end === -1) {
      if (buffer.length > MAX_HEADER_BYTES) {
        const error = new HeaderError(
          `no end of the header record in the first ${MAX_HEADER_BYTES} bytes: a quote in the header may never be closed`,
        );
        this.headerReject(error);
        return done(error);
      }
      this.head = buffer;
      return done();
    }
    this.head = null;
    this.headerResolve(toHeader(buffer.subarray(0, end).toString('utf8'), this.delimiter, this.quote, true));
    return done(null, buffer.subarray(end));
  }

  override _flush(done: TransformCallback): void {
    if (this.head !== null) {
      const rest = this.head.toString('utf8');
      this.head = null;
      if (rest === '') {
        const error = new HeaderError('the file is empty: a CSV needs at least a header line');
        this.headerReject(error);
        return done(error);
      }
      // A header with no line break and no rows.
      this.headerResolve(toHeader(rest, this.delimiter, this.quote, false));
    }
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (this.head !== null) this.headerReject(error ?? new Error('the stream ended before the header record'));
    done(error);
  }
}

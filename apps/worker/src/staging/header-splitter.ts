import { Transform, type TransformCallback } from 'node:stream';
import { countLineBreaks, parseRecord, type Field } from './csv-text';
import { FieldSplitter } from './field-splitter';

const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Index just past the first record's line break, by the rules every reader here
 * shares (FieldSplitter); -1 if the record is not complete yet.
 */
export function endOfFirstRecord(buffer: Buffer, delimiter = 0x2c, quote = 0x22): number {
  const splitter = new FieldSplitter(
    { delimiter: String.fromCharCode(delimiter), quote: String.fromCharCode(quote) },
    null,
  );
  splitter.feed(buffer);
  return splitter.firstRecordEnd;
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

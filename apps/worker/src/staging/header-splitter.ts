import { Transform, type TransformCallback } from 'node:stream';
import Papa from 'papaparse';

const MAX_HEADER_BYTES = 1024 * 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Index just past the first record's line ending, honouring quoted newlines; -1 if not yet seen. */
export function endOfFirstRecord(buffer: Buffer, quote = 0x22): number {
  let inQuotes = false;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte === quote) inQuotes = !inQuotes;
    else if (!inQuotes && byte === 0x0a) return i + 1;
    else if (!inQuotes && byte === 0x0d) {
      if (i + 1 >= buffer.length) return -1;
      return buffer[i + 1] === 0x0a ? i + 2 : i + 1;
    }
  }
  return -1;
}

export function parseHeader(line: string): string[] {
  const parsed = Papa.parse<string[]>(line.replace(/\r?\n$|\r$/, ''), { header: false });
  return parsed.data[0] ?? [];
}

/**
 * Takes the header record off the front of a CSV byte stream (dropping a UTF-8
 * BOM) and passes the remaining bytes through untouched, so they can go
 * straight to COPY.
 */
export class HeaderSplitter extends Transform {
  private head: Buffer | null = Buffer.alloc(0);
  private headerResolve!: (headers: string[]) => void;
  private headerReject!: (error: Error) => void;
  readonly header: Promise<string[]>;
  bytesSeen = 0;

  constructor() {
    super();
    this.header = new Promise((resolve, reject) => {
      this.headerResolve = resolve;
      this.headerReject = reject;
    });
    this.header.catch(() => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytesSeen += chunk.length;
    if (this.head === null) return done(null, chunk);
    let buffer = Buffer.concat([this.head, chunk]);
    if (buffer.length >= 3 && buffer.subarray(0, 3).equals(BOM)) buffer = buffer.subarray(3);
    const end = endOfFirstRecord(buffer);
    if (end === -1) {
      if (buffer.length > MAX_HEADER_BYTES) {
        const error = new Error(`no end of the header line in the first ${MAX_HEADER_BYTES} bytes: is this a CSV file?`);
        this.headerReject(error);
        return done(error);
      }
      this.head = buffer;
      return done();
    }
    this.head = null;
    this.headerResolve(parseHeader(buffer.subarray(0, end).toString('utf8')));
    return done(null, buffer.subarray(end));
  }

  override _flush(done: TransformCallback): void {
    if (this.head !== null) {
      const rest = this.head.toString('utf8');
      this.head = null;
      if (rest.trim() === '') {
        const error = new Error('the file is empty: a CSV needs at least a header line');
        this.headerReject(error);
        return done(error);
      }
      // A header with no line ending and no rows.
      this.headerResolve(parseHeader(rest));
    }
    done();
  }
}

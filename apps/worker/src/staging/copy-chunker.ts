import { Transform, type TransformCallback } from 'node:stream';
import { FieldSplitter } from './field-splitter';
import { TypeTally, type TypeTallyOptions } from './type-tally';

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
/**
 * Bytes per COPY command, cut at the next record boundary. About five units are in
 * flight at once (one per COPY stream, one waiting for a stream, one being cut), so
 * this sets most of the stage step's memory: at 1 GB, 2 MiB units peaked at 132 MB
 * (clean) and 164 MB (messy) against 154 and 218 MB with 4 MiB, at the same speed
 * within 2%; 1 MiB units made the clean file 17% slower (docs/benchmarks.md).
 */
export const DEFAULT_UNIT_BYTES = 2 * 1024 * 1024;

/** Whole records of the body, for one COPY command. */
export interface CopyUnit {
  /** The unit's bytes, in pieces as they came (not copied into one buffer). */
  pieces: Buffer[];
  bytes: number;
  /** Number of the unit's first record in the body (1 = the first record after the header). */
  firstRecord: number;
  records: number;
}

/** The bytes need the normalizing path; the message says why. */
export class NeedsNormalizingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NeedsNormalizingError';
  }
}

export interface CopyChunkerOptions extends TypeTallyOptions {
  /**
   * The fast path's checks of raw bytes (they are COPY input as they are): a
   * problem fails the stream with NeedsNormalizingError. Off for the
   * normalizing path's output, which is valid by construction.
   */
  guard: boolean;
  unitBytes?: number;
}

function isBreak(byte: number | undefined): boolean {
  return byte === LF || byte === CR;
}

/**
 * Cuts the CSV body going to COPY into units of whole records, so that several
 * COPY streams can load one file, and infers the column types from every value
 * on the way (FieldSplitter into TypeTally). On the fast path it also guards what COPY would read
 * differently from Relayboard's rules: every quote must open a field, close one,
 * or be doubled inside one (COPY would read `5" screen` as the start of a quoted
 * field and swallow the rows after it), there must be no NUL bytes, and no line
 * may be just `\.` (an end-of-data marker to COPY before PostgreSQL 18). Blank
 * lines at the end of the body are dropped, as the normalizing path drops them.
 */
export class CopyChunker extends Transform {
  readonly tally: TypeTally;
  readonly splitter: FieldSplitter;
  private readonly guard: boolean;
  private readonly unitBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Records already sent on in units. */
  private recordsSent = 0;
  /** Line breaks held back from the end of the previous chunk. */
  private held: Buffer | null = null;
  /** The last byte passed on, or -1 at the start of the body. */
  private last = -1;

  constructor(options: CopyChunkerOptions) {
    super({ readableObjectMode: true, readableHighWaterMark: 1 });
    this.tally = new TypeTally(options);
    this.splitter = new FieldSplitter(options, this.tally);
    this.guard = options.guard;
    this.unitBytes = options.unitBytes ?? DEFAULT_UNIT_BYTES;
  }

  /** Records read so far. */
  get records(): number {
    return this.splitter.records;
  }

  override _transform(input: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (input.length === 0) return done();
    let chunk = this.held ? Buffer.concat([this.held, input]) : input;
    this.held = null;
    if (this.guard) {
      const problem = this.check(chunk);
      if (problem) return done(new NeedsNormalizingError(problem));
    }
    let keep = chunk.length;
    while (keep > 0 && isBreak(chunk[keep - 1])) keep--;
    // Hold back the line breaks at the end: if the body ends there, they are blank lines to drop.
    if (keep < chunk.length) {
      this.held = Buffer.from(chunk.subarray(keep));
      chunk = chunk.subarray(0, keep);
      if (keep === 0) return done();
    }
    this.last = chunk[chunk.length - 1];
    const { splitter } = this;
    splitter.feed(chunk);
    if (this.guard && splitter.problem) return done(new NeedsNormalizingError(splitter.problem));
    if (splitter.boundary === -1) {
      this.add(chunk);
      return done();
    }
    this.add(chunk.subarray(0, splitter.boundary));
    if (this.pendingBytes >= this.unitBytes) this.send(splitter.recordsAtBoundary);
    if (splitter.boundary < chunk.length) this.add(chunk.subarray(splitter.boundary));
    done();
  }

  override _flush(done: TransformCallback): void {
    const { splitter } = this;
    if (this.guard && splitter.inQuotes) return done(new NeedsNormalizingError('a quoted field is never closed'));
    // Inside a quoted field the held breaks would be data; outside they end the last record and are dropped.
    splitter.end();
    if (this.guard && splitter.problem) return done(new NeedsNormalizingError(splitter.problem));
    this.send(splitter.records);
    done();
  }

  private add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private send(recordsAtEnd: number): void {
    if (this.pendingBytes === 0) return;
    this.push({
      pieces: this.pending,
      bytes: this.pendingBytes,
      firstRecord: this.recordsSent + 1,
      records: recordsAtEnd - this.recordsSent,
    } satisfies CopyUnit);
    this.recordsSent = recordsAtEnd;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private check(chunk: Buffer): string | null {
    if (chunk.indexOf(0) !== -1) return 'NUL bytes';
    for (let at = chunk.indexOf(BACKSLASH); at !== -1; at = chunk.indexOf(BACKSLASH, at + 1)) {
      const before = at > 0 ? chunk[at - 1] : this.last;
      if (before !== -1 && !isBreak(before)) continue;
      // A backslash ending the chunk might start such a line: take the safe path.
      if (at + 1 >= chunk.length) return 'a line that may be just \\.';
      if (chunk[at + 1] === DOT && (at + 2 >= chunk.length || isBreak(chunk[at + 2]))) return 'a line that is just \\.';
    }
    return null;
  }
}

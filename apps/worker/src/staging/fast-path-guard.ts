import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** The bytes need the normalizing path; the message says why. */
export class NeedsNormalizingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NeedsNormalizingError';
  }
}

function isBreak(byte: number | undefined): boolean {
  return byte === LF || byte === CR;
}

/**
 * Passes CSV body bytes to COPY untouched while checking, with native searches
 * only (no per-row work), what COPY would read differently from Relayboard's
 * rules: every quote must open a field, close one, or be doubled inside one
 * (COPY would read `5" screen` as the start of a quoted field and swallow the
 * rows after it), there must be no NUL bytes, and no line may be just `\.`
 * (an end-of-data marker to COPY before PostgreSQL 18). Blank lines at the end
 * of the file are dropped, as the normalizing path drops them. On a problem it
 * fails with NeedsNormalizingError and the load starts again on the other path.
 */
export class FastPathGuard extends Transform {
  private readonly d: number;
  private readonly q: number;
  private quotes = 0;
  /** The last byte passed on, or -1 at the start of the body. */
  private last = -1;
  /** A closing quote ended the previous chunk: the next byte must end the field. */
  private closingAtEnd = false;
  /** Line breaks held back from the end of the previous chunk. */
  private held: Buffer | null = null;

  constructor(delimiter: string, quote: string) {
    super();
    this.d = delimiter.charCodeAt(0);
    this.q = quote.charCodeAt(0);
  }

  override _transform(input: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (input.length === 0) return done();
    const chunk = this.held ? Buffer.concat([this.held, input]) : input;
    this.held = null;
    const problem = this.check(chunk);
    if (problem) return done(new NeedsNormalizingError(problem));
    let keep = chunk.length;
    while (keep > 0 && isBreak(chunk[keep - 1])) keep--;
    // Hold back the line breaks at the end: if the file ends there, they are blank lines to drop.
    if (keep < chunk.length && keep > 0) {
      this.held = Buffer.from(chunk.subarray(keep));
      this.last = chunk[keep - 1];
      return done(null, chunk.subarray(0, keep));
    }
    if (keep === 0) {
      this.held = Buffer.from(chunk);
      return done();
    }
    this.last = chunk[chunk.length - 1];
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.quotes % 2 === 1) return done(new NeedsNormalizingError('a quoted field is never closed'));
    // Inside a quoted field the held breaks are data; outside they end the last record.
    done();
  }

  private check(chunk: Buffer): string | null {
    if (chunk.indexOf(0) !== -1) return 'NUL bytes';
    if (this.closingAtEnd) {
      this.closingAtEnd = false;
      const b = chunk[0];
      if (b !== this.d && !isBreak(b) && b !== this.q) return 'text after a closing quote';
    }
    const { q, d } = this;
    for (let at = chunk.indexOf(q); at !== -1; at = chunk.indexOf(q, at + 1)) {
      const before = at > 0 ? chunk[at - 1] : this.last;
      if (this.quotes % 2 === 0) {
        // Opens a field, or is the second of a doubled quote inside one.
        if (before !== -1 && before !== d && !isBreak(before) && before !== q) return 'a quote inside an unquoted field';
      } else if (at + 1 < chunk.length) {
        const after = chunk[at + 1];
        if (after !== d && !isBreak(after) && after !== q) return 'text after a closing quote';
      } else {
        this.closingAtEnd = true;
      }
      this.quotes++;
    }
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

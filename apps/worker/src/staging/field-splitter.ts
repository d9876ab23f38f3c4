import type { TypeTally } from './type-tally';

const LF = 0x0a;
const CR = 0x0d;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** In a quoted field, the chunk ended on a quote: a closing one or the first of a doubled pair. */
  QuotedQuote,
  /** After a closing quote, before the delimiter or line break. */
  AfterQuoted,
}

export interface FieldSplitterOptions {
  delimiter: string;
  quote: string;
}

/**
 * The CSV grammar over bytes, chunk by chunk, as fast as it can go: splits a body
 * into records and fields by the rules in csv-text.ts (a quote opens a field only at
 * its start; `""` inside a quoted field is one quote; LF, CRLF or CR end records),
 * hands each field of a column its TypeTally still judges to that tally, counts
 * records, says where the last complete record of each chunk ends (so the bytes can
 * be cut there for parallel COPY streams) and where the first one ended (the
 * header's end), and notes what COPY would read otherwise (a quote inside an
 * unquoted field, text after a closing quote). Fields no column needs are not
 * split at all: the rest of such a record is found by a native search for its line
 * break. The fast path's CopyChunker and the header splitter read with it; the
 * normalizing path's RecordScanner reads every byte itself, since it must see each
 * one (stray quotes, NUL bytes, field counts), and hands its fields to the same
 * TypeTally.
 */
export class FieldSplitter {
  private readonly d: number;
  private readonly q: number;
  private readonly stop = new Uint8Array(256);
  private state = State.FieldStart;
  private field = 0;
  /** Bytes of a value cut by the end of a chunk (only for columns still being judged). */
  private carry: Buffer[] = [];
  private carryDoubled = false;
  private afterCr = false;
  /** Next LF, quote and CR at or after the read position in the current chunk (the chunk's length when none). */
  private nextLf = -1;
  private nextQuote = -1;
  private nextCr = -1;
  /** Records whose line break has been read. */
  records = 0;
  /** Offset in the last chunk fed just past its last complete record, or -1 when none ended in it. */
  boundary = -1;
  /** Records before `boundary`. */
  recordsAtBoundary = 0;
  /** Offset just past the first record's line break, in the chunk that showed it ended (for a CR that ended a chunk, the next one); -1 until then. */
  firstRecordEnd = -1;
  /** Why the bytes are not CSV that COPY reads as Relayboard does (a stray quote, text after a closing quote). */
  problem: string | null = null;

  /** `tally`: what types the fields; null to find records only. */
  constructor(
    options: FieldSplitterOptions,
    readonly tally: TypeTally | null,
  ) {
    this.d = options.delimiter.charCodeAt(0);
    this.q = options.quote.charCodeAt(0);
    this.stop[this.d] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
    this.stop[this.q] = 1;
  }

  /** Fields from this one on are not needed: the rest of a record can be skipped. */
  private judgedBefore(): number {
    return this.tally === null ? 0 : this.tally.judgedBefore;
  }

  /**
   * Where the current record ends (its LF, or the CR of its CRLF) when nothing
   * between `at` and there needs reading field by field (no quote, no lone CR);
   * else -1. Natively searched, so text columns at the end of a record cost
   * almost nothing.
   */
  private recordEnd(buf: Buffer, at: number): number {
    const len = buf.length;
    let lf = this.nextLf;
    if (lf < at) {
      lf = buf.indexOf(LF, at);
      this.nextLf = lf = lf === -1 ? len : lf;
    }
    if (lf === len) return -1;
    let quote = this.nextQuote;
    if (quote < at) {
      quote = buf.indexOf(this.q, at);
      this.nextQuote = quote = quote === -1 ? len : quote;
    }
    if (quote < lf) return -1;
    let cr = this.nextCr;
    if (cr < at) {
      cr = buf.indexOf(CR, at);
      this.nextCr = cr = cr === -1 ? len : cr;
    }
    if (cr < lf - 1) return -1;
    return cr === lf - 1 ? cr : lf;
  }

  private carryValue(last: Buffer, doubled: boolean): void {
    const bytes = Buffer.concat([...this.carry, last]);
    this.carry = [];
    this.carryDoubled = false;
    this.tally?.judge(this.field, bytes, 0, bytes.length, doubled);
  }

  private keep(buf: Buffer, start: number, end: number): void {
    if (this.tally?.judging(this.field)) this.carry.push(Buffer.from(buf.subarray(start, end)));
  }

  private endRecord(at: number): void {
    this.records++;
    this.field = 0;
    this.boundary = at;
    this.recordsAtBoundary = this.records;
    if (this.firstRecordEnd === -1) this.firstRecordEnd = at;
  }

  /** Whether the body ended inside a quoted field. */
  get inQuotes(): boolean {
    return this.state === State.Quoted;
  }

  /** Reads the next chunk of the body. */
  feed(buf: Buffer): void {
    const len = buf.length;
    const { q } = this;
    this.boundary = -1;
    this.nextLf = this.nextQuote = this.nextCr = -1;
    // Nothing to read: a pending CR or closing quote must wait for the next byte.
    if (len === 0) return;
    let i = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (len > 0 && buf[0] === LF) i = 1;
      this.boundary = i;
      this.recordsAtBoundary = this.records;
      if (this.firstRecordEnd === -1) this.firstRecordEnd = i;
    }
    // Finish a field the previous chunk cut.
    if (this.state === State.Unquoted) {
      const j = this.unquotedEnd(buf, i);
      if (j === len) {
        this.keep(buf, i, len);
        return;
      }
      if (this.carry.length > 0) this.carryValue(buf.subarray(i, j), false);
      this.state = State.FieldStart;
      i = j;
      i = this.separator(buf, i);
    } else if (this.state === State.Quoted || this.state === State.QuotedQuote) {
      let j: number;
      if (this.state === State.QuotedQuote) {
        if (i < len && buf[i] === q) {
          // The carried quote and this one are a doubled quote.
          this.carryDoubled = true;
          this.keep(buf, i, i + 1);
          i++;
          this.state = State.Quoted;
        } else {
          // The carried quote closed the field: drop it from the value.
          if (this.carry.length > 0) {
            const all = Buffer.concat(this.carry);
            this.carry = [];
            this.carryValue(all.subarray(0, all.length - 1), this.carryDoubled);
          }
          this.state = State.AfterQuoted;
        }
      }
      if (this.state === State.Quoted) {
        j = buf.indexOf(q, i);
        while (j !== -1 && j + 1 < len && buf[j + 1] === q) {
          this.carryDoubled = true;
          j = buf.indexOf(q, j + 2);
        }
        if (j === -1) {
          this.keep(buf, i, len);
          return;
        }
        if (j + 1 === len) {
          this.keep(buf, i, len);
          this.state = State.QuotedQuote;
          return;
        }
        if (this.carry.length > 0) this.carryValue(buf.subarray(i, j), this.carryDoubled);
        this.carryDoubled = false;
        i = j + 1;
        this.state = State.AfterQuoted;
      }
    }
    if (this.state === State.AfterQuoted) {
      this.state = State.FieldStart;
      i = this.separator(buf, i);
    }
    while (i < len) {
      if (this.field >= this.judgedBefore()) {
        // Extra fields in what is skipped make COPY fail; the tally need not see them.
        const end = this.recordEnd(buf, i);
        if (end !== -1) {
          i = this.separator(buf, end);
          continue;
        }
      }
      if (buf[i] === q) {
        let j = buf.indexOf(q, i + 1);
        let doubled = false;
        while (j !== -1 && j + 1 < len && buf[j + 1] === q) {
          doubled = true;
          j = buf.indexOf(q, j + 2);
        }
        if (j === -1 || j + 1 === len) {
          this.carryDoubled = doubled;
          this.keep(buf, i + 1, len);
          this.state = j === -1 ? State.Quoted : State.QuotedQuote;
          return;
        }
        this.tally?.judge(this.field, buf, i + 1, j, doubled);
        i = j + 1;
      } else {
        const j = this.unquotedEnd(buf, i);
        if (j === len) {
          this.keep(buf, i, len);
          this.state = State.Unquoted;
          return;
        }
        this.tally?.judge(this.field, buf, i, j, false);
        i = j;
      }
      i = this.separator(buf, i);
    }
  }

  /** At the byte after a field: a delimiter, a line break, or (with bad input) something else to step over. */
  private separator(buf: Buffer, at: number): number {
    if (at >= buf.length) return at;
    const b = buf[at];
    if (b === this.d) {
      this.field++;
      return at + 1;
    }
    if (b === LF) {
      this.endRecord(at + 1);
      return at + 1;
    }
    if (b === CR) {
      if (at + 1 < buf.length) {
        const next = buf[at + 1] === LF ? at + 2 : at + 1;
        this.endRecord(next);
        return next;
      }
      // The LF of a CRLF may start the next chunk: the boundary is set there.
      this.records++;
      this.field = 0;
      this.afterCr = true;
      return at + 1;
    }
    this.problem ??= 'text after a closing quote';
    return this.separator(buf, this.skipStray(buf, at));
  }

  /** Where the unquoted field at `at` ends: its delimiter or line break, or the end of the chunk. A quote on the way is a stray one. */
  private unquotedEnd(buf: Buffer, at: number): number {
    const { stop } = this;
    const len = buf.length;
    let j = at;
    while (j < len && stop[buf[j]] === 0) j++;
    if (j < len && buf[j] === this.q) {
      this.problem ??= 'a quote inside an unquoted field';
      j = this.skipStray(buf, j);
    }
    return j;
  }

  /** Steps over bytes that are not CSV to the next delimiter or line break (the load fails or starts over anyway). */
  private skipStray(buf: Buffer, at: number): number {
    let j = at;
    while (j < buf.length && (this.stop[buf[j]] === 0 || buf[j] === this.q)) j++;
    return j;
  }

  /** The body ended: a last record without a line break counts too. */
  end(): void {
    if (this.state === State.Unquoted) {
      if (this.carry.length > 0) this.carryValue(Buffer.alloc(0), false);
      this.records++;
    } else if (this.state === State.QuotedQuote) {
      if (this.carry.length > 0) {
        const all = Buffer.concat(this.carry);
        this.carry = [];
        this.carryValue(all.subarray(0, all.length - 1), this.carryDoubled);
      }
      this.records++;
    } else if (this.state === State.AfterQuoted) {
      this.records++;
    } else if (this.state === State.FieldStart && this.field > 0) {
      this.records++;
    }
    this.state = State.FieldStart;
    this.field = 0;
  }
}

import { MISSING_VALUE_MARKERS, type ColumnDecision } from '@relayboard/contracts';
import { columnVerdict } from './type-decisions';
import { typeMask, type ColumnType } from './type-rules';
import { ANY_TYPE, BLANK, byteTypeMask, markerIndex, NumberBit } from './value-types';

export { BLANK, byteTypeMask };

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** In a quoted field, the chunk ended on a quote: a closing one or the first of a doubled pair. */
  QuotedQuote,
  /** After a closing quote, before the delimiter or line break. */
  AfterQuoted,
}

function markerIndexOf(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return markerIndex(bytes, 0, bytes.length);
}

export interface TypeTallyOptions {
  delimiter: string;
  quote: string;
  /** Data columns of the table. */
  columns: number;
  /** Leading fields of every record that are not data (the normalizing path's record number). */
  skipFields?: number;
}

/**
 * Type inference during the stream: reads the CSV body that goes to COPY (valid
 * CSV by then: the fast path's guard or the normalizing path made it so),
 * splits it into fields, and keeps for every column the AND of its values'
 * type masks. A column stops being looked at once one value rules every type
 * out, so text columns cost only the split. It also counts records and says
 * where the last complete record of each chunk ends, so the bytes can be cut
 * at record boundaries for parallel COPY streams.
 */
export class TypeTally {
  private readonly d: number;
  private readonly q: number;
  private readonly stop = new Uint8Array(256);
  private readonly masks: Int32Array;
  private readonly hasValue: Uint8Array;
  /** Per column, 1 once a judged value started or ended with a space (or was only spaces). */
  private readonly padded: Uint8Array;
  /** Per column, how many values were each of MISSING_VALUE_MARKERS (column * markers + marker). */
  private readonly markerCounts: Int32Array;
  private readonly skip: number;
  private state = State.FieldStart;
  private field = 0;
  /** Bytes of a value cut by the end of a chunk (only for columns still being judged). */
  private carry: Buffer[] = [];
  private carryDoubled = false;
  private afterCr = false;
  /** Fields from this one to the last are no longer judged: the rest of a record can be skipped. */
  judgedBefore: number;
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
  /** Why the bytes are not CSV that COPY reads as Relayboard does (a stray quote, text after a closing quote). */
  problem: string | null = null;

  constructor(options: TypeTallyOptions) {
    this.d = options.delimiter.charCodeAt(0);
    this.q = options.quote.charCodeAt(0);
    this.skip = options.skipFields ?? 0;
    const width = options.columns + this.skip;
    // A decimal comma is never read in a ','-file (`1,5` there is two fields or a quoted pair).
    this.masks = new Int32Array(width).fill(this.d === 0x2c ? ANY_TYPE & ~NumberBit.commaDecimal : ANY_TYPE);
    this.markerCounts = new Int32Array(width * MISSING_VALUE_MARKERS.length);
    this.masks.fill(0, 0, this.skip);
    this.hasValue = new Uint8Array(width);
    this.padded = new Uint8Array(width);
    this.judgedBefore = width;
    this.stop[this.d] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
    this.stop[this.q] = 1;
  }

  /** The type of each data column from the values read so far. */
  types(): ColumnType[] {
    return this.verdicts().map((v) => v.type);
  }

  /** What was decided for each data column beyond its type: markers read as NULL, date and number formats. */
  decisions(): ColumnDecision[] {
    return this.verdicts().map((v) => v.decision);
  }

  /**
   * For each data column, whether every value read had no space at its start or end
   * (so trimming spaces changes none of them). Known only for a column judged to the
   * end (one that kept a type other than text); false for the others.
   */
  unpadded(): boolean[] {
    const out: boolean[] = [];
    for (let c = this.skip; c < this.masks.length; c++) out.push(this.masks[c] !== 0 && this.padded[c] === 0);
    return out;
  }

  private verdicts() {
    const markers = MISSING_VALUE_MARKERS.length;
    const delimiter = String.fromCharCode(this.d);
    const out = [];
    for (let c = this.skip; c < this.masks.length; c++)
      out.push(
        columnVerdict({
          mask: this.masks[c],
          hasValue: this.hasValue[c] === 1,
          markerCounts: this.markerCounts.subarray(c * markers, (c + 1) * markers),
          delimiter,
        }),
      );
    return out;
  }

  /** Whether values of this field (counted from 0, skipped fields included) still narrow its type. */
  judging(field: number): boolean {
    return field < this.masks.length && this.masks[field] !== 0;
  }

  private value(buf: Uint8Array, start: number, end: number, doubled: boolean): void {
    this.judge(this.field, buf, start, end, doubled);
  }

  /**
   * Narrows the type of `field` by one value: bytes [start, end) of `buf`, without
   * enclosing quotes; `doubled` when they hold doubled quotes (read on the string).
   * The normalizing path's RecordScanner calls it with the fields it found.
   */
  judge(field: number, buf: Uint8Array, start: number, end: number, doubled: boolean): void {
    if (!this.judging(field)) return;
    if (end > start && (buf[start] === SPACE || buf[end - 1] === SPACE)) this.padded[field] = 1;
    if (doubled) {
      const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
      const quote = String.fromCharCode(this.q);
      this.judgeText(field, text.split(quote + quote).join(quote));
      return;
    }
    this.narrow(field, byteTypeMask(buf, start, end), null, buf, start, end);
  }

  /** judge() for a value already read into a string (quotes undoubled): a field the normalizing path re-wrote. */
  judgeText(field: number, text: string): void {
    if (!this.judging(field)) return;
    if (text.length > 0 && (text.charCodeAt(0) === SPACE || text.charCodeAt(text.length - 1) === SPACE))
      this.padded[field] = 1;
    let mask = typeMask(text);
    if (mask === ANY_TYPE) mask = BLANK;
    this.narrow(field, mask, text, null, 0, 0);
  }

  private narrow(field: number, mask: number, text: string | null, buf: Uint8Array | null, start: number, end: number): void {
    if (mask === BLANK) return;
    if (mask === 0) {
      // A marker (every marker fits no type) stands for no value while the column's other values fit a type.
      const marker = text === null ? markerIndex(buf!, start, end) : markerIndexOf(text);
      if (marker >= 0) {
        this.markerCounts[field * MISSING_VALUE_MARKERS.length + marker]++;
        return;
      }
    }
    this.hasValue[field] = 1;
    this.masks[field] &= mask;
    if (this.masks[field] === 0) {
      let k = this.masks.length;
      while (k > 0 && this.masks[k - 1] === 0) k--;
      this.judgedBefore = k;
    }
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
    this.value(bytes, 0, bytes.length, doubled);
  }

  private keep(buf: Buffer, start: number, end: number): void {
    if (this.judging(this.field)) this.carry.push(Buffer.from(buf.subarray(start, end)));
  }

  private endRecord(at: number): void {
    this.records++;
    this.field = 0;
    this.boundary = at;
    this.recordsAtBoundary = this.records;
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
      if (this.field >= this.judgedBefore) {
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
        this.value(buf, i + 1, j, doubled);
        i = j + 1;
      } else {
        const j = this.unquotedEnd(buf, i);
        if (j === len) {
          this.keep(buf, i, len);
          this.state = State.Unquoted;
          return;
        }
        this.value(buf, i, j, false);
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

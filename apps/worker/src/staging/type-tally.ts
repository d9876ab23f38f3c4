import { ANY_TYPE, MAX_EXPONENT, typeFromMask, typeMask, TypeBit, type ColumnType } from './type-rules';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;
/** What byteTypeMask returns for a value that is empty or only spaces: no value at all. */
export const BLANK = 256;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** In a quoted field, the chunk ended on a quote: a closing one or the first of a doubled pair. */
  QuotedQuote,
  /** After a closing quote, before the delimiter or line break. */
  AfterQuoted,
}

function isDigit(b: number): boolean {
  return b >= ZERO && b <= 0x39;
}

function isHex(b: number): boolean {
  return (b >= ZERO && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66);
}

function digits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const b = buf[at + k];
    if (!isDigit(b)) return -1;
    v = v * 10 + (b - ZERO);
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `yyyy-mm-dd` at `at`: a real calendar day. */
function isDateAt(buf: Uint8Array, at: number): boolean {
  if (buf[at + 4] !== MINUS || buf[at + 7] !== MINUS) return false;
  const year = digits(buf, at, 4);
  const month = digits(buf, at + 5, 2);
  const day = digits(buf, at + 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/**
 * The rest of a timestamp after `yyyy-mm-dd` and `T` or a space, from `at` to
 * `end`: `hh:mm[:ss[.fraction]]` then, for timestamptz, `Z` or an offset.
 */
function timeMask(buf: Uint8Array, at: number, end: number): number {
  if (end - at < 5 || buf[at + 2] !== COLON) return 0;
  const hours = digits(buf, at, 2);
  const minutes = digits(buf, at + 3, 2);
  if (hours < 0 || minutes < 0 || minutes > 59 || hours > 24) return 0;
  let p = at + 5;
  let seconds = 0;
  let fraction = false;
  if (p < end && buf[p] === COLON) {
    seconds = digits(buf, p + 1, 2);
    if (p + 3 > end || seconds < 0 || seconds > 60) return 0;
    p += 3;
    if (p < end && buf[p] === DOT) {
      let q = p + 1;
      while (q < end && isDigit(buf[q])) q++;
      if (q === p + 1) return 0;
      for (let k = p + 1; k < q; k++) if (buf[k] !== ZERO) fraction = true;
      p = q;
    }
  }
  // 24:00 is the end of the day; PostgreSQL takes no later time in hour 24, nor 23:59:60 with a fraction.
  if (hours === 24 && (minutes !== 0 || seconds !== 0 || fraction)) return 0;
  if (hours === 23 && minutes === 59 && seconds === 60 && fraction) return 0;
  if (p === end) return TypeBit.timestamp;
  const zone = buf[p];
  if ((zone === 0x5a || zone === 0x7a) && p + 1 === end) return TypeBit.timestamptz;
  if (zone !== PLUS && zone !== MINUS) return 0;
  const offsetHours = digits(buf, p + 1, 2);
  if (p + 3 > end || offsetHours < 0 || offsetHours > 15) return 0;
  p += 3;
  if (p === end) return TypeBit.timestamptz;
  if (buf[p] === COLON) p++;
  const offsetMinutes = digits(buf, p, 2);
  return p + 2 === end && offsetMinutes >= 0 && offsetMinutes <= 59 ? TypeBit.timestamptz : 0;
}

/** Number shapes: `[-+]digits`, decimals and exponents, as in type-rules.ts. */
function numberMask(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  if (buf[p] === PLUS || buf[p] === MINUS) p++;
  const intStart = p;
  while (p < end && isDigit(buf[p])) p++;
  const intDigits = p - intStart;
  if (intDigits >= 2 && buf[intStart] === ZERO) return 0;
  if (p === end) {
    if (intDigits === 0) return 0;
    // Up to 18 digits always fits a bigint; longer ones are checked exactly.
    return intDigits <= 18 ? TypeBit.bigint | TypeBit.numeric : -1;
  }
  if (buf[p] === DOT) {
    p++;
    const fracStart = p;
    while (p < end && isDigit(buf[p])) p++;
    const fracDigits = p - fracStart;
    if (intDigits === 0 && fracDigits === 0) return 0;
  } else if (intDigits === 0) {
    return 0;
  }
  if (p < end && (buf[p] | 0x20) === 0x65) {
    p++;
    if (p < end && (buf[p] === PLUS || buf[p] === MINUS)) p++;
    const expStart = p;
    let exponent = 0;
    while (p < end && isDigit(buf[p])) {
      if (exponent <= MAX_EXPONENT) exponent = exponent * 10 + (buf[p] - ZERO);
      p++;
    }
    if (p === expStart || exponent > MAX_EXPONENT) return 0;
  }
  return p === end ? TypeBit.numeric : 0;
}

function lowerEquals(buf: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if ((buf[start + k] | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

function isUuid(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 36) return false;
  for (let k = 0; k < 36; k++) {
    const b = buf[start + k];
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (b !== MINUS) return false;
    } else if (!isHex(b)) {
      return false;
    }
  }
  return true;
}

function slowMask(buf: Uint8Array, start: number, end: number): number {
  return typeMask(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'));
}

/**
 * The types one value fits (type-rules.ts), read from its UTF-8 bytes without
 * making a string: BLANK for an empty or all-space value. The common shapes are
 * judged here byte by byte; the rare ones (json, 19-digit numbers, control
 * characters) go through typeMask.
 */
export function byteTypeMask(buf: Uint8Array, from: number, to: number): number {
  let start = from;
  let end = to;
  while (start < end && buf[start] === SPACE) start++;
  while (end > start && buf[end - 1] === SPACE) end--;
  if (start === end) return BLANK;
  const first = buf[start];
  if (isDigit(first) || first === PLUS || first === MINUS || first === DOT) {
    const length = end - start;
    // Not a date (`123e-45678`) falls through: it may still be a number or a uuid.
    if (length >= 10 && isDigit(first) && buf[start + 4] === MINUS && isDateAt(buf, start)) {
      if (length === 10) return TypeBit.date | TypeBit.timestamp;
      const sep = buf[start + 10];
      return sep === 0x54 || sep === SPACE ? timeMask(buf, start + 11, end) : 0;
    }
    const number = numberMask(buf, start, end);
    if (number === -1) return slowMask(buf, start, end);
    if (number === 0 && length === 36 && isUuid(buf, start, end)) return TypeBit.uuid;
    return number;
  }
  if (first === 0x5b || first === 0x7b || first < SPACE) return slowMask(buf, start, end);
  const lower = first | 0x20;
  if (lower === 0x74 || lower === 0x66 || lower === 0x79 || lower === 0x6e) {
    if (
      lowerEquals(buf, start, end, 'true') ||
      lowerEquals(buf, start, end, 'false') ||
      lowerEquals(buf, start, end, 't') ||
      lowerEquals(buf, start, end, 'f') ||
      lowerEquals(buf, start, end, 'yes') ||
      lowerEquals(buf, start, end, 'no')
    ) {
      return TypeBit.boolean;
    }
  }
  return isUuid(buf, start, end) ? TypeBit.uuid : 0;
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
  private readonly skip: number;
  private state = State.FieldStart;
  private field = 0;
  /** Bytes of a value cut by the end of a chunk (only for columns still being judged). */
  private carry: Buffer[] = [];
  private carryDoubled = false;
  private afterCr = false;
  /** Fields from this one to the last are no longer judged: the rest of a record can be skipped. */
  private judgedBefore: number;
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
    this.masks = new Int32Array(width).fill(ANY_TYPE);
    this.masks.fill(0, 0, this.skip);
    this.hasValue = new Uint8Array(width);
    this.judgedBefore = width;
    this.stop[this.d] = 1;
    this.stop[LF] = 1;
    this.stop[CR] = 1;
    this.stop[this.q] = 1;
  }

  /** The type of each data column from the values read so far. */
  types(): ColumnType[] {
    const out: ColumnType[] = [];
    for (let c = this.skip; c < this.masks.length; c++) out.push(typeFromMask(this.masks[c], this.hasValue[c]));
    return out;
  }

  private judging(field: number): boolean {
    return field < this.masks.length && this.masks[field] !== 0;
  }

  private value(buf: Uint8Array, start: number, end: number, doubled: boolean): void {
    const field = this.field;
    if (!this.judging(field)) return;
    let mask: number;
    if (doubled) {
      const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
      const quote = String.fromCharCode(this.q);
      mask = typeMask(text.split(quote + quote).join(quote));
      if (mask === ANY_TYPE) mask = BLANK;
    } else {
      mask = byteTypeMask(buf, start, end);
    }
    if (mask === BLANK) return;
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

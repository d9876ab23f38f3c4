import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { DEFAULT_UNIT_BYTES, type CopyUnit } from './copy-chunker';
import { parseRecord, textAfterClosingQuote, UNTERMINATED_QUOTE } from './csv-text';
import { completeUtf8Length } from './dialect';
import { TypeTally } from './type-tally';

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const OUT_BYTES = 256 * 1024;
const OUT_PUSH_AT = 64 * 1024;
/** Raw text kept for one rejected record. */
export const MAX_REJECT_RAW_BYTES = 1024 * 1024;

export interface RejectedRecord {
  /** Line of the file where the record starts (1 = the first line, header included). */
  line: number;
  /** The record's number in the body; loaded rows carry the same numbering in _rb_row. */
  record: number;
  reason: string;
  /** The record's bytes, cut at MAX_REJECT_RAW_BYTES. */
  raw: Buffer;
  rawBytes: number;
  /** Rows this reject stands for: the lines an unterminated quote swallowed, else 1. */
  rows: number;
}

/** A byte that is not UTF-8 in a file assumed to be UTF-8 only because its head was ASCII. */
export class NotUtf8Error extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is not valid UTF-8`);
    this.name = 'NotUtf8Error';
  }
}

export interface RecordScannerOptions {
  delimiter: string;
  quote: string;
  /** Fields every record must have. */
  columns: number;
  /** Line of the file on which the body starts (2 after a one-line header). */
  firstLine: number;
  /** What a record that is not valid UTF-8 does: rejected, or NotUtf8Error; 'off' for transcoded input. */
  invalidUtf8: 'reject' | 'throw' | 'off';
  /** Longer records are rejected without being held in memory. */
  maxRecordBytes: number;
  onReject(reject: RejectedRecord): void;
  /** Bytes per COPY unit it emits (DEFAULT_UNIT_BYTES). */
  unitBytes?: number;
}

/** Checks a byte stream for valid UTF-8 chunk by chunk, carrying sequences cut at chunk ends. */
class Utf8Checker {
  private carry: Buffer = Buffer.alloc(0);

  check(chunk: Buffer): boolean {
    let start = 0;
    let ok = true;
    if (this.carry.length > 0) {
      const lead = this.carry[0];
      const need = (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2) - this.carry.length;
      if (chunk.length < need) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return true;
      }
      ok = isUtf8(Buffer.concat([this.carry, chunk.subarray(0, need)]));
      start = need;
    }
    const end = Math.max(start, completeUtf8Length(chunk));
    if (ok) ok = isUtf8(chunk.subarray(start, end));
    this.carry = Buffer.from(chunk.subarray(end));
    return ok;
  }

  /** False when the input ended inside a multi-byte sequence. */
  finish(): boolean {
    return this.carry.length === 0;
  }
}

/**
 * The normalizing path: splits a UTF-8 CSV byte stream into records (by the
 * rules in csv-text.ts) and writes them as COPY CSV input, each prefixed with its
 * record number. A well-formed record with the right number of fields is copied
 * through byte for byte; one with a stray quote or NUL bytes is re-written field by
 * field; one that cannot be loaded (wrong number of fields, text after a closing
 * quote, an unterminated quote, bad UTF-8, too long) goes to onReject. Line breaks
 * may be LF, CRLF or CR, mixed. Blank lines are not records: they are skipped and
 * counted, except in a one-column file where a blank line is a NULL value; blank
 * lines at the end of the file are ignored.
 *
 * It reads each byte once: the fields it finds on the way are typed by its `tally`
 * (the same TypeTally the fast path feeds), and what it writes leaves as CopyUnits of
 * whole records for ParallelCopy, so nothing after it splits the bytes again (that
 * second pass cost about 1.75 s of CPU per GB; docs/benchmarks.md).
 */
export class RecordScanner extends Transform {
  /** The column types, from the fields of every record written. */
  readonly tally: TypeTally;
  private readonly d: number;
  private readonly q: number;
  private readonly special = new Uint8Array(256);
  private readonly utf8 = new Utf8Checker();
  private readonly quoteText: string;
  private readonly doubledQuote: string;

  private parts: Buffer[] = [];
  private partsBytes = 0;
  private inQuotes = false;
  private quoteSeen = false;
  private fieldStart = true;
  private fields = 1;
  private quotedFields = 0;
  private stray = false;
  private nul = false;
  private problem: string | null = null;
  private recordSuspect = false;
  private chunkSuspect = false;
  private overflow = false;
  private prevByte = -1;
  private skipLF = false;
  private line: number;
  private recordLine: number;
  private pendingBlanks = 0;
  /** Offsets, from the start of the current record, of its first `columns - 1` delimiters. */
  private readonly delims: Int32Array;
  /** Written bytes not yet sent, in pieces, and the rows they hold. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly unitBytes: number;
  private rowsSent = 0;
  /** Output is written into one slab after another; pushOut takes [outStart, pos) as a piece and the slab's rest is written next. */
  private out = Buffer.allocUnsafe(OUT_BYTES);
  private outStart = 0;
  private pos = 0;

  /** Records numbered so far (loaded, rejected and NULL blank lines). */
  records = 0;
  /** Rows written to COPY. */
  rowsOut = 0;
  rejects = 0;
  rejectedRows = 0;
  blankLines = 0;
  nulBytesRemoved = 0;

  constructor(private readonly options: RecordScannerOptions) {
    super({ readableObjectMode: true, readableHighWaterMark: 1 });
    if (Buffer.byteLength(options.delimiter) !== 1 || Buffer.byteLength(options.quote) !== 1)
      throw new Error('delimiter and quote must be one byte each');
    this.d = options.delimiter.charCodeAt(0);
    this.q = options.quote.charCodeAt(0);
    this.quoteText = options.quote;
    this.doubledQuote = options.quote + options.quote;
    for (const b of [this.d, this.q, LF, CR, NUL]) this.special[b] = 1;
    this.line = options.firstLine;
    this.recordLine = options.firstLine;
    this.tally = new TypeTally({ delimiter: options.delimiter, quote: options.quote, columns: options.columns });
    this.delims = new Int32Array(Math.max(1, options.columns));
    this.unitBytes = options.unitBytes ?? DEFAULT_UNIT_BYTES;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.scan(chunk);
    } catch (error) {
      return done(error as Error);
    }
    if (this.pos - this.outStart >= OUT_PUSH_AT) this.pushOut();
    done();
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.options.invalidUtf8 !== 'off' && !this.utf8.finish()) this.chunkSuspect = true;
      const hasContent = this.partsBytes > 0 || this.fields > 1 || this.quotedFields > 0;
      if (this.inQuotes && !this.quoteSeen) {
        this.problem = UNTERMINATED_QUOTE;
        this.finishRecord(Buffer.concat(this.parts), true);
      } else if (hasContent) {
        this.finishRecord(Buffer.concat(this.parts), false);
      }
      this.pendingBlanks = 0;
    } catch (error) {
      return done(error as Error);
    }
    this.pushOut();
    this.sendUnit();
    done();
  }

  private scan(buf: Buffer): void {
    const len = buf.length;
    if (len === 0) return;
    if (this.options.invalidUtf8 !== 'off') this.chunkSuspect = !this.utf8.check(buf);
    const { d, q, special } = this;
    let i = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (buf[0] === LF) {
        i = 1;
        this.prevByte = LF;
      }
    }
    let recStart = i;
    let prev = this.prevByte;
    for (; i < len; i++) {
      const b = buf[i];
      if (special[b] === 0) {
        if (this.quoteSeen) this.closeQuoteBefore(b);
        this.fieldStart = false;
        // Skip the rest of this run of ordinary bytes.
        let j = i + 1;
        while (j < len && special[buf[j]] === 0) j++;
        i = j - 1;
        prev = buf[i];
        continue;
      }
      if (b === CR || (b === LF && prev !== CR)) this.line++;
      prev = b;
      if (this.inQuotes) {
        if (b === q) {
          if (this.quoteSeen) this.quoteSeen = false;
          else this.quoteSeen = true;
          continue;
        }
        if (!this.quoteSeen) {
          if (b === NUL) this.nul = true;
          continue;
        }
        this.closeQuoteBefore(b);
      }
      if (b === d) {
        if (this.fields < this.delims.length) this.delims[this.fields - 1] = this.partsBytes + i - recStart;
        this.fields++;
        this.fieldStart = true;
      } else if (b === LF || b === CR) {
        this.endRecord(buf, recStart, i);
        if (b === CR) {
          if (i + 1 < len) {
            if (buf[i + 1] === LF) {
              i++;
              prev = LF;
            }
          } else {
            this.skipLF = true;
          }
        }
        recStart = i + 1;
        this.recordLine = this.line;
      } else if (b === q) {
        if (this.fieldStart) {
          this.inQuotes = true;
          this.quotedFields++;
        } else {
          this.stray = true;
        }
        this.fieldStart = false;
      } else {
        this.nul = true;
        this.fieldStart = false;
      }
    }
    this.prevByte = prev;
    if (recStart < len) this.keep(buf.subarray(recStart, len));
    if (this.chunkSuspect) this.recordSuspect = true;
  }

  /** A quote in a quoted field was followed by `b`, which is not a quote: the field closed. */
  private closeQuoteBefore(b: number): void {
    this.quoteSeen = false;
    this.inQuotes = false;
    if (b !== this.d && b !== LF && b !== CR) this.problem ??= textAfterClosingQuote(this.fields);
  }

  private keep(piece: Buffer): void {
    if (this.overflow) return;
    this.partsBytes += piece.length;
    if (this.partsBytes > this.options.maxRecordBytes) {
      this.overflow = true;
      const raw = Buffer.concat([...this.parts, piece]).subarray(0, MAX_REJECT_RAW_BYTES);
      this.parts = [Buffer.from(raw)];
      return;
    }
    this.parts.push(piece);
  }

  private endRecord(buf: Buffer, start: number, end: number): void {
    let content: Buffer;
    if (this.parts.length === 0) content = buf.subarray(start, end);
    else {
      this.keep(buf.subarray(start, end));
      content = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    }
    this.finishRecord(content, false);
  }

  private finishRecord(content: Buffer, unterminated: boolean): void {
    const blank =
      content.length === 0 && this.fields === 1 && this.quotedFields === 0 && !this.overflow && !unterminated;
    if (blank) {
      this.pendingBlanks++;
    } else {
      this.flushBlanks();
      this.records++;
      const reason = this.rejectReason(content, unterminated);
      if (reason !== null) this.reject(content, reason, unterminated ? this.linesToEnd() : 1);
      else if (this.stray || this.nul) this.writeRewritten(content);
      else {
        this.judgeFields(content);
        this.writeRaw(content);
      }
    }
    this.parts = [];
    this.partsBytes = 0;
    this.inQuotes = false;
    this.quoteSeen = false;
    this.fieldStart = true;
    this.fields = 1;
    this.quotedFields = 0;
    this.stray = false;
    this.nul = false;
    this.problem = null;
    this.recordSuspect = false;
    this.overflow = false;
  }

  private rejectReason(content: Buffer, unterminated: boolean): string | null {
    const { columns } = this.options;
    if (this.overflow)
      return `record longer than ${this.options.maxRecordBytes} bytes (often a quote that is never closed)`;
    if (unterminated) return `${UNTERMINATED_QUOTE}; it runs from line ${this.recordLine} to the end of the file`;
    if ((this.recordSuspect || this.chunkSuspect) && this.options.invalidUtf8 !== 'off' && !isUtf8(content)) {
      if (this.options.invalidUtf8 === 'throw') throw new NotUtf8Error(this.recordLine);
      return 'not valid UTF-8 (the rest of the file is UTF-8)';
    }
    if (this.problem !== null) return this.problem;
    if (this.fields > columns)
      return `extra data after last expected column: ${this.fields} fields where the header has ${columns}`;
    if (this.fields < columns)
      return `missing data for column ${this.fields + 1}: ${this.fields} fields where the header has ${columns}`;
    return null;
  }

  private reject(content: Buffer, reason: string, rows: number): void {
    this.rejects++;
    this.rejectedRows += rows;
    const rawBytes = this.overflow ? this.partsBytes : content.length;
    this.options.onReject({
      line: this.recordLine,
      record: this.records,
      reason,
      raw: content.subarray(0, MAX_REJECT_RAW_BYTES),
      rawBytes,
      rows,
    });
  }

  /** Lines from the start of the current record to the end of the input. */
  private linesToEnd(): number {
    const endsWithBreak = this.prevByte === LF || this.prevByte === CR;
    return this.line - this.recordLine + (endsWithBreak ? 0 : 1);
  }

  /** Blank lines before this record: NULL values in a one-column file, else skipped. */
  private flushBlanks(): void {
    if (this.pendingBlanks === 0) return;
    if (this.options.columns === 1) {
      for (let k = 0; k < this.pendingBlanks; k++) {
        this.records++;
        this.writeRaw(Buffer.alloc(0));
      }
    } else {
      this.blankLines += this.pendingBlanks;
    }
    this.pendingBlanks = 0;
  }

  private writeRewritten(content: Buffer): void {
    const record = parseRecord(content.toString('utf8'), String.fromCharCode(this.d), this.quoteText);
    const fields = record.fields.map((value, k) => {
      if (value === null) return '';
      let clean = value;
      if (this.nul && clean.includes('\0')) {
        const stripped = clean.replace(/\0/g, '');
        this.nulBytesRemoved += clean.length - stripped.length;
        clean = stripped;
      }
      this.tally.judgeText(k, clean);
      return this.quoteText + clean.split(this.quoteText).join(this.doubledQuote) + this.quoteText;
    });
    this.writeRaw(Buffer.from(fields.join(String.fromCharCode(this.d)), 'utf8'));
  }

  /**
   * Types the fields of a record copied through as it is: well formed, with the
   * header's number of fields, so a field that starts with a quote ends with its
   * closing quote just before the next delimiter (or the record's end).
   */
  private judgeFields(content: Buffer): void {
    const { tally, q } = this;
    const last = Math.min(this.fields, tally.judgedBefore);
    let start = 0;
    for (let k = 0; k < last; k++) {
      const end = k < this.fields - 1 ? this.delims[k] : content.length;
      if (tally.judging(k)) {
        if (end > start && content[start] === q) {
          const inner = content.indexOf(q, start + 1);
          tally.judge(k, content, start + 1, end - 1, inner !== -1 && inner < end - 1);
        } else {
          tally.judge(k, content, start, end, false);
        }
      }
      start = end + 1;
    }
  }

  /** Appends `<record number><delimiter><content>\n` to the output. */
  private writeRaw(content: Buffer): void {
    const need = content.length + 24;
    if (this.pos + need > this.out.length) {
      // What the slab holds goes on first; this record is counted once its bytes are written.
      this.pushOut();
      if (need > OUT_BYTES) {
        this.addPiece(Buffer.from(`${this.records}${String.fromCharCode(this.d)}`));
        this.addPiece(content);
        this.addPiece(Buffer.from('\n'));
        this.rowsOut++;
        if (this.pendingBytes >= this.unitBytes) this.sendUnit();
        return;
      }
      if (this.pos + need > this.out.length) this.newSlab();
    }
    this.writeNumber(this.records);
    this.out[this.pos++] = this.d;
    this.pos += content.copy(this.out, this.pos);
    this.out[this.pos++] = LF;
    this.rowsOut++;
  }

  private writeNumber(value: number): void {
    const start = this.pos;
    let n = value;
    do {
      this.out[this.pos++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    for (let a = start, b = this.pos - 1; a < b; a++, b--) {
      const t = this.out[a];
      this.out[a] = this.out[b];
      this.out[b] = t;
    }
  }

  /**
   * Adds what was written since the last call to the pending unit, and sends the unit
   * once it holds unitBytes. The piece is a view of the slab, so the slab's rest is
   * written next rather than dropped with it: a fresh 256 KiB slab for each piece of
   * 64 KiB or so left most of every slab as garbage. With 2 MiB COPY units, the messy
   * 1 GB file's stage step peaked at 164 MB this way and 195 MB with a slab per piece
   * (docs/benchmarks.md).
   */
  private pushOut(): void {
    if (this.pos > this.outStart) this.addPiece(this.out.subarray(this.outStart, this.pos));
    this.outStart = this.pos;
    if (this.out.length - this.pos < OUT_PUSH_AT) this.newSlab();
    if (this.pendingBytes >= this.unitBytes) this.sendUnit();
  }

  private addPiece(piece: Buffer): void {
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  /** Sends what was written as one unit: it ends at a record's end, as every piece taken off a slab does. */
  private sendUnit(): void {
    if (this.pendingBytes === 0) return;
    this.push({
      pieces: this.pending,
      bytes: this.pendingBytes,
      firstRecord: this.rowsSent + 1,
      records: this.rowsOut - this.rowsSent,
    } satisfies CopyUnit);
    this.rowsSent = this.rowsOut;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private newSlab(): void {
    this.out = Buffer.allocUnsafe(OUT_BYTES);
    this.outStart = 0;
    this.pos = 0;
  }
}

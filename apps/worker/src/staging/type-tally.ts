import { MISSING_VALUE_MARKERS, type ColumnDecision } from '@relayboard/contracts';
import { columnVerdict } from './type-decisions';
import { typeMask, type ColumnType } from './type-rules';
import { ANY_TYPE, BLANK, byteTypeMask, markerIndex, NumberBit } from './value-types';

export { BLANK, byteTypeMask };

const SPACE = 0x20;

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
 * Type inference during the stream: keeps for every column the AND of its values'
 * type masks (with the missing-value markers it met, and whether any value had a
 * space at either end). A column stops being judged once one value rules every
 * type out, so text columns cost nothing past their first such value. The fields
 * come from a FieldSplitter (the fast path, the header) or from the normalizing
 * path's RecordScanner, which read the bytes.
 */
export class TypeTally {
  private readonly d: number;
  private readonly q: number;
  private readonly masks: Int32Array;
  private readonly hasValue: Uint8Array;
  /** Per column, 1 once a judged value started or ended with a space (or was only spaces). */
  private readonly padded: Uint8Array;
  /** Per column, how many values were each of MISSING_VALUE_MARKERS (column * markers + marker). */
  private readonly markerCounts: Int32Array;
  private readonly skip: number;
  /** See judgedBefore. */
  private judgedUpTo: number;

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
    this.judgedUpTo = width;
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

  /** Fields from this one to the last are no longer judged: a reader may skip the rest of a record. */
  get judgedBefore(): number {
    return this.judgedUpTo;
  }

  /** Whether values of this field (counted from 0, skipped fields included) still narrow its type. */
  judging(field: number): boolean {
    return field < this.masks.length && this.masks[field] !== 0;
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
    const mask = byteTypeMask(buf, start, end);
    this.narrow(field, mask, mask === 0 ? markerIndex(buf, start, end) : -1);
  }

  /** judge() for a value already read into a string (quotes undoubled): a field the normalizing path re-wrote. */
  judgeText(field: number, text: string): void {
    if (!this.judging(field)) return;
    if (text.length > 0 && (text.charCodeAt(0) === SPACE || text.charCodeAt(text.length - 1) === SPACE))
      this.padded[field] = 1;
    let mask = typeMask(text);
    if (mask === ANY_TYPE) mask = BLANK;
    this.narrow(field, mask, mask === 0 ? markerIndexOf(text) : -1);
  }

  /** Adds one value's mask to its column; `marker` is its index in MISSING_VALUE_MARKERS (only looked up when the mask is 0), or -1. */
  private narrow(field: number, mask: number, marker: number): void {
    if (mask === BLANK) return;
    // A marker (every marker fits no type) stands for no value while the column's other values fit a type.
    if (marker >= 0) {
      this.markerCounts[field * MISSING_VALUE_MARKERS.length + marker]++;
      return;
    }
    this.hasValue[field] = 1;
    this.masks[field] &= mask;
    if (this.masks[field] === 0) {
      let k = this.masks.length;
      while (k > 0 && this.masks[k - 1] === 0) k--;
      this.judgedUpTo = k;
    }
  }
}

/**
 * The CSV rules Relayboard reads by (RFC 4180, relaxed the way real files need):
 * - a field that starts with the quote character is quoted: it runs to the next
 *   quote that is not doubled, and may hold delimiters and line breaks; `""` inside
 *   it is one quote;
 * - a quote anywhere else in a field is an ordinary character (`5" screen`);
 * - text between a closing quote and the next delimiter is a malformed record;
 * - records end at LF, CRLF or CR, and one file may mix them;
 * - an unquoted empty field is NULL, a quoted empty field `""` is the empty string.
 *
 * RecordScanner applies the same rules to bytes; this string version serves the
 * dialect sniffer, the header and the few records the scanner cannot pass through.
 */

export type Field = string | null;

export interface TextRecord {
  fields: Field[];
  /** Why the record cannot be loaded, or null. */
  problem: string | null;
  /** A line with nothing on it. */
  blank: boolean;
  /** A quote character inside an unquoted field, kept as text. */
  strayQuote: boolean;
  /** How many fields were written quoted. */
  quoted: number;
  /** Offset of the record's first character in the text. */
  start: number;
  /** Offset just past the record's content (before its line break). */
  end: number;
}

export interface LineBreakCounts {
  lf: number;
  crlf: number;
  cr: number;
}

export interface TokenizeResult {
  records: TextRecord[];
  /** Line breaks that end records (not those inside quoted fields). */
  lineBreaks: LineBreakCounts;
  /**
   * False when the text stops inside a record that more text could continue
   * (only with `final: false`); that record is left out of `records`.
   */
  complete: boolean;
}

export interface TokenizeOptions {
  /** Stop after this many records. */
  maxRecords?: number;
  /** The text is the whole input: a record without a line break still counts. */
  final?: boolean;
}

export const UNTERMINATED_QUOTE = 'unterminated quoted field: a quote opens a field and is never closed';

export function textAfterClosingQuote(field: number): string {
  return `text after the closing quote of field ${field}`;
}

/** Splits CSV text into records of fields by the rules above. */
export function tokenize(
  text: string,
  delimiter: string,
  quote: string,
  options: TokenizeOptions = {},
): TokenizeResult {
  const maxRecords = options.maxRecords ?? Infinity;
  const final = options.final ?? true;
  const records: TextRecord[] = [];
  const lineBreaks: LineBreakCounts = { lf: 0, crlf: 0, cr: 0 };
  const n = text.length;
  let i = 0;

  while (i < n && records.length < maxRecords) {
    const start = i;
    const fields: Field[] = [];
    let problem: string | null = null;
    let strayQuote = false;
    let quoted = 0;
    let end = n;

    fieldLoop: for (;;) {
      if (i < n && text[i] === quote) {
        quoted++;
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = text.indexOf(quote, j);
          if (q === -1) {
            if (!final) return { records, lineBreaks, complete: false };
            problem ??= UNTERMINATED_QUOTE;
            fields.push(value + text.slice(j));
            i = n;
            break fieldLoop;
          }
          value += text.slice(j, q);
          if (text[q + 1] === quote) {
            value += quote;
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        if (i >= n && !final) return { records, lineBreaks, complete: false };
        const next = text[i];
        if (i < n && next !== delimiter && next !== '\n' && next !== '\r') {
          problem ??= textAfterClosingQuote(fields.length + 1);
          let k = i;
          while (k < n && text[k] !== delimiter && text[k] !== '\n' && text[k] !== '\r') k++;
          value += text.slice(i, k);
          i = k;
        }
        fields.push(value);
      } else {
        let k = i;
        while (k < n) {
          const c = text[k];
          if (c === delimiter || c === '\n' || c === '\r') break;
          if (c === quote) strayQuote = true;
          k++;
        }
        fields.push(k === i ? null : text.slice(i, k));
        i = k;
      }

      if (i >= n) {
        if (!final) return { records, lineBreaks, complete: false };
        end = n;
        break;
      }
      const c = text[i];
      if (c === delimiter) {
        i++;
        continue;
      }
      end = i;
      if (c === '\r') {
        if (i + 1 >= n && !final) return { records, lineBreaks, complete: false };
        if (text[i + 1] === '\n') {
          lineBreaks.crlf++;
          i += 2;
        } else {
          lineBreaks.cr++;
          i++;
        }
      } else {
        lineBreaks.lf++;
        i++;
      }
      break;
    }
    const blank = end === start;
    records.push({ fields: blank ? [null] : fields, problem, blank, strayQuote, quoted, start, end });
  }
  return { records, lineBreaks, complete: true };
}

/** The one record in `text` (a header line, or a record the scanner set aside). */
export function parseRecord(text: string, delimiter: string, quote: string): TextRecord {
  const { records } = tokenize(text, delimiter, quote, { maxRecords: 1, final: true });
  return records[0] ?? { fields: [null], problem: null, blank: true, strayQuote: false, quoted: 0, start: 0, end: 0 };
}

/** Number of line breaks (LF, CRLF or CR) in the text, quoted or not. */
export function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}

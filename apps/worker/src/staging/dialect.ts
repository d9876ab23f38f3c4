import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { sniffBinary } from '@relayboard/contracts';
import { tokenize, type TextRecord } from './csv-text';
import { typeMask } from './type-rules';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type LineEnding = 'lf' | 'crlf' | 'cr' | 'mixed' | 'none';

/** How a file is written, as detected from its head; stored with the dataset version. */
export interface CsvDialect {
  encoding: CsvEncoding;
  /** A byte order mark was present (and dropped). */
  bom: boolean;
  delimiter: ',' | ';' | '\t' | '|';
  quote: '"' | "'";
  /** The first record names the columns; without one they are column_1..N. */
  header: boolean;
  lineEnding: LineEnding;
}

export interface EncodingGuess {
  encoding: CsvEncoding;
  /** Bytes of byte order mark to drop. */
  bomBytes: number;
  /**
   * UTF-8 chosen only because the head is plain ASCII: a later byte that is not
   * UTF-8 means the file is really Windows-1252.
   */
  assumed: boolean;
}

/** The file is not a CSV Relayboard can read; the message says what it is instead. */
export class NotCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotCsvError';
  }
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;
const QUOTES = ['"', "'"] as const;
/** Records of the head looked at for the delimiter and the header. */
const SNIFF_RECORDS = 200;

function startsWith(head: Buffer, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

/** Length of `buffer` without a UTF-8 sequence cut off at its end. */
export function completeUtf8Length(buffer: Buffer): number {
  const n = buffer.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = buffer[n - back];
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0x80) return n;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

function isControl(byte: number): boolean {
  return byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c;
}

/**
 * The encoding from the first bytes of a (decompressed) file: a byte order mark
 * decides; UTF-16 without one shows as NUL bytes in every other position;
 * otherwise UTF-8 if the bytes are valid UTF-8, else Windows-1252. Throws
 * NotCsvError for files that are something else (binary, archives, documents).
 */
export function detectEncoding(head: Buffer, complete: boolean): EncodingGuess {
  if (head.length === 0) throw new NotCsvError('the file is empty (0 bytes): a CSV needs at least a header line');
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomBytes: 3, assumed: false };
  if (startsWith(head, [0xff, 0xfe, 0x00, 0x00]))
    throw new NotCsvError('the file is UTF-32, which Relayboard does not read: save it as UTF-8');
  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bomBytes: 2, assumed: false };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bomBytes: 2, assumed: false };
  // The signatures the api refuses at registration (packages/sources), for files stored before it did.
  const binary = sniffBinary(head);
  if (binary)
    throw new NotCsvError(
      binary.kind === 'gzip'
        ? `the file is ${binary.what}: ${binary.advice}`
        : `the file is ${binary.what}, not a CSV${binary.advice ? `: ${binary.advice}` : ''}`,
    );

  const sample = head.subarray(0, 64 * 1024);
  let evenNul = 0;
  let oddNul = 0;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const byte = sample[i];
    if (byte === 0) {
      if (i % 2 === 0) evenNul++;
      else oddNul++;
    }
    if (isControl(byte)) control++;
  }
  const pairs = sample.length / 2;
  if (pairs >= 2 && oddNul > pairs * 0.3 && evenNul < pairs * 0.02)
    return { encoding: 'utf-16le', bomBytes: 0, assumed: false };
  if (pairs >= 2 && evenNul > pairs * 0.3 && oddNul < pairs * 0.02)
    return { encoding: 'utf-16be', bomBytes: 0, assumed: false };
  // A few NUL bytes happen in real CSVs; binary files have control bytes all through.
  if (control >= 16 && control > sample.length * 0.03) {
    throw new NotCsvError(
      `the file looks binary (${control} control bytes in its first ${sample.length}), not like CSV text: check that the URL serves the CSV itself`,
    );
  }

  const checked = complete ? head : head.subarray(0, completeUtf8Length(head));
  if (isUtf8(checked)) {
    const ascii = !checked.some((byte) => byte >= 0x80);
    return { encoding: 'utf-8', bomBytes: 0, assumed: ascii };
  }
  return { encoding: 'windows-1252', bomBytes: 0, assumed: false };
}

/** Text of the head in the detected encoding, without the byte order mark. */
export function decodeHead(head: Buffer, guess: EncodingGuess, complete: boolean): string {
  const body = head.subarray(guess.bomBytes);
  if (guess.encoding === 'utf-8')
    return body.subarray(0, complete ? body.length : completeUtf8Length(body)).toString('utf8');
  const usable =
    guess.encoding.startsWith('utf-16') && !complete ? body.subarray(0, body.length - (body.length % 2)) : body;
  return iconv.decode(usable, guess.encoding, { stripBOM: false });
}

const HTML_START = /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|\?xml\s)/i;

interface Candidate {
  delimiter: CsvDialect['delimiter'];
  quote: CsvDialect['quote'];
  records: TextRecord[];
  modal: number;
  consistency: number;
}

export function modalFieldCount(records: TextRecord[]): { modal: number; consistency: number } {
  const counts = new Map<number, number>();
  for (const r of records) if (!r.blank) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
  let modal = 1;
  let best = 0;
  for (const [count, times] of counts) {
    if (times > best || (times === best && count > modal)) {
      modal = count;
      best = times;
    }
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return { modal, consistency: total === 0 ? 0 : best / total };
}

/**
 * Whether the first record is a header: it is, unless every column whose other
 * values all share a type (number, date, boolean...) has a first value of that
 * same type. Text-only files are taken to have a header.
 */
export function looksLikeHeader(records: TextRecord[]): boolean {
  if (records.length < 2) return true;
  const [first, ...rest] = records;
  const body = rest.filter((r) => !r.blank);
  if (body.length === 0) return true;
  let dataVotes = 0;
  for (let col = 0; col < first.fields.length; col++) {
    let mask = 255;
    let values = 0;
    for (const r of body) {
      const v = r.fields[col];
      if (v === null || v === undefined || v.trim() === '') continue;
      values++;
      mask &= typeMask(v);
    }
    if (values === 0 || mask === 0) continue;
    const cell = first.fields[col];
    if (cell === null || cell === undefined || cell.trim() === '') return true;
    if ((typeMask(cell) & mask) === 0) return true;
    dataVotes++;
  }
  return dataVotes === 0;
}

function lineEndingOf(counts: { lf: number; crlf: number; cr: number }): LineEnding {
  const kinds = (['lf', 'crlf', 'cr'] as const).filter((k) => counts[k] > 0);
  if (kinds.length === 0) return 'none';
  return kinds.length === 1 ? kinds[0] : 'mixed';
}

/**
 * Delimiter, quote, header and line endings from the decoded head of a file.
 * Each delimiter and quote is tried on the first records; the pair that splits
 * them into the most consistent number of fields (more than one) wins, ties
 * going to comma and double quote.
 */
export function sniffDialect(text: string, guess: EncodingGuess, complete: boolean): CsvDialect {
  if (HTML_START.test(text)) {
    throw new NotCsvError(
      'the file is an HTML page, not a CSV: the URL probably points at a web page (a login, error or download page) instead of the file itself',
    );
  }
  if (text.trim() === '')
    throw new NotCsvError('the file has no text (only blank lines or spaces): a CSV needs at least a header line');

  const candidates: Candidate[] = [];
  for (const quote of QUOTES) {
    for (const delimiter of DELIMITERS) {
      const parsed = tokenize(text, delimiter, quote, { maxRecords: SNIFF_RECORDS, final: complete });
      const records =
        parsed.records.length > 0
          ? parsed.records
          : tokenize(text, delimiter, quote, { maxRecords: 1, final: true }).records;
      // A single quote is the quote character only where fields are written with it ('a, b').
      if (quote === "'" && !records.some((r) => r.quoted > 0 && r.problem === null)) continue;
      const { modal, consistency } = modalFieldCount(records);
      candidates.push({ delimiter, quote, records, modal, consistency });
    }
  }
  const multi = candidates.filter((c) => c.modal > 1);
  const best =
    multi.sort((a, b) => b.consistency - a.consistency || (a.quote === b.quote ? 0 : a.quote === '"' ? -1 : 1))[0] ??
    candidates.find((c) => c.delimiter === ',' && c.quote === '"')!;
  const lineBreaks = tokenize(text, best.delimiter, best.quote, {
    maxRecords: SNIFF_RECORDS,
    final: complete,
  }).lineBreaks;
  return {
    encoding: guess.encoding,
    bom: guess.bomBytes > 0,
    delimiter: best.delimiter,
    quote: best.quote,
    header: looksLikeHeader(best.records),
    lineEnding: lineEndingOf(lineBreaks),
  };
}

/**
 * Differential property tests of every place that reads the CSV grammar, with
 * csv-parse as the oracle: the cold-path tokenizer (csv-text.ts), the header's
 * record end (header-splitter.ts), the normalizing path (record-scanner.ts) and
 * the fast path's cutter and type tally (copy-chunker.ts, type-tally.ts).
 *
 * fast-check generates files of records over every delimiter and quote the
 * dialect detector supports and every line ending (LF, CRLF, CR, mixed), with
 * fields that are NULL (unquoted empty), "" (quoted empty), quoted text holding
 * delimiters, quotes and line breaks, and unquoted text with a stray quote
 * inside; blank lines between records and at the end; the bytes fed in every
 * chunk size. csv-parse's cast context (`quoting`) tells a quoted "" from an
 * unquoted empty field, which Relayboard keeps apart (NULL vs ''). A failure
 * prints the shrunk file and the seed (`FC_SEED=<seed> npx jest ...` replays it).
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CopyChunker, NeedsNormalizingError, type CopyUnit } from './copy-chunker';
import { tokenize, type Field } from './csv-text';
import { inferType } from './type-rules';
import { DELIMITERS } from './dialect';
import { endOfFirstRecord } from './header-splitter';
import { RecordScanner, type RecordScannerOptions, type RejectedRecord } from './record-scanner';
import { collectInChunks, unitsInChunks } from './stream.test-helper';
import { FieldSplitter } from './field-splitter';
import { TypeTally } from './type-tally';

const QUOTES = ['"', "'"] as const;
const ENDINGS = { lf: ['\n'], crlf: ['\r\n'], cr: ['\r'], mixed: ['\n', '\r\n', '\r'] } as const;
type Ending = keyof typeof ENDINGS;

interface Dialect {
  delimiter: string;
  quote: string;
  ending: Ending;
}

/** One field as written: null is an unquoted empty field (NULL); quoted text is written between quotes. */
type FieldSpec = null | { text: string; quoted: boolean };

interface CsvCase {
  dialect: Dialect;
  columns: number;
  /** The file's bytes. */
  bytes: Buffer;
  /** Whether an unquoted field holds the quote character (the fast path's guard sends such a file to normalizing). */
  strayQuote: boolean;
}

const runs = Number(process.env.FC_RUNS ?? 300);
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const params = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };

const dialectArb: fc.Arbitrary<Dialect> = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  quote: fc.constantFrom(...QUOTES),
  ending: fc.constantFrom(...(Object.keys(ENDINGS) as Ending[])),
});

/** Characters a field is made of: ordinary ASCII and multi-byte UTF-8, spaces, and every special character of any dialect. */
const CHARS = ['a', 'Z', '7', ' ', '.', '-', 'é', '€', '😀', ',', ';', '\t', '|', '"', "'", '\n', '\r'];

/** Values of typed columns (and near misses: a leading zero, a 30 February, a bigint overflow; missing-value markers), so the type tally has types to find. */
const TYPED_VALUES: Record<string, string[]> = {
  integer: ['0', '12', '-7', ' 42 ', '+3', '9223372036854775807', '9223372036854775808', '007', 'N/A'],
  numeric: ['1.5', '-0.25', '1e5', '2.5E-3', '.5', '12'],
  date: ['2024-01-02', '1999-12-31', '2024-02-29', '2023-02-29', ' NA'],
  timestamp: ['2024-01-02 10:00:00', '2024-01-02T23:59:59.123', '2024-01-02 24:00:00', '2024-01-02'],
  timestamptz: ['2024-01-02T10:00:00Z', '2024-01-02 10:00:00+02:00', '2024-01-02T10:00:00-0530'],
  boolean: ['true', 'FALSE', 't', 'f', 'yes', 'No'],
  uuid: ['550e8400-e29b-41d4-a716-446655440000', '550E8400-E29B-41D4-A716-446655440000'],
  json: ['{"a":1}', '[1,2]', '{"b":[true,null]}', '{bad'],
};

/** A field of a typed column: NULL, '', or one of its values, quoted when it must be (or at random). */
function typedFieldArb(dialect: Dialect, kind: string): fc.Arbitrary<FieldSpec> {
  const mustQuote = (v: string) => /[\r\n]/.test(v) || v.includes(dialect.delimiter) || v.includes(dialect.quote);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant({ text: '', quoted: true }) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...TYPED_VALUES[kind]), fc.boolean())
        .map(([text, quoted]) => ({ text, quoted: quoted || mustQuote(text) })),
    },
  );
}

function fieldArb(dialect: Dialect, allowStray: boolean): fc.Arbitrary<FieldSpec> {
  const text = fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((chars) => chars.join(''));
  const quoted = text.map((t) => ({ text: t, quoted: true }));
  // Unquoted text: nothing that ends a field or a record, and no quote at its start (that would open a quoted field).
  const plain = text
    .map((t) => [...t].filter((c) => c !== dialect.delimiter && c !== '\n' && c !== '\r').join(''))
    .filter((t) => t.length > 0 && !t.startsWith(dialect.quote))
    .filter((t) => allowStray || !t.includes(dialect.quote))
    .map((t) => ({ text: t, quoted: false }));
  return fc.oneof(fc.constant(null), quoted, plain);
}

function writeField(field: FieldSpec, quote: string): string {
  if (field === null) return '';
  return field.quoted ? quote + field.text.split(quote).join(quote + quote) + quote : field.text;
}

/**
 * allowStray: unquoted fields may hold the quote character. fastPath: only what the stage step
 * sends down the fast path (headNeedsNormalizing in stage-csv.ts): one line ending for the whole
 * file and no blank line before the end; anything else COPY itself refuses, and the run falls
 * back to the normalizing path.
 */
function csvCaseArb(options: { allowStray: boolean; fastPath?: boolean }): fc.Arbitrary<CsvCase> {
  const dialects = options.fastPath ? dialectArb.filter((d) => d.ending !== 'mixed') : dialectArb;
  return dialects.chain((dialect) =>
    fc.integer({ min: 2, max: 5 }).chain((columns) =>
      fc
        .array(fc.constantFrom('text', ...Object.keys(TYPED_VALUES)), { minLength: columns, maxLength: columns })
        .chain((kinds) =>
          fc.record({
            records: fc.array(
              fc.tuple(
                ...kinds.map((kind) =>
                  kind === 'text' ? fieldArb(dialect, options.allowStray) : typedFieldArb(dialect, kind),
                ),
              ),
              { minLength: 1, maxLength: 12 },
            ),
            breaks: fc.array(fc.nat(2), { minLength: 12, maxLength: 12 }),
            blankAfter: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
            finalBreak: fc.boolean(),
            trailingBlanks: fc.nat(2),
          }),
        )
        .map(({ records, breaks, blankAfter, finalBreak, trailingBlanks }): CsvCase => {
          const endings = ENDINGS[dialect.ending];
          const ending = (i: number) => endings[breaks[i] % endings.length];
          let text = '';
          records.forEach((record, i) => {
            text += record.map((f) => writeField(f, dialect.quote)).join(dialect.delimiter);
            const last = i === records.length - 1;
            if (!last || finalBreak) text += ending(i);
            if (!last && blankAfter[i] && !options.fastPath) text += ending(i + 1);
          });
          if (finalBreak) for (let i = 0; i < trailingBlanks; i++) text += ending(i);
          const strayQuote = records.some((r) =>
            r.some((f) => f !== null && !f.quoted && f.text.includes(dialect.quote)),
          );
          return { dialect, columns, bytes: Buffer.from(text, 'utf8'), strayQuote };
        }),
    ),
  );
}

interface OracleRecord {
  fields: Field[];
  /** Bytes of the file up to the end of this record's line break. */
  endByte: number;
}

/** The file's records by csv-parse: NULL for an unquoted empty field, '' for a quoted one. */
function oracle(bytes: Buffer, dialect: Dialect): OracleRecord[] {
  const rows = parse(bytes, {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  }) as unknown as { record: Field[]; info: { bytes: number } }[];
  return rows.map((row) => ({ fields: row.record, endByte: row.info.bytes }));
}

/** The normalizing path's scanner for a generated case (rejects dropped unless `options` says). */
function scannerFor(c: CsvCase, options: Partial<RecordScannerOptions> = {}): RecordScanner {
  return new RecordScanner({
    delimiter: c.dialect.delimiter,
    quote: c.dialect.quote,
    columns: c.columns,
    firstLine: 2,
    invalidUtf8: 'reject',
    maxRecordBytes: 1 << 20,
    onReject: () => undefined,
    ...options,
  });
}

describe('the CSV grammar, against csv-parse (fast-check)', () => {
  it('csv-text tokenize reads every record and field as csv-parse does', () => {
    fc.assert(
      fc.property(csvCaseArb({ allowStray: true }), (c) => {
        const { delimiter, quote } = c.dialect;
        const records = tokenize(c.bytes.toString('utf8'), delimiter, quote, { final: true }).records.filter(
          (r) => !r.blank,
        );
        expect(records.map((r) => r.problem)).toEqual(records.map(() => null));
        expect(records.map((r) => r.fields)).toEqual(oracle(c.bytes, c.dialect).map((r) => r.fields));
      }),
      params,
    );
  });

  it("header-splitter's endOfFirstRecord ends where csv-parse's first record ends", () => {
    fc.assert(
      fc.property(
        csvCaseArb({ allowStray: true }).filter((c) => /[\r\n]$/.test(c.bytes.toString('utf8'))),
        (c) => {
          const first = oracle(c.bytes, c.dialect)[0];
          const { delimiter, quote } = c.dialect;
          // A record whose CR ends the bytes so far may still be a CRLF: the splitter waits (-1) for the next byte.
          const end = endOfFirstRecord(c.bytes, delimiter.charCodeAt(0), quote.charCodeAt(0));
          if (end === -1) expect(c.bytes[c.bytes.length - 1]).toBe(0x0d);
          else expect(end).toBe(first.endByte);
        },
      ),
      params,
    );
  });

  it('the normalizing path (RecordScanner) writes every record as COPY input csv-parse reads back the same, in any chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(csvCaseArb({ allowStray: true }), fc.integer({ min: 1, max: 64 }), async (c, chunkSize) => {
        const rejects: RejectedRecord[] = [];
        const scanner = scannerFor(c, { onReject: (r) => rejects.push(r) });
        const { bytes: copy } = await unitsInChunks(scanner, c.bytes, chunkSize);
        const expected = oracle(c.bytes, c.dialect).map((r) => r.fields);
        expect(rejects.map((r) => `${r.line}: ${r.reason}`)).toEqual([]);
        // COPY reads its input as CSV with the same delimiter and quote; each row starts with its record number.
        const rows = oracle(copy, { ...c.dialect, ending: 'mixed' }).map((r) => r.fields);
        expect(rows.map((r) => r[0])).toEqual(expected.map((_, i) => String(i + 1)));
        expect(rows.map((r) => r.slice(1))).toEqual(expected);
        expect(scanner.rowsOut).toBe(expected.length);
      }),
      params,
    );
  });

  it("the normalizing path types each field as it reads it, as the fast path's TypeTally types what it writes, and cuts units at record ends", async () => {
    await fc.assert(
      fc.asyncProperty(
        csvCaseArb({ allowStray: true }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 96 }),
        async (c, chunkSize, unitBytes) => {
          const { delimiter, quote } = c.dialect;
          const scanner = scannerFor(c, { unitBytes });
          const { bytes, units } = await unitsInChunks(scanner, c.bytes, chunkSize);
          // The second pass the scanner saves: a TypeTally over its output, the record number skipped.
          const reference = new TypeTally({ delimiter, quote, columns: c.columns, skipFields: 1 });
          const splitter = new FieldSplitter({ delimiter, quote }, reference);
          splitter.feed(bytes);
          splitter.end();
          expect(scanner.tally.types()).toEqual(reference.types());
          expect(scanner.tally.decisions()).toEqual(reference.decisions());
          expect(scanner.tally.unpadded()).toEqual(reference.unpadded());
          // Every unit is whole records: read alone, it holds as many as it says, numbered on from the last.
          let next = 1;
          for (const unit of units) {
            const rows = oracle(Buffer.concat(unit.pieces), { ...c.dialect, ending: 'mixed' });
            expect({ firstRecord: unit.firstRecord, records: rows.length }).toEqual({
              firstRecord: next,
              records: unit.records,
            });
            next += unit.records;
          }
          expect(next - 1).toBe(scanner.rowsOut);
        },
      ),
      params,
    );
  });

  it('the fast path (CopyChunker) cuts units at record boundaries and counts every record, in any chunk and unit size', async () => {
    await fc.assert(
      fc.asyncProperty(
        csvCaseArb({ allowStray: false, fastPath: true }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 96 }),
        async (c, chunkSize, unitBytes) => {
          const { delimiter, quote } = c.dialect;
          const chunker = new CopyChunker({ delimiter, quote, columns: c.columns, guard: true, unitBytes });
          const units = await collectInChunks<CopyUnit>(chunker, c.bytes, chunkSize);
          const truth = oracle(c.bytes, c.dialect);
          const expected = truth.map((r) => r.fields);
          // The units are the body's bytes, untouched, up to the last record (the line breaks after its
          // content are dropped: COPY needs none, and blank lines at the end are not records), and each
          // unit but the last ends exactly where a record's line break ends.
          const ends = new Set(truth.map((r) => r.endByte));
          const body = c.bytes.toString('latin1').replace(/[\r\n]+$/, '').length;
          const joined = Buffer.concat(units.flatMap((u) => u.pieces));
          expect({ joinedBytes: joined.length, prefix: joined.equals(c.bytes.subarray(0, joined.length)) }).toEqual({
            joinedBytes: body,
            prefix: true,
          });
          let offset = 0;
          units.forEach((unit, i) => {
            offset += unit.bytes;
            const last = i === units.length - 1;
            expect({ unitEndsAt: offset, isRecordEnd: last || ends.has(offset) }).toEqual({
              unitEndsAt: offset,
              isRecordEnd: true,
            });
          });
          let next = 1;
          const fromUnits: Field[][] = [];
          for (const unit of units) {
            // Every unit is whole records on its own: read alone, it gives exactly the records it says it holds.
            const records = oracle(Buffer.concat(unit.pieces), c.dialect).map((r) => r.fields);
            expect({ firstRecord: unit.firstRecord, records: records.length }).toEqual({
              firstRecord: next,
              records: unit.records,
            });
            next += unit.records;
            fromUnits.push(...records);
          }
          expect(fromUnits).toEqual(expected);
          expect(chunker.records).toBe(expected.length);
          // The type tally (byte parsers) infers what the type rules (regexes) say of the oracle's values.
          expect(chunker.tally.types()).toEqual(
            Array.from({ length: c.columns }, (_, i) => inferType(expected.map((r) => r[i]))),
          );
        },
      ),
      params,
    );
  });

  it("the fast path's guard sends a file with a stray quote to the normalizing path", async () => {
    await fc.assert(
      fc.asyncProperty(
        csvCaseArb({ allowStray: true, fastPath: true }).filter((c) => c.strayQuote),
        fc.integer({ min: 1, max: 64 }),
        async (c, chunkSize) => {
          const { delimiter, quote } = c.dialect;
          const chunker = new CopyChunker({ delimiter, quote, columns: c.columns, guard: true });
          await expect(collectInChunks<CopyUnit>(chunker, c.bytes, chunkSize)).rejects.toBeInstanceOf(
            NeedsNormalizingError,
          );
        },
      ),
      { ...params, numRuns: Math.ceil(runs / 3) },
    );
  });

  it('states what a failure looks like (the generator makes the shapes it claims)', () => {
    // The properties above are only as strong as their inputs: check that the generator reaches
    // every dialect and the field shapes that matter, so a narrowed generator cannot pass quietly.
    const seen = new Set<string>();
    fc.assert(
      fc.property(csvCaseArb({ allowStray: true }), (c) => {
        const text = c.bytes.toString('utf8');
        seen.add(`d${c.dialect.delimiter}`);
        seen.add(`q${c.dialect.quote}`);
        seen.add(c.dialect.ending);
        if (text.includes(c.dialect.quote + c.dialect.quote)) seen.add('doubled quote');
        if (/\r\n/.test(text)) seen.add('crlf seen');
        if (c.strayQuote) seen.add('stray quote');
        if (oracle(c.bytes, c.dialect).some((r) => r.fields.some((f) => f !== null && /[\r\n]/.test(f))))
          seen.add('line break inside a field');
        if (oracle(c.bytes, c.dialect).some((r) => r.fields.includes(null) && r.fields.includes('')))
          seen.add('NULL beside ""');
        const records = oracle(c.bytes, c.dialect).map((r) => r.fields);
        for (let i = 0; i < c.columns; i++) {
          const type = inferType(records.map((r) => r[i]));
          if (type !== 'text') seen.add(`typed ${type}`);
        }
      }),
      { numRuns: 500, seed: 1 },
    );
    expect([...seen].sort()).toEqual(
      [
        ...DELIMITERS.map((d) => `d${d}`),
        ...QUOTES.map((q) => `q${q}`),
        ...Object.keys(ENDINGS),
        'doubled quote',
        'crlf seen',
        'stray quote',
        'line break inside a field',
        'NULL beside ""',
        ...['bigint', 'numeric', 'date', 'timestamp', 'timestamptz', 'boolean', 'uuid', 'json'].map(
          (t) => `typed ${t}`,
        ),
      ].sort(),
    );
  });
});

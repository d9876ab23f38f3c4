import { tokenize } from './csv-text';
import { lcg, pick } from './stream.test-helper';
import { ANY_TYPE, inferType, typeMask, TypeBit } from './type-rules';
import { FieldSplitter } from './field-splitter';
import { BLANK, byteTypeMask, TypeTally, type TypeTallyOptions } from './type-tally';
import { NumberBit } from './value-types';

/** typeMask in byteTypeMask's terms: BLANK where typeMask says "no value". */
function reference(value: string): number {
  const mask = typeMask(value);
  return mask === ANY_TYPE ? BLANK : mask;
}

/** byteTypeMask of `value` inside other bytes, so it must read only its own range. */
function bytesMask(value: string, before = '9:', after = '0:00+02'): number {
  const buf = Buffer.from(before + value + after);
  const from = Buffer.byteLength(before);
  return byteTypeMask(buf, from, from + Buffer.byteLength(value));
}

const { boolean, bigint, numeric, date, timestamp, timestamptz, uuid, json } = TypeBit;
/** A whole number also reads in every separator format. */
const integer = bigint | numeric | NumberBit.commaThousands | NumberBit.commaDecimal;

describe('byteTypeMask', () => {
  const edgeValues = [
    // type-rules.spec.ts
    ...[
      'true',
      'FALSE',
      'yes',
      'No',
      't',
      'f',
      '1',
      '0',
      '-12',
      '+7',
      '9223372036854775807',
      '9223372036854775808',
      '1.5',
      '-.5',
      '2.',
      '1e6',
      '3',
    ],
    ...[
      '2024-01-31',
      '2024-02-29',
      '2024-02-01 10:00',
      '2024-02-01T10:00:00.123',
      '2024-02-01T10:00:00Z',
      '2024-02-01 10:00:00+02:00',
      '2024-02-01 10:00+0530',
    ],
    ...[
      '0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d',
      '{"a": 1}',
      '[1, 2]',
      '',
      '  ',
      ' 12 ',
      '1,234',
      '08123',
      '12',
      '2024-01-05',
      '01/06/2024',
      '2024-02-30',
    ],
    ...['2024-02-01T10:00:00', '\t12', 'y', 'n', 'NaN', 'Infinity', "=cmd|' /C calc'!A0", '+1+1', '"x"', '{not json'],
    // numbers
    ...[
      '0',
      '00',
      '-0',
      '+0',
      '0.5',
      '00.5',
      '-00.5',
      '+.5',
      '.',
      '-',
      '+',
      '-.',
      '1e',
      '1e+',
      '1E5',
      '1e-5',
      '.e5',
      '1.e5',
      '0e0',
      '00e1',
      '+.e1',
      '1.5.5',
      '1-2',
    ],
    ...['123e-45678', '1.5e-10000', '123e-10000', '12e+123456', '1234e5678'],
    ...[
      '123456789012345678',
      '-123456789012345678',
      '1234567890123456789',
      '12345678901234567890',
      '-12345678901234567890',
    ],
    ...[
      '9223372036854775807',
      '-9223372036854775807',
      '+9223372036854775807',
      '9223372036854775808',
      '-9223372036854775808',
      '-9223372036854775809',
      '09223372036854775807',
    ],
    // dates
    ...[
      '2024-02-29',
      '2023-02-29',
      '1900-02-29',
      '2000-02-29',
      '0000-01-01',
      '0001-01-01',
      '9999-12-31',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-04-31',
    ],
    ...['2024-1-01', '20240-01-01', '2024-01-01x', '2024/01/01', '2024-01-0112', '1234-5678-9012'],
    // timestamps
    ...[
      '2024-01-01T10:00',
      '2024-01-01 10:00',
      '2024-01-01t10:00',
      '2024-01-01  10:00',
      '2024-01-01T1:00',
      '2024-01-01T10:0',
      '2024-01-01T10:00:5',
      '2024-01-01T10:60',
    ],
    ...[
      '2024-01-01T10:00:60',
      '2024-01-01T10:00:61',
      '2024-12-31T23:59:60',
      '2024-12-31T23:59:60Z',
      '2024-01-01T25:00',
    ],
    ...[
      '2024-01-01T24:00',
      '2024-01-01T24:00:00',
      '2024-01-01T24:00:01',
      '2024-01-01T24:30',
      '2024-01-01T24:00:00.0',
      '2024-01-01T24:00:00.000001',
      '2024-01-01T24:00:00Z',
      '2024-01-01T24:00+02',
    ],
    ...[
      '2024-01-01T10:00:00.5',
      '2024-01-01T10:00:00.123456',
      '2024-01-01T10:00:00.1234567',
      '2024-01-01T10:00:00.',
      '2024-01-01T10:00.5',
      '2024-01-01T10:00:00.5+02:00',
    ],
    ...[
      '2024-01-01T10:00Z',
      '2024-01-01T10:00:00z',
      '2024-01-01T10:00:00+02',
      '2024-01-01T10:00:00+0200',
      '2024-01-01T10:00:00+02:00',
      '2024-01-01T10:00:00-15:59',
    ],
    ...[
      '2024-01-01T10:00:00+16:00',
      '2024-01-01T10:00:00-16',
      '2024-01-01T10:00:00+15:59',
      '2024-01-01T10:00:00+02:60',
      '2024-01-01T10:00:00+2',
      '2024-01-01T10:00:00+020',
    ],
    ...[
      '2024-01-01T10:00:00+02:0',
      '2024-01-01T10:00:00+02:',
      '2024-01-01T10:00:00 Z',
      '2024-01-01T10:00:00ZZ',
      '2024-01-01T10:00:60+02',
      '2023-02-29T10:00Z',
      '2024-02-29 10:00Z',
    ],
    // uuids
    ...[
      '0B0F5A9E-6A53-4E3C-9A57-0F7A3F1B2C4D',
      'fb0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d',
      '0b0f5a9e6a534e3c9a570f7a3f1b2c4d',
      '0b0f5a9e-6a534e3c-9a57-0f7a3f1b2c4d',
    ],
    ...[
      '0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4',
      '{0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d}',
      '0b0f5a9g-6a53-4e3c-9a57-0f7a3f1b2c4d',
      '12345678-1234-1234-1234-123456789012',
    ],
    ...['2024-01-01-1234-1234-1234-1234567890', '0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d0'],
    // booleans
    ...[
      'TRUE',
      'True',
      'tRuE',
      'T',
      'F',
      'YES',
      'Yes',
      'NO',
      'nO',
      'Y',
      'N',
      'on',
      'off',
      'tru',
      'falsey',
      'yess',
      'n0',
    ],
    // json
    ...[
      '{}',
      '[]',
      '{"a":[1,{"b":null}]}',
      '[1,2',
      '{"a":1}}',
      '  [1]',
      '[1]  ',
      "{'a':1}",
      '[NaN]',
      '[01]',
      '\t[1]',
      '[1]\n',
      '\u00a0[1]',
      '"[1]"',
    ],
    // spaces and tabs around
    ...[
      ' 1',
      ' 1 ',
      '1 ',
      '\t1',
      '1\t',
      ' \t ',
      '\t',
      '  2024-01-01  ',
      ' 2024-01-01 10:00 ',
      ' true',
      ' 0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d ',
      ' {"a":1} ',
      '1\n',
      '\n1',
      '1\r',
    ],
    // non-ASCII
    ...['é', '日本', 'ünïcödé', '１２３', '٣', '1é', 'true✓', '2024-01-01T10:00:00+02:00é', '–1', '2024‐01‐01'],
  ];

  it.each(edgeValues)('agrees with typeMask on %j', (value) => {
    expect(bytesMask(value)).toBe(reference(value));
    expect(bytesMask(value, '', '')).toBe(reference(value));
  });

  // Checked against PostgreSQL 18 with pg_input_is_valid(btrim(value), type).
  it.each([
    ['2024-01-01T24:00', timestamp],
    ['2024-01-01T24:00:00', timestamp],
    ['2024-01-01T24:00:01', 0],
    ['2024-01-01T24:30', 0],
    ['2024-01-01T24:00:00.000001', 0],
    ['2024-12-31T23:59:60', timestamp],
    ['2024-01-01T10:00:00-15:59', timestamptz],
    ['2024-01-01T10:00:00+16:00', 0],
    ['2024-01-01T10:00:00-16', 0],
    ['2024-01-01T10:00:00+02:60', 0],
    ['2023-02-29', 0],
    ['0000-01-01', 0],
    ['9999-12-31', date | timestamp],
    ['1e1000', numeric],
    ['1e-1000', numeric],
    ['2024-12-31T23:59:60.5', 0],
    ['2024-01-01T10:00:60.5', timestamp],
    ['["\\u0000"]', 0],
    ['["\\ud800"]', 0],
    ['{"\\udc00": 1}', 0],
    ['["\\ud83d\\ude00"]', json],
    ['-9223372036854775808', integer],
    ['-9223372036854775809', integer & ~bigint],
    ['0B0F5A9E-6A53-4E3C-9A57-0F7A3F1B2C4D', uuid],
    ['nO', boolean],
    ['[1, {"a": null}]', json],
    ['  ', BLANK],
  ])('reads %j as PostgreSQL does (mask %i)', (value, mask) => {
    expect(bytesMask(value)).toBe(mask);
    expect(reference(value)).toBe(mask);
  });

  it('keeps numbers with exponents beyond 1000 as text, although PostgreSQL takes some of them', () => {
    for (const value of ['1.5e-10000', '1e1001', '-2.5E+99999']) {
      expect(bytesMask(value)).toBe(0);
      expect(reference(value)).toBe(0);
    }
  });

  it('agrees with typeMask on 20,000 seeded random values', () => {
    const rand = lcg(20240229);
    const fragments = [
      ...'0123456789',
      '0',
      '00',
      '1',
      '12',
      '99',
      '2024',
      '9223372036854775807',
      '24',
      '59',
      '60',
      '15',
      '16',
      '-',
      '+',
      '.',
      ':',
      'T',
      't',
      'Z',
      'z',
      'e',
      'E',
      ' ',
      '  ',
      '\t',
      ',',
      '-01',
      '-02-29',
      '-12-31',
      '-13',
      'T10:00',
      ' 23:59:60',
      ':00',
      '.5',
      '+02',
      '+02:00',
      '-0530',
      'Z',
      'true',
      'FALSE',
      'yes',
      'No',
      't',
      'f',
      'y',
      'n',
      'a',
      'b',
      'f0',
      'x',
      'é',
      '日',
      '0b0f5a9e',
      '-6a53',
      '-4e3c',
      '-9a57',
      '-0f7a3f1b2c4d',
      'ABCDEF',
      '{',
      '}',
      '[',
      ']',
      '"',
      '"a"',
      'null',
      '1e',
    ];
    const mismatches: { value: string; bytes: number; expected: number }[] = [];
    for (let n = 0; n < 20_000; n++) {
      let value = '';
      const parts = 1 + rand(6);
      for (let k = 0; k < parts; k++) value += pick(rand, fragments);
      const before = pick(rand, ['', '1', '2024-01-01 ', ':', '-', '"']);
      const after = pick(rand, ['', '0', '5', ':00', '+02', 'Z', ' ', '"']);
      const bytes = bytesMask(value, before, after);
      const expected = reference(value);
      if (bytes !== expected) mismatches.push({ value, bytes, expected });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

interface Body {
  text: string;
  columns: number;
}

const LINE_ENDS = ['\n', '\r\n', '\r'];

/** Values of the kinds a column can have, some of them off-kind so a column can fall back to text. */
const KINDS: readonly (readonly string[])[] = [
  ['true', 'False', 'YES', 'no', 't', 'F', ' true '],
  ['0', '1', '-12', '+7', '42', '9223372036854775807', '-9223372036854775808', ' 12 '],
  ['1.5', '-.5', '2.', '1e6', '3', '-0.25', '1E-3'],
  ['2024-01-31', '2024-02-29', '1999-12-31', '2024-02-01 10:00', '2024-02-01T10:00:00.123'],
  ['2024-02-01T10:00:00Z', '2024-02-01 10:00:00+02:00', '2024-02-01 10:00+0530', '2024-02-01T24:00-03'],
  ['0b0f5a9e-6a53-4e3c-9a57-0f7a3f1b2c4d', 'FB0F5A9E-6A53-4E3C-9A57-0F7A3F1B2C4D'],
  ['{"a": 1}', '[1, 2]', '{"q": "say \\"hi\\""}', '["it\'s"]', '[]'],
  [
    'x',
    'a,b',
    'a;b',
    'a\tb',
    'line\nbreak',
    'cr\rlf\r\n',
    'say "hi"',
    '"',
    "it's",
    "'",
    '08123',
    '9223372036854775808',
    'é',
    ' ',
  ],
];

function randomValue(rand: (n: number) => number, kind: number): string | null {
  const r = rand(20);
  if (r === 0) return null;
  if (r === 1) return '';
  if (r === 2) return pick(rand, pick(rand, KINDS));
  return pick(rand, KINDS[kind]);
}

/** The value as a CSV field: NULL unquoted and empty, quoted when it must be and now and then when it need not. */
function field(rand: (n: number) => number, value: string | null, delimiter: string, quote: string): string {
  if (value === null) return '';
  const mustQuote =
    value === '' || value.includes(delimiter) || value.includes(quote) || value.includes('\n') || value.includes('\r');
  if (!mustQuote && rand(3) !== 0) return value;
  return quote + value.split(quote).join(quote + quote) + quote;
}

function randomBody(
  rand: (n: number) => number,
  delimiter: string,
  quote: string,
  prefix: (record: number) => string[] = () => [],
): Body {
  const columns = 1 + rand(4);
  const kinds = Array.from({ length: columns }, () => rand(KINDS.length));
  const rows = rand(8);
  let text = '';
  for (let r = 0; r < rows; r++) {
    // Now and then a ragged row: one field short or one too many.
    const width = rand(10) === 0 ? Math.max(1, columns + pick(rand, [-1, 1])) : columns;
    const fields = prefix(r + 1);
    for (let c = 0; c < width; c++) fields.push(field(rand, randomValue(rand, kinds[c] ?? 0), delimiter, quote));
    text += fields.join(delimiter);
    if (r < rows - 1 || rand(2) === 0) text += pick(rand, LINE_ENDS);
  }
  return { text, columns };
}

/** Per column, the type inferType gives the values tokenize reads. */
function expectedTypes(text: string, columns: number, delimiter: string, quote: string, skip = 0): string[] {
  const { records } = tokenize(text, delimiter, quote, { final: true });
  return Array.from({ length: columns }, (_, c) =>
    inferType(records.map((r) => r.fields[c + skip]).filter((v): v is string | null => v !== undefined)),
  );
}

function chunksOf(buf: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return chunks;
}

/** A FieldSplitter feeding a TypeTally, as the fast path reads: the splitter's state, and the tally's verdicts. */
function splitAndTally(options: TypeTallyOptions) {
  const judged = new TypeTally(options);
  return Object.assign(new FieldSplitter(options, judged), {
    types: () => judged.types(),
    decisions: () => judged.decisions(),
    unpadded: () => judged.unpadded(),
  });
}

function tallyOf(text: string, options: TypeTallyOptions, size: number) {
  const tally = splitAndTally(options);
  for (const chunk of chunksOf(Buffer.from(text), size)) tally.feed(chunk);
  tally.end();
  return tally;
}

/**
 * Offsets just past each record's line break, each with the offset of the byte
 * that shows the record is complete: its LF, or for a lone CR the byte after it
 * (it might have been the first half of a CRLF).
 */
function recordEnds(buf: Buffer, delimiter: string, quote: string): { end: number; seenAt: number }[] {
  const text = buf.toString('latin1');
  return tokenize(text, delimiter, quote, { final: true })
    .records.filter((r) => r.end < text.length)
    .map((r) => {
      const end = r.end + (text.startsWith('\r\n', r.end) ? 2 : 1);
      return { end, seenAt: text[end - 1] === '\n' ? end - 1 : end };
    });
}

const SIZES = [1, 2, 3, 4, 5, 6, 7, 64];
const DIALECTS: [string, string][] = [
  [',', '"'],
  [';', "'"],
  ['\t', '"'],
];

describe('FieldSplitter into TypeTally (the fast path)', () => {
  it('infers what inferType infers and counts records, in every chunk size (seeded random bodies)', () => {
    const rand = lcg(7);
    for (let n = 0; n < 300; n++) {
      const [delimiter, quote] = DIALECTS[n % DIALECTS.length];
      const { text, columns } = randomBody(rand, delimiter, quote);
      const expected = {
        types: expectedTypes(text, columns, delimiter, quote),
        records: tokenize(text, delimiter, quote).records.length,
      };
      for (const size of SIZES) {
        const tally = tallyOf(text, { delimiter, quote, columns }, size);
        expect({
          text,
          size,
          types: tally.types(),
          records: tally.records,
          problem: tally.problem,
          inQuotes: tally.inQuotes,
        }).toEqual({
          text,
          size,
          ...expected,
          problem: null,
          inQuotes: false,
        });
      }
    }
  });

  it('skips the leading fields it is told to (the normalizing path numbers its records)', () => {
    const rand = lcg(11);
    for (let n = 0; n < 150; n++) {
      const [delimiter, quote] = DIALECTS[n % DIALECTS.length];
      const { text, columns } = randomBody(rand, delimiter, quote, (record) => [String(record)]);
      const expected = expectedTypes(text, columns, delimiter, quote, 1);
      for (const size of SIZES) {
        const tally = tallyOf(text, { delimiter, quote, columns, skipFields: 1 }, size);
        expect({ text, size, types: tally.types() }).toEqual({ text, size, types: expected });
      }
    }
    expect(
      tallyOf('1,true,x\n2,false,y\n', { delimiter: ',', quote: '"', columns: 2, skipFields: 1 }, 64).types(),
    ).toEqual(['boolean', 'text']);
  });

  it('reports the last record boundary of every chunk, and cutting there gives whole records', () => {
    const rand = lcg(13);
    for (let n = 0; n < 300; n++) {
      const [delimiter, quote] = DIALECTS[n % DIALECTS.length];
      const { text, columns } = randomBody(rand, delimiter, quote);
      const buf = Buffer.from(text);
      const ends = recordEnds(buf, delimiter, quote);
      const all = tokenize(text, delimiter, quote).records.map((r) => r.fields);
      for (const size of SIZES) {
        const tally = splitAndTally({ delimiter, quote, columns });
        const cuts = [{ at: 0, records: 0 }];
        let offset = 0;
        for (const chunk of chunksOf(buf, size)) {
          tally.feed(chunk);
          const seen = ends.filter((e) => e.seenAt >= offset && e.seenAt < offset + chunk.length);
          const expected = seen.length === 0 ? -1 : seen[seen.length - 1].end - offset;
          expect({ text, size, offset, boundary: tally.boundary }).toEqual({ text, size, offset, boundary: expected });
          if (tally.boundary !== -1) {
            const at = offset + tally.boundary;
            expect(tally.recordsAtBoundary).toBe(ends.filter((e) => e.end <= at).length);
            cuts.push({ at, records: tally.recordsAtBoundary });
          }
          offset += chunk.length;
        }
        tally.end();
        cuts.push({ at: buf.length, records: tally.records });
        const pieces: (string | null)[][] = [];
        for (let k = 1; k < cuts.length; k++) {
          const piece = buf.subarray(cuts[k - 1].at, cuts[k].at).toString();
          const { records } = tokenize(piece, delimiter, quote);
          expect(records.map((r) => r.problem)).toEqual(records.map(() => null));
          expect(records.length).toBe(cuts[k].records - cuts[k - 1].records);
          pieces.push(...records.map((r) => r.fields));
        }
        expect(pieces).toEqual(all);
      }
    }
  });

  it('takes empty chunks in its stride', () => {
    const text = '1,"a""b"\r\n2,"x"\r3,y';
    const tally = splitAndTally({ delimiter: ',', quote: '"', columns: 2 });
    for (const chunk of chunksOf(Buffer.from(text), 1)) {
      tally.feed(Buffer.alloc(0));
      expect(tally.boundary).toBe(-1);
      tally.feed(chunk);
    }
    tally.end();
    expect({ records: tally.records, types: tally.types(), problem: tally.problem }).toEqual({
      records: 3,
      types: ['bigint', 'text'],
      problem: null,
    });
  });

  it('infers from values cut anywhere by chunks, quoted or not', () => {
    const text =
      '"2024-01-01 10:00:00+02:00",  -9223372036854775808 ,"{""a"": [1, 2]}"\n2024-02-29T23:59:60Z,"9223372036854775807","[""x""]"\n';
    for (const size of SIZES) {
      expect(tallyOf(text, { delimiter: ',', quote: '"', columns: 3 }, size).types()).toEqual([
        'timestamptz',
        'bigint',
        'json',
      ]);
    }
  });

  it('makes blank-only and empty columns text, and ignores fields past the last column', () => {
    const tally = tallyOf('1,,"",5\n2,," ",6,7\n', { delimiter: ',', quote: '"', columns: 3 }, 3);
    expect(tally.types()).toEqual(['bigint', 'text', 'text']);
    expect(tally.records).toBe(2);
  });

  it.each([
    ['1,5" screen\n2,x\n', 'a quote inside an unquoted field'],
    ['1,x"\n', 'a quote inside an unquoted field'],
    ['1,"ab"c\n2,x\n', 'text after a closing quote'],
    ['1,"ab" \n', 'text after a closing quote'],
    ['1,"ab""c"d\n', 'text after a closing quote'],
  ])('says what is wrong with %j in every chunk size', (text, problem) => {
    for (const size of SIZES)
      expect({ size, problem: tallyOf(text, { delimiter: ',', quote: '"', columns: 2 }, size).problem }).toEqual({
        size,
        problem,
      });
  });

  it('knows when the body ends inside a quoted field', () => {
    for (const [text, inQuotes] of [
      ['1,"abc\n', true],
      ['1,"abc""', true],
      ['1,"abc"""', false],
      ['1,"abc"', false],
      ['1,""', false],
      ['1,"', true],
    ] as const) {
      for (const size of SIZES) {
        const tally = splitAndTally({ delimiter: ',', quote: '"', columns: 2 });
        for (const chunk of chunksOf(Buffer.from(text), size)) tally.feed(chunk);
        expect({ text, size, inQuotes: tally.inQuotes }).toEqual({ text, size, inQuotes });
      }
    }
  });
});

describe('TypeTally decisions (issue #15)', () => {
  const body =
    'id;delay;city;amount;day\n1;NA;NA;1.234,50;05/06/2024\n2;12;Paris;0,5;25/06/2024\n3; NA ;Lyon;12;NA\n4;-3;NA;NA;\n';
  it.each([1, 2, 3, 7, 1000])('reads markers, date and number formats in one pass (chunks of %i bytes)', (size) => {
    const tally = splitAndTally({ delimiter: ';', quote: '"', columns: 5 });
    const bytes = Buffer.from(body.slice(body.indexOf('\n') + 1));
    for (let at = 0; at < bytes.length; at += size) tally.feed(bytes.subarray(at, at + size));
    tally.end();
    expect(tally.types()).toEqual(['bigint', 'bigint', 'text', 'numeric', 'date']);
    const decisions = tally.decisions();
    expect(decisions[1].nullMarkers).toEqual([{ marker: 'NA', count: 2 }]);
    expect(decisions[2].nullMarkers).toEqual([]);
    expect(decisions[3]).toEqual({
      nullMarkers: [{ marker: 'NA', count: 1 }],
      dateFormat: null,
      numberFormat: { decimal: ',', thousands: '.' },
      source: 'inferred',
      note: null,
    });
    expect(decisions[4]).toMatchObject({ dateFormat: 'dd/mm/yyyy', nullMarkers: [{ marker: 'NA', count: 1 }] });
  });

  it('never reads a decimal comma in a comma-delimited file', () => {
    const tally = splitAndTally({ delimiter: ',', quote: '"', columns: 1 });
    tally.feed(Buffer.from('"1,5"\n"2,25"\n'));
    tally.end();
    expect(tally.types()).toEqual(['text']);
  });
});

describe('TypeTally unpadded: whether trimming spaces would change any value of a typed column', () => {
  // Columns: no spaces; a space inside the value only; a leading space; a value of only spaces;
  // a trailing space inside quotes (cut across chunks too); a text column (never known).
  const text = 'a,b,c,d,e,f\n1,2024-01-01 10:00,1, ,"7 ",x\n2,2024-01-02 11:00, 2,3,"""8"" ",y\n3,,3,4,9,z\n';
  const body = text.slice(text.indexOf('\n') + 1);

  it.each([1, 2, 3, 7, 64])('says which, in chunks of %i bytes', (size) => {
    const tally = tallyOf(body, { delimiter: ',', quote: '"', columns: 6 }, size);
    expect(tally.types()).toEqual(['bigint', 'timestamp', 'bigint', 'bigint', 'text', 'text']);
    expect(tally.unpadded()).toEqual([true, true, false, false, false, false]);
  });

  it('skips the leading record-number field of the normalizing path', () => {
    const tally = tallyOf('1,5, 6\n2,7,8\n', { delimiter: ',', quote: '"', columns: 2, skipFields: 1 }, 4);
    expect(tally.unpadded()).toEqual([true, false]);
  });
});

import { CopyChunker, NeedsNormalizingError, type CopyChunkerOptions, type CopyUnit } from './copy-chunker';
import { tokenize } from './csv-text';
import { collectInChunks, lcg, pick } from './stream.test-helper';
import { inferType } from './type-rules';

interface Chunked {
  units: CopyUnit[];
  /** Each unit's bytes in one buffer. */
  bytes: Buffer[];
  chunker: CopyChunker;
}

/** Feeds `input` to a CopyChunker in chunks of `chunkSize` bytes and collects the units it emits. */
async function chunkBody(
  input: string | Buffer,
  chunkSize: number,
  options: Partial<CopyChunkerOptions> = {},
): Promise<Chunked> {
  const chunker = new CopyChunker({ delimiter: ',', quote: '"', columns: 3, guard: true, ...options });
  const units = await collectInChunks<CopyUnit>(chunker, input, chunkSize);
  return { units, bytes: units.map((u) => Buffer.concat(u.pieces)), chunker };
}

async function passed(
  input: string | Buffer,
  chunkSize = 4,
  options: Partial<CopyChunkerOptions> = {},
): Promise<string> {
  return Buffer.concat((await chunkBody(input, chunkSize, options)).bytes).toString();
}

const VALUES = [
  '1',
  '-7',
  '2.5',
  'true',
  'no',
  '2024-02-29',
  '2024-02-29 10:00Z',
  'x',
  'a,b',
  'say "hi"',
  'two\nlines',
  'cr\r',
  'crlf\r\n',
  '',
  ' ',
  'é',
  '{"a": [1, 2]}',
];

/** A valid CSV body (the guard passes it): quoted where it must be, mixed line endings, blank lines now and then. */
function randomBody(rand: (n: number) => number, columns: number, numbered: boolean): string {
  const rows = rand(9);
  let text = '';
  for (let r = 0; r < rows; r++) {
    const fields = numbered ? [String(r + 1)] : [];
    if (rand(12) !== 0 || numbered) {
      for (let c = 0; c < columns; c++) {
        const value = rand(8) === 0 ? null : pick(rand, VALUES.slice(c * 3, c * 3 + 8));
        if (value === null) fields.push('');
        else if (value === '' || /[,"\r\n]/.test(value) || rand(4) === 0) fields.push(`"${value.replace(/"/g, '""')}"`);
        else fields.push(value);
      }
    }
    text += fields.join(',');
    if (r < rows - 1 || rand(2) === 0) text += pick(rand, ['\n', '\r\n', '\r']);
  }
  // Blank lines at the end, to be dropped.
  return text + pick(rand, ['', '', '\n', '\r\n\r\n', '\n\n\r']);
}

describe('CopyChunker', () => {
  describe('guards what COPY would read differently (as FastPathGuard did)', () => {
    it.each([
      ['1,"a ""b"", c",""\n2,x,"y\nz"\n', '1,"a ""b"", c",""\n2,x,"y\nz"'],
      ['1,2\r\n3,4\r\n\r\n\r\n', '1,2\r\n3,4'],
      ['"x"\n"\n"\n', '"x"\n"\n"'],
      ['a,b', 'a,b'],
    ])('passes clean CSV through, dropping blank lines at the end (%#)', async (input, output) => {
      for (const size of [1, 2, 3, 64]) expect(await passed(input, size)).toBe(output);
    });

    it.each([
      ['1,5" screen\n', 'a quote inside an unquoted field'],
      ['1,"ab"c\n', 'text after a closing quote'],
      ['1,"abc\n', 'a quoted field is never closed'],
      ['1,a\0b\n', 'NUL bytes'],
      ['1,2\n\\.\n3,4\n', 'a line that is just \\.'],
    ])('stops on what COPY would read differently: %j', async (input, reason) => {
      for (const size of [1, 3, 64]) {
        const error = await passed(input, size).catch((e: Error) => e);
        expect(error).toBeInstanceOf(NeedsNormalizingError);
        expect((error as Error).message).toMatch(/quote|NUL|\\\./);
      }
      await expect(passed(input, 64)).rejects.toThrow(reason);
    });

    it('uses the given quote', async () => {
      expect(await passed("1;'a;b'\n", 2, { delimiter: ';', quote: "'" })).toBe("1;'a;b'");
      await expect(passed("1;it's\n", 2, { delimiter: ';', quote: "'" })).rejects.toThrow(NeedsNormalizingError);
    });
  });

  it.each([
    ['x,y\nz,5" screen\n', 'a quote inside an unquoted field'],
    ['x,y\nz,"5"" screen" \n', 'text after a closing quote'],
    ['x,y,extra,"a"b\n', 'text after a closing quote'],
    ['x,y\n"z\n', 'a quoted field is never closed'],
    ['x,y\n"z,""\n', 'a quoted field is never closed'],
    ['x,y\n\r\\.\r\n', 'just \\.'],
    ['x,y\r\n\\.', 'just \\.'],
    ['\\.\nx,y\n', 'just \\.'],
  ])('stops on %j also in columns it no longer types, and past the last column', async (input, reason) => {
    for (const size of [1, 2, 3, 64]) {
      for (const columns of [1, 2]) await expect(passed(input, size, { columns })).rejects.toThrow(reason);
    }
  });

  it.each([['1,a\\.b\n\\N,c\n'], ['"\\."\n'], ['x,"a\\\n"\n'], ['\\.x,y\n']])(
    'lets backslashes that do not make a line of just \\. through: %j',
    async (input) => {
      expect(await passed(input, 64)).toBe(input.replace(/[\r\n]+$/, ''));
    },
  );

  it('keeps blank lines inside the body and drops only the ones at its end', async () => {
    for (const size of [1, 2, 64]) {
      const { bytes, units, chunker } = await chunkBody('1\n\n2\r\r\n3\r\r\n\n\r', size, { unitBytes: 1e6 });
      expect(Buffer.concat(bytes).toString()).toBe('1\n\n2\r\r\n3');
      expect(units.map((u) => [u.firstRecord, u.records])).toEqual([[1, 5]]);
      expect(chunker.records).toBe(5);
    }
  });

  it('sends nothing for a body of blank lines or no bytes', async () => {
    for (const input of ['', '\n', '\r\n\r\n', '\r\r\n\n']) {
      for (const size of [1, 3]) {
        const { units, chunker } = await chunkBody(input, size);
        expect({ input, units, records: chunker.records }).toEqual({ input, units: [], records: 0 });
      }
    }
  });

  it('cuts units of whole records, numbered from 1, that together are the body without its trailing blank lines (seeded random bodies)', async () => {
    const rand = lcg(42);
    for (let n = 0; n < 120; n++) {
      const numbered = n % 2 === 1;
      const columns = 1 + rand(3);
      const input = randomBody(rand, columns, numbered);
      const body = input.replace(/[\r\n]+$/, '');
      const whole = tokenize(body, ',', '"').records;
      const types = Array.from({ length: columns }, (_, c) =>
        inferType(
          whole.map((r) => r.fields[c + (numbered ? 1 : 0)]).filter((v): v is string | null => v !== undefined),
        ),
      );
      for (const unitBytes of [1, 5, 1e6]) {
        for (const size of [1, 3, 64]) {
          const label = { input, unitBytes, size };
          const { units, bytes, chunker } = await chunkBody(input, size, {
            columns,
            unitBytes,
            guard: !numbered,
            skipFields: numbered ? 1 : 0,
          });
          expect({ ...label, body: Buffer.concat(bytes).toString() }).toEqual({ ...label, body });
          expect({ ...label, sizes: units.map((u) => u.bytes) }).toEqual({
            ...label,
            sizes: bytes.map((b) => b.length),
          });
          if (unitBytes === 1e6) expect(units.length).toBe(body === '' ? 0 : 1);
          let next = 1;
          const fields: (string | null)[][] = [];
          for (const [k, unit] of units.entries()) {
            const text = bytes[k].toString();
            const { records } = tokenize(text, ',', '"');
            expect({ ...label, k, firstRecord: unit.firstRecord, records: unit.records }).toEqual({
              ...label,
              k,
              firstRecord: next,
              records: records.length,
            });
            expect(records.every((r) => r.problem === null)).toBe(true);
            next += unit.records;
            fields.push(...records.map((r) => r.fields));
            if (k < units.length - 1) {
              // A unit ends just after a line break, and never between the CR and LF of a CRLF.
              expect(unit.bytes).toBeGreaterThanOrEqual(unitBytes);
              expect(text).toMatch(/[\r\n]$/);
              if (text.endsWith('\r')) expect(bytes[k + 1].toString()).not.toMatch(/^\n/);
            }
          }
          expect({ ...label, fields }).toEqual({ ...label, fields: whole.map((r) => r.fields) });
          expect({ ...label, records: chunker.records, types: chunker.tally.types() }).toEqual({
            ...label,
            records: whole.length,
            types,
          });
        }
      }
    }
  });

  it('passes stray quotes, text after closing quotes and NUL bytes through without the guard', async () => {
    const input = '1,5" screen,"ab"c\n2,a\0b,x"\n\n';
    for (const size of [1, 3, 64]) {
      const { bytes, units, chunker } = await chunkBody(input, size, { guard: false, unitBytes: 1 });
      expect(Buffer.concat(bytes).toString()).toBe('1,5" screen,"ab"c\n2,a\0b,x"');
      expect(units.map((u) => [u.firstRecord, u.records])).toEqual([
        [1, 1],
        [2, 1],
      ]);
      expect(chunker.splitter.problem).toBe('a quote inside an unquoted field');
    }
  });

  it('has the column types once the stream has ended', async () => {
    const input = 'true,1,2024-01-31,x\nno,-2,"2024-02-01 10:00",\nF,"",2024-02-29T23:59:60,"a,b"\n';
    for (const size of [1, 3, 64]) {
      const { chunker } = await chunkBody(input, size, { columns: 4 });
      expect(chunker.tally.types()).toEqual(['boolean', 'bigint', 'timestamp', 'text']);
      expect(chunker.records).toBe(3);
    }
  });
});

import { tokenize, UNTERMINATED_QUOTE } from './csv-text';
import { NotUtf8Error, RecordScanner, type RecordScannerOptions, type RejectedRecord } from './record-scanner';
import { unitsInChunks } from './stream.test-helper';

interface Scanned {
  rows: (string | null)[][];
  rejects: (Omit<RejectedRecord, 'raw'> & { raw: string })[];
  sut: RecordScanner;
}

async function scan(
  input: string | Buffer,
  options: Partial<RecordScannerOptions> = {},
  chunkSize = 5,
): Promise<Scanned> {
  const rejects: Scanned['rejects'] = [];
  const sut = new RecordScanner({
    delimiter: ',',
    quote: '"',
    columns: 2,
    firstLine: 2,
    invalidUtf8: 'reject',
    maxRecordBytes: 1024,
    onReject: (r) => rejects.push({ ...r, raw: r.raw.toString('utf8') }),
    ...options,
  });
  const copy = (await unitsInChunks(sut, input, chunkSize)).bytes.toString('utf8');
  const d = options.delimiter ?? ',';
  const q = options.quote ?? '"';
  // The output is COPY CSV: read it back by the same rules.
  const rows = tokenize(copy, d, q).records.map((r) => r.fields);
  return { rows, rejects, sut };
}

describe('RecordScanner', () => {
  it('numbers records and keeps NULL and empty strings apart', async () => {
    const { rows } = await scan('1,\n"",2\n');
    expect(rows).toEqual([
      ['1', '1', null],
      ['2', '', '2'],
    ]);
  });

  it('passes quoted delimiters, doubled quotes and line breaks through', async () => {
    const { rows } = await scan('"a,b","say ""hi"""\r\n"x\r\ny",z\r\n');
    expect(rows).toEqual([
      ['1', 'a,b', 'say "hi"'],
      ['2', 'x\r\ny', 'z'],
    ]);
  });

  it('reads LF, CRLF and CR in one file', async () => {
    const { rows, sut } = await scan('a,1\nb,2\r\nc,3\rd,4');
    expect(rows.map((r) => r[1])).toEqual(['a', 'b', 'c', 'd']);
    expect(sut.rowsOut).toBe(4);
  });

  it('rejects short and long rows with their line, record and raw text', async () => {
    const { rows, rejects, sut } = await scan('a,1\nshort\nb,2\nx,y,z\n');
    expect(rows).toEqual([
      ['1', 'a', '1'],
      ['3', 'b', '2'],
    ]);
    expect(rejects).toEqual([
      {
        line: 3,
        record: 2,
        reason: 'missing data for column 2: 1 fields where the header has 2',
        raw: 'short',
        rawBytes: 5,
        rows: 1,
      },
      {
        line: 5,
        record: 4,
        reason: 'extra data after last expected column: 3 fields where the header has 2',
        raw: 'x,y,z',
        rawBytes: 5,
        rows: 1,
      },
    ]);
    expect([sut.rejects, sut.rejectedRows]).toEqual([2, 2]);
  });

  it('counts line numbers across quoted line breaks', async () => {
    const { rejects } = await scan('"a\nb\nc",1\nbad\n');
    expect(rejects.map((r) => r.line)).toEqual([5]);
  });

  it('keeps stray quotes as text and rewrites the record', async () => {
    const { rows } = await scan('5" screen,x\n');
    expect(rows).toEqual([['1', '5" screen', 'x']]);
  });

  it('rejects text after a closing quote', async () => {
    const { rejects } = await scan('"ab"c,d\n');
    expect(rejects.map((r) => r.reason)).toEqual(['text after the closing quote of field 1']);
  });

  it('removes NUL bytes and counts them', async () => {
    const { rows, sut } = await scan(Buffer.from('a\0b,"c\0"\n'));
    expect(rows).toEqual([['1', 'ab', 'c']]);
    expect(sut.nulBytesRemoved).toBe(2);
  });

  it('skips blank lines in a wide file and counts them, ignoring those at the end', async () => {
    const { rows, sut } = await scan('a,1\n\n\nb,2\n\n\n');
    expect(rows.map((r) => r[0])).toEqual(['1', '2']);
    expect(sut.blankLines).toBe(2);
  });

  it('loads blank lines of a one-column file as NULL', async () => {
    const { rows } = await scan('a\n\nb\n\n', { columns: 1 });
    expect(rows).toEqual([
      ['1', 'a'],
      ['2', null],
      ['3', 'b'],
    ]);
  });

  it('rejects an unterminated quote once, counting the lines it swallowed', async () => {
    const { rows, rejects } = await scan('a,1\nb,"2\nc,3\nd,4\n');
    expect(rows).toEqual([['1', 'a', '1']]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ line: 3, record: 2, rows: 3 });
    expect(rejects[0].reason).toBe(`${UNTERMINATED_QUOTE}; it runs from line 3 to the end of the file`);
  });

  it('rejects a record longer than the limit without holding it all', async () => {
    const { rows, rejects } = await scan(`a,"${'x'.repeat(5000)}"\nb,2\n`, { maxRecordBytes: 100 });
    expect(rows).toEqual([['2', 'b', '2']]);
    expect(rejects[0]).toMatchObject({
      line: 2,
      record: 1,
      reason: 'record longer than 100 bytes (often a quote that is never closed)',
    });
    expect(rejects[0].rawBytes).toBeGreaterThan(100);
  });

  it('rejects records that are not UTF-8, or stops when UTF-8 was only assumed', async () => {
    const bad = Buffer.concat([Buffer.from('a,é\nb,'), Buffer.from([0xe9]), Buffer.from('\nc,3\n')]);
    const { rows, rejects } = await scan(bad, {}, 3);
    expect(rows.map((r) => r[1])).toEqual(['a', 'c']);
    expect(rejects).toMatchObject([{ line: 3, reason: 'not valid UTF-8 (the rest of the file is UTF-8)' }]);
    await expect(scan(bad, { invalidUtf8: 'throw' })).rejects.toThrow(NotUtf8Error);
  });

  it('does not mistake a character cut between chunks for bad UTF-8', async () => {
    const { rows, rejects } = await scan('a,日本語テキスト\n', {}, 1);
    expect(rejects).toEqual([]);
    expect(rows).toEqual([['1', 'a', '日本語テキスト']]);
  });

  it('takes other delimiters and quotes', async () => {
    const { rows } = await scan("'a;b';1\n", { delimiter: ';', quote: "'" });
    expect(rows).toEqual([['1', 'a;b', '1']]);
  });

  it('splits records the way the text tokenizer does, whatever the chunking', async () => {
    const alphabet = ['a', 'b', ',', ',', '"', '"', '\n', '\r', '\r\n', ' ', 'é'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 1 + random(40) }, () => alphabet[random(alphabet.length)]).join('');
      const expected = tokenize(text, ',', '"').records;
      while (expected.length && expected[expected.length - 1].blank) expected.pop();
      const nonBlank = expected.filter((r) => !r.blank);
      const loaded = nonBlank
        .map((r, i) => ({ r, number: String(i + 1) }))
        .filter(({ r }) => r.problem === null && r.fields.length === 2)
        .map(({ r, number }) => [number, ...r.fields]);
      const { rows, rejects } = await scan(text, {}, 1 + random(6));
      expect({ text, rows }).toEqual({ text, rows: loaded });
      expect({ text, rejects: rejects.length }).toEqual({ text, rejects: nonBlank.length - loaded.length });
    }
  });
});

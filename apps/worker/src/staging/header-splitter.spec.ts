import { Readable } from 'node:stream';
import { endOfFirstRecord, HeaderSplitter } from './header-splitter';

async function split(chunks: string[], delimiter = ',', quote = '"') {
  const sut = new HeaderSplitter(delimiter, quote);
  const rest: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    sut.on('data', (c: Buffer) => rest.push(c));
    sut.on('end', resolve);
    sut.on('error', reject);
  });
  Readable.from(chunks.map((c) => Buffer.from(c))).pipe(sut);
  const [header] = await Promise.all([sut.header, done]);
  return { header, rest: Buffer.concat(rest).toString('utf8') };
}

describe('endOfFirstRecord', () => {
  it('ignores line breaks inside quoted fields', () => {
    expect(endOfFirstRecord(Buffer.from('"a\nb",c\n1,2\n'))).toBe(8);
  });
  it('treats a quote inside an unquoted field as text', () => {
    expect(endOfFirstRecord(Buffer.from('size 5",b\n1,2\n'))).toBe(10);
  });
  it('handles CRLF and waits when a chunk ends on CR or on a quote', () => {
    expect(endOfFirstRecord(Buffer.from('a,b\r\n1,2'))).toBe(5);
    expect(endOfFirstRecord(Buffer.from('a,b\r'))).toBe(-1);
    expect(endOfFirstRecord(Buffer.from('a,"b"'))).toBe(-1);
  });
  it('takes other delimiters and quotes', () => {
    expect(endOfFirstRecord(Buffer.from("'a;\nb';c\n1;2\n"), 0x3b, 0x27)).toBe(9);
  });
});

describe('HeaderSplitter', () => {
  it('returns the header and passes the body through unchanged', async () => {
    const { header, rest } = await split(['id,na', 'me\n1,"x\ny"\n2,z\n']);
    expect(header).toEqual({ fields: ['id', 'name'], lines: 1 });
    expect(rest).toBe('1,"x\ny"\n2,z\n');
  });

  it('counts the lines of a header with a quoted line break', async () => {
    const { header, rest } = await split(['"first\r\nname";age\r\n', 'x;1\r\n'], ';');
    expect(header).toEqual({ fields: ['first\r\nname', 'age'], lines: 2 });
    expect(rest).toBe('x;1\r\n');
  });

  it('accepts a header without a line break', async () => {
    const { header, rest } = await split(['a,b']);
    expect(header).toEqual({ fields: ['a', 'b'], lines: 1 });
    expect(rest).toBe('');
  });

  it('keeps empty header cells as NULL', async () => {
    const { header } = await split(['a,,""\n']);
    expect(header.fields).toEqual(['a', null, '']);
  });

  it('fails on an empty stream', async () => {
    await expect(split([''])).rejects.toThrow(/empty/);
  });
});

import { Readable } from 'node:stream';
import { endOfFirstRecord, HeaderSplitter } from './header-splitter';

async function split(chunks: string[] | Buffer[]) {
  const sut = new HeaderSplitter();
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
  it('ignores newlines inside quotes', () => {
    expect(endOfFirstRecord(Buffer.from('"a\nb",c\n1,2\n'))).toBe(8);
  });
  it('handles CRLF and waits when a chunk ends on CR', () => {
    expect(endOfFirstRecord(Buffer.from('a,b\r\n1,2'))).toBe(5);
    expect(endOfFirstRecord(Buffer.from('a,b\r'))).toBe(-1);
  });
});

describe('HeaderSplitter', () => {
  it('returns the header and passes the body through unchanged', async () => {
    const { header, rest } = await split(['id,na', 'me\n1,"x\ny"\n2,z\n']);
    expect(header).toEqual(['id', 'name']);
    expect(rest).toBe('1,"x\ny"\n2,z\n');
  });

  it('drops a UTF-8 BOM', async () => {
    const { header } = await split([Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,2\n')])]);
    expect(header).toEqual(['a', 'b']);
  });

  it('accepts a header without a trailing newline', async () => {
    const { header, rest } = await split(['a,b']);
    expect(header).toEqual(['a', 'b']);
    expect(rest).toBe('');
  });

  it('fails on an empty file', async () => {
    await expect(split([''])).rejects.toThrow(/empty/);
  });
});

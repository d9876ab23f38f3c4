import iconv from 'iconv-lite';
import { completeUtf8Length, decodeHead, detectEncoding, looksLikeHeader, NotCsvError, sniffDialect } from './dialect';
import { tokenize } from './csv-text';

function dialectOf(bytes: Buffer | string) {
  const head = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const guess = detectEncoding(head, true);
  return sniffDialect(decodeHead(head, guess, true), guess, true);
}

describe('detectEncoding', () => {
  it('reads byte order marks', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), true)).toEqual({
      encoding: 'utf-8',
      bomBytes: 3,
      assumed: false,
    });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]), true)).toEqual({
      encoding: 'utf-16le',
      bomBytes: 2,
      assumed: false,
    });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x61]), true)).toEqual({
      encoding: 'utf-16be',
      bomBytes: 2,
      assumed: false,
    });
  });

  it('recognizes UTF-16 without a byte order mark by its NUL bytes', () => {
    expect(detectEncoding(iconv.encode('id,name\n1,Zoë\n', 'utf-16le'), true).encoding).toBe('utf-16le');
    expect(detectEncoding(iconv.encode('id,name\n1,Zoë\n', 'utf-16be'), true).encoding).toBe('utf-16be');
  });

  it('takes valid UTF-8 as UTF-8, and says when that is only assumed from ASCII', () => {
    expect(detectEncoding(Buffer.from('a,b\n1,é\n'), true)).toEqual({ encoding: 'utf-8', bomBytes: 0, assumed: false });
    expect(detectEncoding(Buffer.from('a,b\n1,2\n'), true)).toEqual({ encoding: 'utf-8', bomBytes: 0, assumed: true });
  });

  it('takes bytes that are not UTF-8 as Windows-1252', () => {
    expect(detectEncoding(iconv.encode('a,b\n1,café €\n', 'windows-1252'), true).encoding).toBe('windows-1252');
  });

  it('does not hold a multi-byte character cut at the end of the head against UTF-8', () => {
    const head = Buffer.from('a,b\n1,é');
    expect(detectEncoding(head.subarray(0, head.length - 1), false).encoding).toBe('utf-8');
    expect(completeUtf8Length(head.subarray(0, head.length - 1))).toBe(head.length - 2);
  });

  it.each([
    [Buffer.alloc(0), /empty/],
    [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), /ZIP archive/],
    [Buffer.from('%PDF-1.7\n'), /PDF/],
    [Buffer.from([0x1f, 0x8b, 0x08, 0x00]), /gzip/],
    [Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)), /binary/],
  ])('refuses what is not CSV text (%#)', (head, message) => {
    expect(() => detectEncoding(head, true)).toThrow(message);
  });
});

describe('sniffDialect', () => {
  it.each([
    ['id,name\n1,a\n2,b\n', ',', 'lf'],
    ['id;amount\r\n1;2,5\r\n2;3,0\r\n', ';', 'crlf'],
    ['id\tname\r1\ta, b\r2\tc\r', '\t', 'cr'],
    ['id|name\n1|x\n', '|', 'lf'],
  ])('finds the delimiter and line breaks of %j', (text, delimiter, lineEnding) => {
    const sut = dialectOf(text);
    expect(sut.delimiter).toBe(delimiter);
    expect(sut.lineEnding).toBe(lineEnding);
    expect(sut.quote).toBe('"');
  });

  it('does not count delimiters inside quoted fields', () => {
    expect(dialectOf('a;b\n"x;y;z";1\n"p;q";2\n').delimiter).toBe(';');
  });

  it('finds single quotes used as the quote character', () => {
    const sut = dialectOf("id,city\n1,'Anytown, WW'\n2,'Paris'\n");
    expect(sut.quote).toBe("'");
  });

  it('keeps double quotes when apostrophes are just text', () => {
    expect(dialectOf("name,n\nO'Brien,1\nD'Arcy,2\n").quote).toBe('"');
  });

  it('reports mixed line breaks', () => {
    expect(dialectOf('a,b\n1,2\r\n3,4\r5,6\n').lineEnding).toBe('mixed');
  });

  it('refuses an HTML page', () => {
    expect(() => dialectOf('<!DOCTYPE html>\n<html><body>Sign in</body></html>')).toThrow(NotCsvError);
  });

  it('takes a one-column file as comma-separated', () => {
    expect(dialectOf('name\nada\ngrace\n')).toMatchObject({ delimiter: ',', header: true });
  });
});

describe('looksLikeHeader', () => {
  const records = (text: string) => tokenize(text, ',', '"').records;

  it('sees a header over typed columns', () => {
    expect(looksLikeHeader(records('id,amount,day\n1,2.5,2024-01-01\n2,3,2024-01-02\n'))).toBe(true);
  });

  it('sees data when the first row has the types of the rest', () => {
    expect(looksLikeHeader(records('1,2.5,2024-01-01\n2,3,2024-01-02\n'))).toBe(false);
    expect(looksLikeHeader(records('ada,1\ngrace,2\n'))).toBe(false);
  });

  it('takes text-only files and single records to have a header', () => {
    expect(looksLikeHeader(records('a,b\nc,d\n'))).toBe(true);
    expect(looksLikeHeader(records('1,2\n'))).toBe(true);
  });

  it('takes empty header cells as a header', () => {
    expect(looksLikeHeader(records(',amount\n1,2\n'))).toBe(true);
  });
});

describe('detectEncoding, NUL bytes', () => {
  it('takes a small CSV with a few NUL bytes as text', () => {
    expect(detectEncoding(Buffer.from('id,val\n1,a\0b\n2,"c\0"\n3,d\n'), true).encoding).toBe('utf-8');
  });
});

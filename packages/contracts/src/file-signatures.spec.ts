import { SNIFF_BYTES, sniffBinary } from './file-signatures';

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffBinary', () => {
  it.each([
    ['png', bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13], 'IHDR')],
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF')],
    ['gif', bytes('GIF89a', [1, 0, 1, 0])],
    ['gif', bytes('GIF87a')],
    ['zip', bytes('PK', [3, 4, 20, 0, 0, 0])],
    ['zip', bytes('PK', [5, 6], Buffer.alloc(18).toString('latin1'))],
    ['7z', bytes([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])],
    ['rar', bytes('Rar!', [0x1a, 0x07, 0x00])],
    ['xz', bytes([0xfd], '7zXZ', [0])],
    ['pdf', bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')],
    ['elf', bytes([0x7f], 'ELF', [2, 1, 1, 0])],
    ['mach-o', bytes([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])],
    ['mach-o', bytes([0xca, 0xfe, 0xba, 0xbe])],
    ['pe', bytes('MZ', [0x90, 0x00, 0x03, 0x00])],
    ['gzip', bytes([0x1f, 0x8b, 0x08, 0x00])],
    ['ole', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
    ['parquet', bytes('PAR1', [0x15, 0x04])],
    ['zstd', bytes([0x28, 0xb5, 0x2f, 0xfd, 0x04])],
    ['bzip2', bytes('BZh91AY&SY', [0x12, 0x34])],
  ])('recognises %s', (kind, head) => {
    expect(sniffBinary(head)?.kind).toBe(kind);
  });

  it.each([
    ['a CSV', 'id,name\n1,Ada\n'],
    ['a CSV with a UTF-8 BOM', '\ufeffid,name\n1,Ada\n'],
    ['a CSV whose header starts with MZ', 'MZ_code,PK_id,GIF\nA1,2,3\n'],
    ['a CSV whose header starts with PK', 'PK,name\n1,Ada\n'],
    ['a CSV whose header starts with BZh', 'BZh_code,name\n1,Ada\n'],
    ['a CSV whose header starts with GIF', 'GIF_url,size\nx,1\n'],
    ['a semicolon CSV with accents', 'ville;pays\nZürich;Suisse\n'],
    ['an empty head', ''],
    ['one byte', 'P'],
  ])('leaves %s alone', (_what, text) => {
    expect(sniffBinary(Buffer.from(text, 'utf8'))).toBeNull();
  });

  it('finds a PE header only by a NUL byte within the sniffed bytes', () => {
    expect(sniffBinary(bytes('MZ', 'x'.repeat(SNIFF_BYTES), [0]))).toBeNull();
    expect(sniffBinary(bytes('MZ', 'x'.repeat(SNIFF_BYTES - 3), [0]))?.kind).toBe('pe');
  });

  it('names what the bytes look like, and what to do when there is more to say', () => {
    expect(sniffBinary(bytes('%PDF-1.4'))).toEqual({ kind: 'pdf', what: 'a PDF document' });
    expect(sniffBinary(bytes('PK', [3, 4]))?.advice).toBe('export the sheet as CSV, or unzip the CSV first');
  });
});

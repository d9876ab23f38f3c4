import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { gunzipIfCompressed, isGzip } from './gzip-sniffer';

async function collect(source: Readable, onSniffed?: (gzipped: boolean) => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of gunzipIfCompressed(source, onSniffed)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** One byte per chunk: the magic bytes must be found across chunk boundaries. */
function trickle(bytes: Buffer): Readable {
  return Readable.from(
    [...bytes].map((b) => Buffer.from([b])),
    { objectMode: false },
  );
}

describe('gunzipIfCompressed', () => {
  const csv = Buffer.from('id,name\n1,Ada\n2,Grace\n');

  it('passes plain bytes through unchanged', async () => {
    let sniffed: boolean | null = null;
    expect(await collect(trickle(csv), (g) => (sniffed = g))).toEqual(csv);
    expect(sniffed).toBe(false);
  });

  it('decompresses gzip found by its magic bytes', async () => {
    let sniffed: boolean | null = null;
    expect(await collect(trickle(zlib.gzipSync(csv)), (g) => (sniffed = g))).toEqual(csv);
    expect(sniffed).toBe(true);
  });

  it('decompresses every member of a multi-member gzip', async () => {
    const twoMembers = Buffer.concat([zlib.gzipSync(csv.subarray(0, 8)), zlib.gzipSync(csv.subarray(8))]);
    expect(await collect(Readable.from([twoMembers]))).toEqual(csv);
  });

  it('yields nothing for an empty or one-byte source', async () => {
    expect(await collect(Readable.from([], { objectMode: false }))).toEqual(Buffer.alloc(0));
    expect(await collect(Readable.from([Buffer.from([0x1f])]))).toEqual(Buffer.from([0x1f]));
  });

  it('fails on a corrupt gzip body with zlib’s error', async () => {
    const corrupt = Buffer.concat([zlib.gzipSync(csv).subarray(0, 12), Buffer.from('not deflate data at all')]);
    await expect(collect(Readable.from([corrupt]))).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
  });

  it('destroys the source when the reader stops early', async () => {
    const source = new Readable({ read() {} });
    source.push(zlib.gzipSync(Buffer.alloc(1024 * 1024, 'a')));
    const iterator = gunzipIfCompressed(source);
    expect((await iterator.next()).done).toBe(false);
    await iterator.return(undefined);
    expect(source.destroyed).toBe(true);
  });
});

describe('isGzip', () => {
  it.each([
    [[0x1f, 0x8b, 0x08], true],
    [[0x1f], false],
    [[0x69, 0x64], false],
  ])('%j -> %s', (bytes, expected) => {
    expect(isGzip(Buffer.from(bytes))).toBe(expected);
  });
});

import { Readable, type Transform } from 'node:stream';

/** Feeds `input` to a transform in chunks of `chunkSize` bytes (to hit every boundary) and returns what it emits. */
export async function pipeInChunks(sut: Transform, input: string | Buffer, chunkSize: number): Promise<Buffer> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    sut.on('data', (c: Buffer) => out.push(c));
    sut.on('end', resolve);
    sut.on('error', reject);
    Readable.from(chunks).pipe(sut);
  });
  return Buffer.concat(out);
}

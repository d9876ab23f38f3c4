import { Readable, type Transform } from 'node:stream';

/** Feeds `input` to a transform in chunks of `chunkSize` bytes (to hit every boundary) and collects what it emits. */
export async function collectInChunks<T>(sut: Transform, input: string | Buffer, chunkSize: number): Promise<T[]> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: T[] = [];
  await new Promise<void>((resolve, reject) => {
    sut.on('data', (item: T) => out.push(item));
    sut.on('end', resolve);
    sut.on('error', reject);
    Readable.from(chunks).pipe(sut);
  });
  return out;
}

/** The COPY input a transform that emits CopyUnits (RecordScanner, CopyChunker) writes for `input`, and its units. */
export async function unitsInChunks(
  sut: Transform,
  input: string | Buffer,
  chunkSize: number,
): Promise<{ bytes: Buffer; units: { bytes: number; records: number; firstRecord: number; pieces: Buffer[] }[] }> {
  const units = await collectInChunks<{ bytes: number; records: number; firstRecord: number; pieces: Buffer[] }>(
    sut,
    input,
    chunkSize,
  );
  return { bytes: Buffer.concat(units.flatMap((u) => u.pieces)), units };
}

/** A tiny seeded generator (LCG) of integers below n, so a failing random case can be reproduced. */
export function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

export function pick<T>(rand: (n: number) => number, items: readonly T[]): T {
  return items[rand(items.length)];
}

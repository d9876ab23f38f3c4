import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Passes the bytes through, or decompresses them when they start with gzip's
 * magic bytes (a `.csv.gz` uploaded or served without Content-Encoding).
 * When the reader stops early or anything fails, the source is destroyed, so a
 * connection never stays open behind an abandoned read.
 */
export async function* gunzipIfCompressed(
  source: Readable,
  onSniffed: (gzipped: boolean) => void = () => undefined,
): AsyncGenerator<Buffer> {
  const iterator: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
  let completed = false;
  try {
    let head: Buffer = Buffer.alloc(0);
    while (head.length < 2) {
      const next = await iterator.next();
      if (next.done) break;
      head = head.length ? Buffer.concat([head, next.value]) : next.value;
    }
    const rest = replay(head, iterator);
    onSniffed(isGzip(head));
    if (!isGzip(head)) {
      yield* rest;
    } else {
      const gunzip = zlib.createGunzip();
      // Kept as a value: when the reader stops early it is a premature close nobody awaits.
      const feeding = pipeline(rest, gunzip).then(
        () => null,
        (error: Error) => error,
      );
      for await (const chunk of gunzip) yield chunk as Buffer;
      const failed = await feeding;
      if (failed) throw failed;
    }
    completed = true;
  } finally {
    if (!completed) source.destroy();
  }
}

async function* replay(head: Buffer, iterator: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

import { Readable, Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import type { CsvEncoding } from './dialect';

/** Counts bytes for progress without touching them. */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Drops the first `count` bytes (a byte order mark). */
export class DropPrefix extends Transform {
  constructor(private remaining: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.remaining === 0) return done(null, chunk);
    const skip = Math.min(this.remaining, chunk.length);
    this.remaining -= skip;
    done(null, skip === chunk.length ? undefined : chunk.subarray(skip));
  }
}

/** Re-encodes UTF-16 or Windows-1252 bytes as UTF-8, chunk by chunk. */
export class Utf8Transcoder extends Transform {
  private readonly decoder: ReturnType<typeof iconv.getDecoder>;
  constructor(encoding: Exclude<CsvEncoding, 'utf-8'>) {
    super();
    this.decoder = iconv.getDecoder(encoding, { stripBOM: false });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.decoder.write(chunk);
    done(null, text ? Buffer.from(text, 'utf8') : undefined);
  }
  override _flush(done: TransformCallback): void {
    const text = this.decoder.end();
    done(null, text ? Buffer.from(text, 'utf8') : undefined);
  }
}

export interface Peeked {
  /** Up to the requested number of bytes from the front of the stream. */
  head: Buffer;
  /** The head is the whole stream. */
  complete: boolean;
  /** The whole stream again, head included. */
  stream: Readable;
}

/** Reads the head of a stream without losing it: the returned stream starts from the first byte. */
export async function peek(source: Readable, bytes: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (complete) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  // Destroying the replay must also stop the source.
  stream.once('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return { head, complete, stream };
}

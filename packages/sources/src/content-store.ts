import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCode, SNIFF_BYTES, sniffBinary } from '@relayboard/contracts';
import { contentAddressedKey, type ObjectStore } from '@relayboard/storage';
import { gunzipIfCompressed } from './gzip-sniffer';
import { SourceError } from './source-error';

/** Bytes held under a temporary key until the caller publishes or discards them. */
export interface ReceivedContent {
  tmpKey: string;
  sha256: string;
  /** Bytes after gzip decompression: what was hashed and what staging reads. */
  sizeBytes: number;
}

export interface StoredContent {
  sha256: string;
  sizeBytes: number;
  objectKey: string;
}

export interface IncomingSource {
  body: Readable;
  /** Names the source in messages: a URL, or "the uploaded file orders.csv". */
  label: string;
  /** Turns a failure of the body (not of the store) into a message about the source. */
  describeFailure(error: unknown): SourceError;
}

const isZlibError = (error: unknown) => /^Z_/.test(String((error as { code?: unknown })?.code ?? ''));

/**
 * The one path by which CSV bytes enter the object store, for URLs and uploads
 * alike: streamed (one multipart part in memory at a time), gzip decompressed,
 * hashed and capped while streaming, written to a temporary key and only then
 * copied to its content-addressed key. A failure removes the temporary object.
 */
export class ContentStore {
  constructor(
    private readonly store: ObjectStore,
    /** MAX_CSV_BYTES, counted after decompression. */
    readonly maxBytes: number,
  ) {}

  async receive(source: IncomingSource): Promise<ReceivedContent> {
    let gzipped = false;
    const iterator = gunzipIfCompressed(source.body, (sniffed) => (gzipped = sniffed));
    // Nothing is written to the store until the first byte arrives: an empty or dead source leaves no trace.
    const head = await this.head(iterator, source);
    if (head.done)
      throw new SourceError(ErrorCode.SourceEmpty, `${source.label} is empty; a CSV needs at least a header line`);
    // The first bytes (after gzip decompression) say whether this is text at all: an image or an archive is refused before anything is stored.
    const binary = sniffBinary(head.value);
    if (binary) {
      await iterator.return(undefined);
      throw new SourceError(
        ErrorCode.NotCsv,
        `${source.label} ${binary.kind === 'gzip' ? 'is' : 'looks like'} ${binary.what}${gzipped && binary.kind !== 'gzip' ? ' inside gzip' : ''}, not a CSV; ${binary.advice ?? 'give the CSV file itself'}`,
        { detected: binary.kind },
      );
    }
    const maxBytes = this.maxBytes;
    const tooLarge = () =>
      new SourceError(
        ErrorCode.SourceTooLarge,
        `${source.label} is larger than MAX_CSV_BYTES (${maxBytes} bytes${gzipped ? ' once decompressed' : ''}); raise the setting or split the file`,
        { maxBytes },
      );
    // A multipart upload needs at least one part to complete (and so to be removable).
    if (head.value.length > maxBytes) {
      await iterator.return(undefined);
      throw tooLarge();
    }

    const hash = createHash('sha256');
    let bytes = 0;
    let failure = null as SourceError | null;
    const describe = (error: unknown) => this.describe(error, source);
    async function* measured(): AsyncGenerator<Buffer> {
      try {
        let next: IteratorResult<Buffer> = head;
        while (!next.done) {
          bytes += next.value.length;
          if (bytes > maxBytes) throw tooLarge();
          hash.update(next.value);
          yield next.value;
          next = await iterator.next();
        }
      } catch (error) {
        // Ending the object normally lets the multipart upload complete, so the
        // temporary object can be removed instead of lingering as an open upload.
        failure = describe(error);
      } finally {
        await iterator.return(undefined);
      }
    }

    const tmpKey = `tmp/${randomUUID()}`;
    const body = Readable.from(measured(), { objectMode: false });
    try {
      await this.store.putStream(tmpKey, body);
    } catch (error) {
      body.destroy();
      await this.removeQuietly(tmpKey);
      throw failure ?? this.storeUnavailable(error);
    }
    if (failure) {
      await this.removeQuietly(tmpKey);
      throw failure;
    }
    return { tmpKey, sha256: hash.digest('hex'), sizeBytes: bytes };
  }

  /** Copies the bytes to their content-addressed key (unless they are stored already) and drops the temporary object. */
  async publish(received: ReceivedContent): Promise<StoredContent> {
    const objectKey = contentAddressedKey(received.sha256);
    try {
      if (!(await this.store.stat(objectKey))) await this.store.copy(received.tmpKey, objectKey);
    } catch (error) {
      await this.removeQuietly(received.tmpKey);
      throw this.storeUnavailable(error);
    }
    await this.removeQuietly(received.tmpKey);
    return { sha256: received.sha256, sizeBytes: received.sizeBytes, objectKey };
  }

  async discard(received: ReceivedContent): Promise<void> {
    await this.removeQuietly(received.tmpKey);
  }

  /** The first SNIFF_BYTES bytes (or all, when fewer), however small the chunks they arrive in. */
  private async head(iterator: AsyncGenerator<Buffer>, source: IncomingSource): Promise<IteratorResult<Buffer>> {
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      while (length < SNIFF_BYTES) {
        const next = await iterator.next();
        if (next.done) break;
        chunks.push(next.value);
        length += next.value.length;
      }
    } catch (error) {
      throw this.describe(error, source);
    }
    return length === 0
      ? { done: true, value: undefined }
      : { done: false, value: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) };
  }

  private describe(error: unknown, source: IncomingSource): SourceError {
    if (error instanceof SourceError) return error;
    if (isZlibError(error)) {
      return new SourceError(
        ErrorCode.SourceInvalid,
        `${source.label} starts like a gzip file but does not decompress (${(error as Error).message}); send the plain CSV or an intact .gz`,
      );
    }
    return source.describeFailure(error);
  }

  private storeUnavailable(error: unknown): SourceError {
    return new SourceError(
      ErrorCode.DependencyUnavailable,
      `could not write to the object store (bucket "${this.store.bucket}"): ${(error as Error)?.message ?? String(error)}; check that S3_ENDPOINT answers`,
    );
  }

  /** Drops a temporary object, and the multipart upload a failed put may have left open for it (else it lingers in the bucket). */
  private async removeQuietly(key: string): Promise<void> {
    await this.store.remove(key).catch(() => undefined);
    await this.store.abortUpload(key).catch(() => undefined);
  }
}

import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import type { AppConfig } from '@relayboard/config';

export interface StoredObject {
  key: string;
  size: number;
}

/** Objects are addressed by content, so the same bytes are stored once however often they arrive. */
export function contentAddressedKey(sha256: string): string {
  return `csv/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchObject';
}

/** Default of S3_TIMEOUT_MS: a request to the object store that sends or receives nothing for this long fails. */
export const DEFAULT_S3_IDLE_TIMEOUT_MS = 60_000;

/** A request to the object store sent or received nothing for S3_TIMEOUT_MS: its socket was destroyed with this error. */
export class ObjectStoreTimeoutError extends Error {
  readonly code = 'S3_TIMEOUT';
  constructor(endpoint: string, ms: number) {
    super(
      `the object store at ${endpoint} sent or received nothing for ${ms} ms (S3_TIMEOUT_MS); it may be down or hung`,
    );
    this.name = 'ObjectStoreTimeoutError';
  }
}

/**
 * An HTTP(S) agent whose sockets are destroyed after idleMs without traffic,
 * whether connecting, waiting for an answer, or in the middle of a body: the
 * minio client takes an agent (transportAgent) but no request timeout, and a
 * socket timeout alone only emits an event. A stalled object read then fails
 * with ObjectStoreTimeoutError instead of hanging.
 */
function idleTimeoutAgent(useSSL: boolean, endpoint: string, idleMs: number): http.Agent {
  const agent = useSSL
    ? new https.Agent({ keepAlive: true, timeout: idleMs })
    : new http.Agent({ keepAlive: true, timeout: idleMs });
  const base = agent as unknown as { createConnection: (options: unknown, callback?: unknown) => Socket };
  const create = base.createConnection.bind(agent);
  base.createConnection = (options, callback) => {
    const socket = create(options, callback);
    socket.setTimeout(idleMs);
    socket.on('timeout', () => socket.destroy(new ObjectStoreTimeoutError(endpoint, idleMs)));
    return socket;
  };
  return agent;
}

/** The one wrapper around the S3 client: MinIO, SeaweedFS's S3 gateway or AWS S3. */
export class ObjectStore {
  private readonly client: Client;
  readonly bucket: string;

  /** idleTimeoutMs: S3_TIMEOUT_MS (see idleTimeoutAgent). */
  constructor(config: AppConfig['s3'], options: { idleTimeoutMs?: number } = {}) {
    const endpoint = new URL(config.endpoint);
    const useSSL = endpoint.protocol === 'https:';
    this.client = new Client({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port || (useSSL ? 443 : 80)),
      useSSL,
      accessKey: config.accessKey,
      secretKey: config.secretKey,
      region: config.region,
      pathStyle: true,
      // Streams of unknown size are sent as multipart uploads holding one part in
      // memory; left alone, the client sizes parts for a 5 TiB object (~550 MB each).
      // 16 MiB parts allow objects up to 156 GiB.
      partSize: 16 * 1024 * 1024,
      transportAgent: idleTimeoutAgent(useSSL, config.endpoint, options.idleTimeoutMs ?? DEFAULT_S3_IDLE_TIMEOUT_MS),
    });
    this.bucket = config.bucket;
  }

  async ensureBucket(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      try {
        await this.client.makeBucket(this.bucket);
      } catch (error) {
        // Another process may have created it between the check and the call.
        if (!(await this.client.bucketExists(this.bucket))) throw error;
      }
    }
  }

  async ping(): Promise<void> {
    await this.client.bucketExists(this.bucket);
  }

  /** Streams an object in; with no size the client uses multipart upload, holding one part at a time. */
  async putStream(key: string, body: Readable, size?: number): Promise<void> {
    await this.client.putObject(this.bucket, key, body, size, { 'Content-Type': 'text/csv' });
  }

  async copy(sourceKey: string, targetKey: string): Promise<void> {
    await this.client.copyObject(this.bucket, targetKey, `/${this.bucket}/${sourceKey}`);
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return { key, size: stat.size };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable> {
    return this.client.getObject(this.bucket, key);
  }

  async remove(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  /** Aborts the multipart upload still open for `key`, if any: what a putStream that failed half-way leaves behind. */
  async abortUpload(key: string): Promise<void> {
    await this.client.removeIncompleteUpload(this.bucket, key);
  }
}

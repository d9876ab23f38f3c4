import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObjectStore, ObjectStoreTimeoutError } from './index';

/** A loopback HTTP server that stalls as a hung object store does: mid-body, or before any answer. */
async function stallingServer(mode: 'mid-body' | 'no-answer'): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (mode === 'no-answer') return; // holds the request, never answers
    res.writeHead(200, {
      'content-type': 'text/csv',
      'content-length': '1000000',
      etag: '"x"',
      'last-modified': new Date().toUTCString(),
    });
    res.write('id,name\n1,a\n'); // then nothing more
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const storeAt = (endpoint: string) =>
  new ObjectStore(
    { endpoint, region: 'us-east-1', accessKey: 'k', secretKey: 's', bucket: 'relayboard' },
    { idleTimeoutMs: 300 },
  );

describe('object store calls time out (S3_TIMEOUT_MS)', () => {
  it('a read that stalls mid-body fails instead of hanging', async () => {
    const server = await stallingServer('mid-body');
    try {
      const stream = await storeAt(server.url).getStream('csv/x');
      const started = Date.now();
      const outcome = await new Promise<unknown>((resolve) => {
        stream.on('data', () => undefined);
        stream.on('error', resolve);
        stream.on('end', () => resolve('ended'));
      });
      expect(outcome).not.toBe('ended');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await server.close();
    }
  });

  it('a request that gets no answer fails with the timeout', async () => {
    const server = await stallingServer('no-answer');
    try {
      await expect(storeAt(server.url).stat('csv/x')).rejects.toBeInstanceOf(ObjectStoreTimeoutError);
    } finally {
      await server.close();
    }
  });
});

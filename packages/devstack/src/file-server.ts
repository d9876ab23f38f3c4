import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FileServer {
  url: string;
  close(): Promise<void>;
}

/** The longest a trickled file may take (a test that forgets a slow download is not held for ever). */
const MAX_TRICKLE_MS = 120_000;
const TRICKLE_CHUNKS = 40;

/**
 * Serves the files of one folder over loopback HTTP, as a CSV host would.
 * `GET /_trickle/<file>?ms=<total>` serves the same file slowly: in 40 pieces
 * spread over `total` ms (at most 120 s), for tests that need a download to
 * be under way (a worker killed during fetch).
 */
export async function startFileServer(root: string, port = 0): Promise<FileServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let relative = decodeURIComponent(url.pathname);
    const trickle = relative.startsWith('/_trickle/');
    if (trickle) relative = relative.slice('/_trickle'.length);
    const file = path.join(root, path.normalize(relative).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(path.resolve(root)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': statSync(file).size });
    if (!trickle) {
      createReadStream(file).pipe(res);
      return;
    }
    const totalMs = Math.min(Math.max(Number(url.searchParams.get('ms')) || 5_000, 0), MAX_TRICKLE_MS);
    const body = readFileSync(file);
    const size = Math.ceil(body.length / TRICKLE_CHUNKS);
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed) {
        clearInterval(timer);
        timers.delete(timer);
        return;
      }
      res.write(body.subarray(sent, sent + size));
      sent += size;
      if (sent >= body.length) {
        clearInterval(timer);
        timers.delete(timer);
        res.end();
      }
    }, totalMs / TRICKLE_CHUNKS);
    timers.add(timer);
    res.once('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

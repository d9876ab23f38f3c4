import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSlackMessage {
  path: string;
  body: Record<string, unknown>;
  receivedAt: Date;
}

/** Every request the stand-in answered (or held), for tests that count attempts. */
export interface SlackRequestRecord {
  path: string;
  status: number | null;
  receivedAt: Date;
}

export interface SlackStandIn {
  url: string;
  /** Webhook URL for a path; paths choose behaviours, see startSlackStandIn. */
  webhookUrl(path?: string): string;
  messages: ReceivedSlackMessage[];
  requests: SlackRequestRecord[];
  close(): Promise<void>;
}

/**
 * A loopback server that answers as a Slack incoming webhook does: `ok` for a
 * valid message, 400 `invalid_payload` / `no_text` / `invalid_blocks` for bad
 * ones. Paths select failure modes for tests:
 *   /services/no-service/...   -> 404 no_service
 *   /services/rate-limited/... -> 429 with Retry-After: 1 on the first post, then ok
 *   /services/server-error/... -> 500
 *   /services/flaky/...        -> 500 on the first post, then ok
 *   /services/timeout-once/... -> no answer to the first post (held 30 s, then closed), then ok
 *   /services/slow/...         -> takes the message at once and answers ok after 5 s
 *   /services/flapping-<n>/... -> the first n posts to the path fail, alternately 500 and 429 with Retry-After: 1, then ok
 * GET /_received lists the messages taken, GET /_requests every post and its answer,
 * for tests in other processes.
 */
export async function startSlackStandIn(
  options: { port?: number; onMessage?: (message: ReceivedSlackMessage) => void } = {},
): Promise<SlackStandIn> {
  const messages: ReceivedSlackMessage[] = [];
  const requests: SlackRequestRecord[] = [];
  const firstPostSeen = new Set<string>();
  const held = new Set<http.ServerResponse>();
  /** True the first time a path is posted to. */
  const first = (path: string) => !firstPostSeen.has(path) && Boolean(firstPostSeen.add(path));
  const postsSeen = new Map<string, number>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const record: SlackRequestRecord = { path, status: null, receivedAt: new Date() };
      const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(text);
      };
      // Inspection for tests and the local stack; Slack itself has no such route.
      if (req.method === 'GET' && path === '/_received') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(messages));
        return;
      }
      if (req.method === 'GET' && path === '/_requests') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(requests));
        return;
      }
      if (req.method !== 'POST') return reply(405, 'invalid_method');
      requests.push(record);
      if (path.startsWith('/services/no-service')) return reply(404, 'no_service');
      if (path.startsWith('/services/server-error')) return reply(500, 'internal_error');
      if (path.startsWith('/services/rate-limited') && first(path))
        return reply(429, 'rate_limited', { 'retry-after': '1' });
      if (path.startsWith('/services/flaky') && first(path)) return reply(500, 'internal_error');
      const flapping = /^\/services\/flapping-(\d+)\//.exec(path);
      if (flapping) {
        const seen = postsSeen.get(path) ?? 0;
        postsSeen.set(path, seen + 1);
        if (seen < Number(flapping[1]))
          return seen % 2 === 0 ? reply(500, 'internal_error') : reply(429, 'rate_limited', { 'retry-after': '1' });
      }
      if (path.startsWith('/services/timeout-once') && first(path)) {
        held.add(res);
        setTimeout(() => {
          held.delete(res);
          res.destroy();
        }, 30_000).unref();
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply(400, 'invalid_payload');
      }
      const blocks = body.blocks;
      if (blocks !== undefined) {
        const valid =
          Array.isArray(blocks) &&
          blocks.length <= 50 &&
          blocks.every(
            (b) => typeof b === 'object' && b !== null && typeof (b as { type?: unknown }).type === 'string',
          );
        if (!valid) return reply(400, 'invalid_blocks');
      }
      if (typeof body.text !== 'string' && blocks === undefined) return reply(400, 'no_text');
      const message = { path, body, receivedAt: new Date() };
      messages.push(message);
      options.onMessage?.(message);
      if (path.startsWith('/services/slow')) {
        setTimeout(() => reply(200, 'ok'), 5_000).unref();
        return;
      }
      return reply(200, 'ok');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    webhookUrl: (path = '/services/T000/B000/relayboard') => `${url}${path}`,
    messages,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

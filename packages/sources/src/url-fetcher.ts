import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import type { AppConfig } from '@relayboard/config';
import { ErrorCode } from '@relayboard/contracts';
import { isAlwaysDenied } from './address-guard';
import type { ContentStore, StoredContent } from './content-store';
import { SourceError } from './source-error';

export interface FetchSettings {
  allowPrivateUrls: boolean;
  connectTimeoutMs: number;
  /** From the connection to the response headers (FETCH_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** The longest silence between two chunks of the body (FETCH_IDLE_TIMEOUT_MS). */
  idleTimeoutMs: number;
  /** The whole fetch, redirects and body included, however steadily it trickles (FETCH_DEADLINE_MS). */
  deadlineMs: number;
}

export function fetchSettings(config: AppConfig): FetchSettings {
  const { connectTimeoutMs, headersTimeoutMs, idleTimeoutMs, deadlineMs } = config.fetch;
  return { allowPrivateUrls: config.allowPrivateUrls, connectTimeoutMs, headersTimeoutMs, idleTimeoutMs, deadlineMs };
}

/** The request or response of a fetch in flight, so its deadline can end whichever is live. */
interface LiveFetch {
  current: { destroy(error: Error): void } | null;
  expired: SourceError | null;
}

export interface FetchedContent extends StoredContent {
  /** Where the bytes came from after redirects. */
  finalUrl: string;
}

const MAX_REDIRECTS = 5;

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** dns.lookup that refuses always-denied addresses; the filtering agent then checks the rest. */
function guardedLookup(hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const denied = addresses.find((a) => isAlwaysDenied(a.address));
    if (denied)
      return callback(
        new Error(
          `DNS lookup ${denied.address} (host:${hostname}) is not allowed. Because, It is a link-local or cloud metadata address.`,
        ),
      );
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

/**
 * Streams a CSV from an http(s) URL into the object store: SSRF-filtered
 * connections (request-filtering-agent plus a guarded DNS lookup), redirects
 * checked hop by hop, connect and idle timeouts, Content-Encoding decoded, and
 * the size cap, hashing and content addressing of the ContentStore.
 */
export class UrlFetcher {
  constructor(
    private readonly content: ContentStore,
    private readonly settings: FetchSettings,
  ) {}

  async fetchToStore(url: string): Promise<FetchedContent> {
    const live: LiveFetch = { current: null, expired: null };
    const { deadlineMs } = this.settings;
    const deadline = setTimeout(() => {
      live.expired = new SourceError(
        ErrorCode.SourceTimeout,
        `the download from ${hostOf(url)} (${url}) did not finish within ${deadlineMs} ms (FETCH_DEADLINE_MS); the server may be sending an endless or very slow body: check the URL, or raise the setting for a file that takes longer`,
        { host: hostOf(url), limitMs: deadlineMs, setting: 'FETCH_DEADLINE_MS' },
      );
      live.current?.destroy(live.expired);
    }, deadlineMs);
    try {
      return await this.fetchWithin(url, live);
    } catch (error) {
      // Whatever the deadline cut short (a redirect hop, a body mid-stream), the deadline is the reason.
      throw live.expired ?? error;
    } finally {
      clearTimeout(deadline);
    }
  }

  private async fetchWithin(url: string, live: LiveFetch): Promise<FetchedContent> {
    const { response, finalUrl } = await this.open(url, live);
    const encoding = String(response.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const declared = Number(response.headers['content-length']);
    if (encoding === 'identity' && Number.isFinite(declared) && declared > this.content.maxBytes) {
      response.destroy();
      throw new SourceError(
        ErrorCode.SourceTooLarge,
        `${url} declares ${declared} bytes, more than MAX_CSV_BYTES (${this.content.maxBytes}); raise the setting or split the file`,
        { maxBytes: this.content.maxBytes, declared },
      );
    }
    const body = this.decode(response, encoding, url);
    const received = await this.content.receive({
      body,
      label: url,
      describeFailure: (error) => this.describe(error, url),
    });
    return { ...(await this.content.publish(received)), finalUrl };
  }

  private decode(response: http.IncomingMessage, encoding: string, url: string): Readable {
    if (encoding === 'identity' || encoding === '') return response;
    const decoder = DECODERS[encoding]?.();
    if (!decoder) {
      response.destroy();
      throw new SourceError(
        ErrorCode.SourceInvalid,
        `${url} answered with Content-Encoding "${encoding}", which Relayboard cannot decode; serve the CSV plain or gzip-compressed`,
      );
    }
    // Either side failing tears down the other: a dropped connection fails the read, an abandoned read closes the connection.
    pipeline(response, decoder).catch(() => undefined);
    return decoder;
  }

  private async open(url: string, live: LiveFetch): Promise<{ response: http.IncomingMessage; finalUrl: string }> {
    let current = this.checkUrl(url, url);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (live.expired) throw live.expired;
      const response = await this.request(current, live);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        current = this.checkUrl(new URL(response.headers.location, current).href, current.href);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new SourceError(
          ErrorCode.SourceHttpError,
          `${current.href} answered HTTP ${status}; check that the URL serves the CSV without authentication`,
          { status },
        );
      }
      return { response, finalUrl: current.href };
    }
    throw new SourceError(
      ErrorCode.SourceHttpError,
      `${url} redirected more than ${MAX_REDIRECTS} times; give the final URL of the CSV`,
      { redirects: MAX_REDIRECTS + 1 },
    );
  }

  private checkUrl(href: string, from: string): URL {
    let target: URL;
    try {
      target = new URL(href);
    } catch {
      throw new SourceError(ErrorCode.UrlNotAllowed, `${href} is not an absolute URL; give an http(s) URL of the CSV`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      const how =
        href === from ? `${href} is a ${target.protocol} URL` : `${from} redirects to ${target.protocol} URL ${href}`;
      throw new SourceError(ErrorCode.UrlNotAllowed, `${how}; only http and https are fetched`);
    }
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (isAlwaysDenied(literal)) {
      const how = href === from ? `${href} points at` : `${from} redirects to ${href}, which points at`;
      throw new SourceError(
        ErrorCode.UrlNotAllowed,
        `${how} ${literal}, a link-local or cloud metadata address, which Relayboard never fetches from`,
      );
    }
    return target;
  }

  private request(target: URL, live: LiveFetch): Promise<http.IncomingMessage> {
    const url = target.href;
    const { connectTimeoutMs, headersTimeoutMs, idleTimeoutMs, allowPrivateUrls } = this.settings;
    const filter = { allowPrivateIPAddress: allowPrivateUrls, allowMetaIPAddress: false };
    const isHttps = target.protocol === 'https:';
    const agent = isHttps ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter);
    const client = isHttps ? https : http;
    return new Promise((resolve, reject) => {
      let response: http.IncomingMessage | null = null;
      let headersTimer: NodeJS.Timeout | undefined;
      const req = client.get(
        target,
        {
          agent,
          lookup: guardedLookup as typeof dns.lookup,
          headers: { 'accept-encoding': 'gzip', 'user-agent': 'relayboard' },
        },
        (res) => {
          clearTimeout(headersTimer);
          response = res;
          live.current = res;
          // From the headers on, any silence longer than the idle timeout ends the fetch.
          req.setTimeout(idleTimeoutMs, stalled);
          // Errors are read by whoever consumes the body; until then they must not go unhandled.
          res.on('error', () => undefined);
          resolve(res);
        },
      );
      live.current = req;
      const stalled = () => {
        const error = new SourceError(
          ErrorCode.SourceUnreachable,
          `${url} stopped sending data for ${idleTimeoutMs} ms (FETCH_IDLE_TIMEOUT_MS); check that the server sends the whole file, or raise the setting`,
        );
        if (response) response.destroy(error);
        else req.destroy(error);
      };
      const connectTimer = setTimeout(
        () =>
          req.destroy(
            new SourceError(
              ErrorCode.SourceUnreachable,
              `${url} did not accept a connection within ${connectTimeoutMs} ms (FETCH_CONNECT_TIMEOUT_MS)`,
            ),
          ),
        connectTimeoutMs,
      );
      // The connect timeout covers reaching the server, the headers timeout its answer (a server that accepts and never answers).
      req.on('socket', (socket) => {
        const connected = () => {
          clearTimeout(connectTimer);
          headersTimer = setTimeout(
            () =>
              req.destroy(
                new SourceError(
                  ErrorCode.SourceTimeout,
                  `${target.host} accepted the connection for ${url} but sent no response within ${headersTimeoutMs} ms (FETCH_HEADERS_TIMEOUT_MS); check that the server answers, or raise the setting`,
                  { host: target.host, limitMs: headersTimeoutMs, setting: 'FETCH_HEADERS_TIMEOUT_MS' },
                ),
              ),
            headersTimeoutMs,
          );
        };
        if (socket.connecting) socket.once('connect', connected);
        else connected();
      });
      req.on('error', (error) => {
        clearTimeout(connectTimer);
        clearTimeout(headersTimer);
        if (!response) reject(this.describe(error, url));
      });
      req.on('close', () => {
        clearTimeout(connectTimer);
        clearTimeout(headersTimer);
      });
    });
  }

  private describe(error: unknown, url: string): SourceError {
    if (error instanceof SourceError) return error;
    const message = (error as Error)?.message ?? String(error);
    if (/is not allowed/.test(message)) {
      const hint =
        /private IP/.test(message) && !this.settings.allowPrivateUrls
          ? '; set ALLOW_PRIVATE_URLS=true to allow private and loopback addresses'
          : '';
      return new SourceError(
        ErrorCode.UrlNotAllowed,
        `${url} resolves to an address Relayboard does not fetch from (${message})${hint}`,
      );
    }
    return new SourceError(ErrorCode.SourceUnreachable, `could not fetch ${url}: ${message}`);
  }
}

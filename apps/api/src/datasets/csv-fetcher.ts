import { createHash, randomUUID } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import type { AppConfig } from '@relayboard/config';
import { ErrorCode } from '@relayboard/contracts';
import { contentAddressedKey, type ObjectStore } from '@relayboard/storage';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, OBJECT_STORE } from '../core/tokens';

export interface FetchedObject {
  sha256: string;
  sizeBytes: number;
  objectKey: string;
  finalUrl: string;
}

const MAX_REDIRECTS = 5;
/** Cloud metadata endpoints outside the link-local ranges (Alibaba; AWS over IPv6). */
const METADATA_ADDRESSES = new Set(['100.100.100.200', 'fd00:ec2::254']);

/**
 * Link-local addresses (169.254.0.0/16 with the cloud metadata service, fe80::/10)
 * and metadata endpoints are refused whatever ALLOW_PRIVATE_URLS says;
 * request-filtering-agent handles loopback and private ranges.
 */
export function isAlwaysDenied(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'linkLocal' || METADATA_ADDRESSES.has(parsed.toString());
}

/** dns.lookup that refuses always-denied addresses; the filtering agent then checks the rest. */
function guardedLookup(hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error);
    const denied = addresses.find((a) => isAlwaysDenied(a.address));
    if (denied) return callback(new Error(`DNS lookup ${denied.address} (host:${hostname}) is not allowed. Because, It is a link-local or cloud metadata address.`));
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

/** Counts bytes, hashes them and stops the stream once the cap is passed. */
class MeasuringStream extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new DomainError(ErrorCode.SourceTooLarge, `the CSV is larger than MAX_CSV_BYTES (${this.maxBytes} bytes); raise the setting or split the file`));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Streams a CSV from an http(s) URL into the object store without holding it in
 * memory: SSRF-filtered connections, redirects checked hop by hop, connect and
 * idle timeouts, a size cap, gzip decoding, content-addressed keys.
 */
@Injectable()
export class CsvFetcher {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  async fetchToStore(url: string): Promise<FetchedObject> {
    const { response, finalUrl } = await this.open(url);
    const declared = Number(response.headers['content-length']);
    if (!response.headers['content-encoding'] && Number.isFinite(declared) && declared > this.config.fetch.maxBytes) {
      response.destroy();
      throw new DomainError(ErrorCode.SourceTooLarge, `${url} declares ${declared} bytes, more than MAX_CSV_BYTES (${this.config.fetch.maxBytes}); raise the setting or split the file`);
    }
    const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
    const body: Readable = encoding === 'gzip' || encoding === 'x-gzip' ? response.pipe(zlib.createGunzip()) : response;
    if (encoding === 'gzip' || encoding === 'x-gzip') response.on('error', (error) => body.destroy(error));
    const measure = new MeasuringStream(this.config.fetch.maxBytes);
    const tmpKey = `tmp/${randomUUID()}`;
    try {
      await Promise.all([pipeline(body, measure), this.store.putStream(tmpKey, measure)]);
    } catch (error) {
      await this.store.remove(tmpKey).catch(() => undefined);
      throw this.describe(error, url);
    }
    if (measure.bytes === 0) {
      await this.store.remove(tmpKey).catch(() => undefined);
      throw new DomainError(ErrorCode.SourceEmpty, `${url} returned an empty body; a CSV needs at least a header line`);
    }
    const sha256 = measure.hash.digest('hex');
    const objectKey = contentAddressedKey(sha256);
    if (!(await this.store.stat(objectKey))) await this.store.copy(tmpKey, objectKey);
    await this.store.remove(tmpKey);
    return { sha256, sizeBytes: measure.bytes, objectKey, finalUrl };
  }

  private async open(url: string): Promise<{ response: http.IncomingMessage; finalUrl: string }> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await this.request(current);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        const next = new URL(response.headers.location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new DomainError(ErrorCode.UrlNotAllowed, `${current} redirects to ${next.protocol} URL ${next.href}; only http and https are fetched`);
        }
        current = next.href;
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new DomainError(ErrorCode.SourceHttpError, `${current} answered HTTP ${status}; check that the URL serves the CSV without authentication`, { status });
      }
      return { response, finalUrl: current };
    }
    throw new DomainError(ErrorCode.SourceUnreachable, `${url} redirected more than ${MAX_REDIRECTS} times; give the final URL of the CSV`);
  }

  private async request(url: string): Promise<http.IncomingMessage> {
    const target = new URL(url);
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (isAlwaysDenied(literal)) {
      throw new DomainError(ErrorCode.UrlNotAllowed, `${url} points at ${literal}, a link-local or cloud metadata address, which Relayboard never fetches from`);
    }
    const filter = { allowPrivateIPAddress: this.config.allowPrivateUrls, allowMetaIPAddress: false };
    const isHttps = target.protocol === 'https:';
    const agent = isHttps ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter);
    const client = isHttps ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.get(target, { agent, lookup: guardedLookup as typeof dns.lookup, headers: { 'accept-encoding': 'gzip', 'user-agent': 'relayboard' } }, (res) => {
        clearTimeout(connectTimer);
        req.setTimeout(this.config.fetch.idleTimeoutMs, () =>
          req.destroy(new DomainError(ErrorCode.SourceUnreachable, `${url} stopped sending data for ${this.config.fetch.idleTimeoutMs} ms (FETCH_IDLE_TIMEOUT_MS)`)),
        );
        res.on('error', () => undefined);
        resolve(res);
      });
      const connectTimer = setTimeout(
        () => req.destroy(new DomainError(ErrorCode.SourceUnreachable, `${url} did not answer within ${this.config.fetch.connectTimeoutMs} ms (FETCH_CONNECT_TIMEOUT_MS)`)),
        this.config.fetch.connectTimeoutMs,
      );
      req.on('error', (error) => {
        clearTimeout(connectTimer);
        reject(this.describe(error, url));
      });
    });
  }

  private describe(error: unknown, url: string): DomainError {
    if (error instanceof DomainError) return error;
    const message = (error as Error)?.message ?? String(error);
    if (/is not allowed/.test(message)) {
      const hint = /private IP/.test(message) && !this.config.allowPrivateUrls ? '; set ALLOW_PRIVATE_URLS=true to allow private and loopback addresses' : '';
      return new DomainError(ErrorCode.UrlNotAllowed, `${url} resolves to an address Relayboard does not fetch from (${message})${hint}`);
    }
    return new DomainError(ErrorCode.SourceUnreachable, `could not fetch ${url}: ${message}`);
  }
}

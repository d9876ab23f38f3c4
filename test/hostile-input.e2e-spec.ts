import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { api, authHeaders, fixtureUrl, query, uniqueName, uploadCsv } from './helpers';
import { bucketKeys, openUploads } from './object-store';
import { testStack } from './stack-env';

/**
 * Input a hostile or careless caller sends: each gets a 4xx in the one error
 * shape with a message naming what was wrong, nothing is stored, and the api
 * keeps serving (after each test: /health answers and a dataset registers).
 * Limits come from the test stack's settings (test/global-setup.ts: API_JSON_BODY_LIMIT 64kb),
 * and for the fetch timeouts from an api of this file's own (short limits that would cut
 * other suites' large downloads on a busy machine).
 */

const JSON_BODY_LIMIT = 64 * 1024;
const HEADERS_TIMEOUT_MS = 1500;
const DEADLINE_MS = 4000;

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Another api on the test stack's PostgreSQL, Redis and object store, with the given settings. */
async function startApi(settings: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve(__dirname, '..', 'apps', 'api', 'dist', 'main.js')], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...testStack().appEnv,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      READY_CHECK_DBT: 'false',
      ...settings,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the api with short fetch limits exited:\n${output}`);
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the api with short fetch limits did not answer /health within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function postTo(base: string, route: string, body: unknown) {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const datasetCount = async () =>
  Number((await query<{ n: string }>('select count(*) as n from relayboard.datasets'))[0].n);

/** Sends a request with whatever headers and body the test wants, unlike `api()`. */
async function send(method: string, route: string, headers: Record<string, string>, body?: string | Buffer) {
  const res = await fetch(`${testStack().apiUrl}${route}`, { method, headers: { ...authHeaders(), ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function expectError(res: { status: number; body: any }, status: number, code: string, message: RegExp): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.message).toMatch(message);
}

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(200, 7),
]);
const ZIP = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0]),
  Buffer.from('xl/workbook.xml'),
  Buffer.alloc(200, 1),
]);
const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1');
const BINARIES: [string, Buffer, RegExp][] = [
  ['PNG', PNG, /looks like a PNG image, not a CSV/],
  ['ZIP', ZIP, /looks like a ZIP archive \(an \.xlsx, \.docx or \.jar is one too\), not a CSV/],
  ['PDF', PDF, /looks like a PDF document, not a CSV/],
  ['gzip-compressed PNG', zlib.gzipSync(PNG), /looks like a PNG image inside gzip, not a CSV/],
];

let server: { url: string; close(): Promise<void> };
let silent: { url: string; close(): Promise<void> };
const routes = new Map<string, http.RequestListener>();

beforeAll(async () => {
  const files = http.createServer((req, res) => {
    const route = routes.get(req.url ?? '');
    if (route) return route(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  server = {
    url: `http://127.0.0.1:${(files.address() as AddressInfo).port}`,
    close: () => {
      files.closeAllConnections();
      return new Promise((resolve) => files.close(() => resolve()));
    },
  };
  // Accepts connections and never says a word.
  const sockets = new Set<net.Socket>();
  const mute = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  silent = {
    url: `http://127.0.0.1:${(mute.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => mute.close(() => resolve()));
    },
  };
  for (const [what, bytes] of BINARIES) {
    routes.set(`/${what.replace(/\W+/g, '-')}.csv`, (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/csv' }).end(bytes),
    );
  }
  routes.set('/trickle.csv', (req, res) => {
    // Never idle for long, never near MAX_CSV_BYTES, never done: only the deadline ends it.
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.write('id,value\n');
    const timer = setInterval(() => res.write('1,still going\n'.repeat(64)), 100);
    req.socket.on('close', () => clearInterval(timer));
  });
});

afterAll(async () => {
  await server.close();
  await silent.close();
});

afterEach(async () => {
  // Whatever the test sent, the api still answers and still takes a dataset in.
  expect((await api('GET', '/health')).status).toBe(200);
  const res = await api('POST', '/v1/datasets/csv', {
    name: uniqueName('after_hostile'),
    csvUrl: fixtureUrl('people.csv'),
  });
  expect(res.status).toBe(201);
});

describe('request bodies', () => {
  it.each([
    ['POST', '/v1/datasets/csv'],
    ['POST', '/v1/pipelines/run'],
    ['PATCH', '/v1/destinations/00000000-0000-0000-0000-000000000000'],
  ])('answers malformed JSON on %s %s with 400', async (method, route) => {
    const res = await send(method, route, { 'content-type': 'application/json' }, '{"name": "x", ');
    expectError(res, 400, 'validation_failed', /^request body is not valid JSON/);
  });

  it('answers a JSON body past API_JSON_BODY_LIMIT with 413 naming the limit and the setting, and creates nothing', async () => {
    const before = await datasetCount();
    const body = JSON.stringify({
      name: uniqueName('big_body'),
      csvUrl: `${server.url}/${'a'.repeat(JSON_BODY_LIMIT)}.csv`,
    });
    const res = await send('POST', '/v1/datasets/csv', { 'content-type': 'application/json' }, body);
    expectError(
      res,
      413,
      'payload_too_large',
      new RegExp(`the JSON body is ${body.length} bytes, more than API_JSON_BODY_LIMIT \\(${JSON_BODY_LIMIT} bytes\\)`),
    );
    expect(res.body.error.details).toEqual({ limitBytes: JSON_BODY_LIMIT, setting: 'API_JSON_BODY_LIMIT' });
    expect(await datasetCount()).toBe(before);
  });

  it('takes a JSON body just under the limit (the limit is not off by much)', async () => {
    const padding = 'x'.repeat(JSON_BODY_LIMIT - 200);
    const res = await send(
      'POST',
      '/v1/datasets/csv',
      { 'content-type': 'application/json' },
      JSON.stringify({ name: 'X', csvUrl: `http://127.0.0.1/${padding}` }),
    );
    // Read whole and validated: refused for its name, not its size.
    expectError(res, 400, 'validation_failed', /name: a dataset name must match/);
  });

  it.each([
    ['text/plain', 'name=x'],
    ['application/x-www-form-urlencoded', 'name=orders&csvUrl=http%3A%2F%2F127.0.0.1%2Fx.csv'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\ncontent-disposition: form-data; name="name"\r\n\r\norders\r\n--x--\r\n',
    ],
  ])('answers a %s body on a JSON route with 415', async (type, body) => {
    const res = await send('POST', '/v1/datasets/csv', { 'content-type': type }, body);
    expectError(
      res,
      415,
      'unsupported_media_type',
      new RegExp(
        `POST /v1/datasets/csv takes a JSON body, not "${type.replace(/[;=]/g, '.')}"; send it with Content-Type: application/json`,
      ),
    );
  });

  it('reads a body without Content-Type as no body: the route says what is missing', async () => {
    const res = await send('POST', '/v1/pipelines/run', {}, Buffer.from('{"datasetName":"orders"}'));
    expectError(res, 400, 'validation_failed', /datasetName: is required/);
  });

  it('passes an empty chunked body without Content-Type, as the board proxy sends with a DELETE', async () => {
    const empty = new ReadableStream({ start: (controller) => controller.close() });
    const res = await fetch(`${testStack().apiUrl}/v1/destinations/00000000-0000-0000-0000-000000000000`, {
      method: 'DELETE',
      headers: authHeaders(),
      body: empty,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('destination_not_found');
  });

  it('answers a JSON body in a charset other than UTF-8 with 415', async () => {
    const res = await send(
      'POST',
      '/v1/pipelines/run',
      { 'content-type': 'application/json; charset=latin1' },
      Buffer.from('{"datasetName":"x"}', 'latin1'),
    );
    expectError(res, 415, 'unsupported_media_type', /must be UTF-8, not charset "latin1"/);
  });
});

describe('unknown fields', () => {
  it.each([
    [
      'POST',
      '/v1/datasets/csv',
      { name: 'orders', csvUrl: 'http://127.0.0.1/x.csv', csvURL: 'http://127.0.0.1/y.csv' },
      /unknown field\(s\) csvURL; the accepted fields are name, csvUrl/,
    ],
    [
      'POST',
      '/v1/pipelines/run',
      { datasetName: 'orders', priority: 1 },
      /unknown field\(s\) priority; the accepted fields are datasetName, refresh, force/,
    ],
    [
      'POST',
      '/v1/datasets/orders/checks',
      { kind: 'not_null', column: 'id', columns: ['id'] },
      /unknown field\(s\) columns; the accepted fields are kind, column, severity/,
    ],
    ['PUT', '/v1/datasets/orders/owners', { owners: [], channel: 'C1' }, /unknown field\(s\) channel/],
    [
      'POST',
      '/v1/destinations/slack',
      { webhookUrl: 'http://127.0.0.1/services/T1/B1/x', channel: '#data' },
      /unknown field\(s\) channel; a destination has/,
    ],
    [
      'PATCH',
      '/v1/destinations/00000000-0000-0000-0000-000000000000',
      { name: 'x', chanel: '#data' },
      /unknown field\(s\) chanel/,
    ],
  ])('%s %s refuses an unknown body field, naming it', async (method, route, body, message) => {
    const before = await datasetCount();
    const res = await api(method, route, body);
    expectError(res, 400, 'validation_failed', message);
    expect(await datasetCount()).toBe(before);
  });

  it.each([
    ['GET', '/v1/datasets?limt=5', /unknown field\(s\) limt; the accepted fields are limit, cursor/],
    ['GET', '/v1/datasets/orders/versions?page=2', /unknown field\(s\) page; the accepted fields are limit, cursor/],
    [
      'GET',
      '/v1/runs?datasetname=orders',
      /unknown field\(s\) datasetname; the accepted fields are datasetName, status, limit, cursor/,
    ],
    ['DELETE', '/v1/datasets/hostile_nope?forse=true', /unknown field\(s\) forse; the accepted fields are force/],
    [
      'GET',
      '/v1/runs/00000000-0000-0000-0000-000000000000?verbose=1',
      /unknown field\(s\) verbose; GET \/v1\/runs\/00000000-0000-0000-0000-000000000000 takes no query parameters/,
    ],
    ['GET', '/v1/destinations?limit=5', /unknown field\(s\) limit; GET \/v1\/destinations takes no query parameters/],
    ['GET', '/health?deep=true', /unknown field\(s\) deep; GET \/health takes no query parameters/],
  ])('%s %s refuses an unknown query parameter, naming it', async (method, route, message) => {
    expectError(
      await api(method, route),
      400,
      'validation_failed',
      new RegExp(`^invalid request query: .*${message.source}`),
    );
  });
});

describe('dataset names', () => {
  const NAMES = [
    "orders'; drop table relayboard.datasets; --",
    'orders" or "1"="1',
    "o'brien",
    'naïve_orders',
    '订单',
    'orders\u200b',
    'ORDERS',
    'orders;select',
    '../orders',
    '',
    'a'.repeat(49),
  ];

  it.each(NAMES.map((name) => [JSON.stringify(name), name]))(
    'refuses %s by URL with 400 and creates nothing',
    async (_shown, name) => {
      const before = await datasetCount();
      const res = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') });
      expectError(res, 400, 'validation_failed', /^invalid request body: name: /);
      expect(await datasetCount()).toBe(before);
    },
  );

  it('refuses such a name on upload with 400, and creates nothing', async () => {
    const before = await datasetCount();
    const res = await uploadCsv(encodeURIComponent("orders'; drop table x; --"), 'id\n1\n');
    expectError(res, 400, 'validation_failed', /^invalid request path: /);
    expect(await datasetCount()).toBe(before);
    expect(
      await query(
        `select 1 from information_schema.tables where table_schema = 'relayboard' and table_name = 'datasets'`,
      ),
    ).toHaveLength(1);
  });
});

describe('bytes that are plainly not text', () => {
  it.each(BINARIES)('refuses %s bytes by URL with 422 not_csv, storing nothing', async (what, _bytes, message) => {
    const before = await bucketKeys();
    const name = uniqueName('binary_url');
    const url = `${server.url}/${what.replace(/\W+/g, '-')}.csv`;
    const res = await api('POST', '/v1/datasets/csv', { name, csvUrl: url });
    expectError(res, 422, 'not_csv', new RegExp(`^${url.replace(/[.]/g, '\\.')} ${message.source}`));
    expect(await bucketKeys()).toEqual(before);
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(404);
  });

  it.each(BINARIES)('refuses %s bytes uploaded with 422 not_csv, storing nothing', async (what, bytes, message) => {
    const before = await bucketKeys();
    // Only the uploads this test opened are its to judge (another spec may have stopped S3 mid-upload).
    const openBefore = await openUploads();
    const name = uniqueName('binary_upload');
    const res = await uploadCsv(name, bytes, 'orders.csv');
    expectError(res, 422, 'not_csv', new RegExp(`^the uploaded file orders\\.csv ${message.source}`));
    expect(res.body.error.details.detected).toBe(what.includes('ZIP') ? 'zip' : what.includes('PDF') ? 'pdf' : 'png');
    expect(await bucketKeys()).toEqual(before);
    expect(await openUploads()).toEqual(openBefore);
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(404);
  });

  it('still takes a CSV whose header starts like a signature (MZ, PK)', async () => {
    const res = await uploadCsv(uniqueName('lookalike'), 'MZ_code,PK\nA1,1\n');
    expect(res.status).toBe(201);
  });
});

describe('sources that never finish', () => {
  let limited: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    limited = await startApi({
      FETCH_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      FETCH_DEADLINE_MS: String(DEADLINE_MS),
    });
  }, 90_000);

  afterAll(() => limited?.stop());

  afterEach(async () => {
    expect((await fetch(`${limited.url}/health`)).status).toBe(200);
  });

  it('cuts a body that trickles forever at FETCH_DEADLINE_MS, naming the host, the limit and the setting, and stores nothing', async () => {
    const before = await bucketKeys();
    // Only the uploads this test opened are its to judge (another spec may have stopped S3 mid-upload).
    const openBefore = await openUploads();
    const name = uniqueName('trickle');
    const deadlineMs = DEADLINE_MS;
    const started = Date.now();
    const res = await postTo(limited.url, '/v1/datasets/csv', { name, csvUrl: `${server.url}/trickle.csv` });
    const took = Date.now() - started;
    const host = new URL(server.url).host;
    expectError(
      res,
      422,
      'source_timeout',
      new RegExp(
        `^the download from ${host.replace('.', '\\.')} .*did not finish within ${deadlineMs} ms \\(FETCH_DEADLINE_MS\\)`,
      ),
    );
    expect(res.body.error.details).toEqual({ host, limitMs: deadlineMs, setting: 'FETCH_DEADLINE_MS' });
    expect(took).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(took).toBeLessThan(deadlineMs + 10_000);
    expect(await bucketKeys()).toEqual(before);
    expect(await openUploads()).toEqual(openBefore);
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(404);
  }, 60_000);

  it('gives up on a server that accepts the connection and never answers, at FETCH_HEADERS_TIMEOUT_MS', async () => {
    const name = uniqueName('silent');
    const started = Date.now();
    const res = await postTo(limited.url, '/v1/datasets/csv', { name, csvUrl: `${silent.url}/orders.csv` });
    const took = Date.now() - started;
    const host = new URL(silent.url).host;
    expectError(
      res,
      422,
      'source_timeout',
      new RegExp(
        `^${host.replace('.', '\\.')} accepted the connection for .* but sent no response within ${HEADERS_TIMEOUT_MS} ms \\(FETCH_HEADERS_TIMEOUT_MS\\)`,
      ),
    );
    expect(res.body.error.details).toEqual({ host, limitMs: HEADERS_TIMEOUT_MS, setting: 'FETCH_HEADERS_TIMEOUT_MS' });
    expect(took).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(took).toBeLessThan(DEADLINE_MS);
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(404);
  });
});

describe('one error shape', () => {
  it.each([
    ['GET', '/v1/nothing-here'],
    ['PUT', '/v1/runs'],
    ['DELETE', '/v1/pipelines/run'],
    ['GET', '/%E0%A4%A'],
  ])('answers %s %s in the one shape', async (method, route) => {
    const res = await api(method, route);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toEqual({
      code: expect.stringMatching(/^(not_found|validation_failed)$/),
      message: expect.any(String),
    });
  });

  it('names an unknown route', async () => {
    expectError(
      await api('GET', '/v1/nothing-here'),
      404,
      'not_found',
      /^Cannot GET \/v1\/nothing-here: no such route/,
    );
  });
});

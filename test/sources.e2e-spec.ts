import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import type { Dataset, DatasetVersion, Run } from '@relayboard/contracts';
import { CREDENTIALS } from '../packages/devstack/dist/stack';
import { api, authHeaders, query, uniqueName, waitForRun } from './helpers';
import { bucketKeys, openUploads, s3 } from './object-store';
import { testStack } from './stack-env';

const MiB = 1024 * 1024;
/** MAX_CSV_BYTES of the test stack (test/global-setup.ts). */
const CAP = 64 * MiB;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function upload(
  name: string,
  parts: { field?: string; file?: Buffer; filename?: string; fields?: Record<string, string>; copies?: number },
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(parts.fields ?? {})) form.append(key, value);
  for (let copy = 0; parts.file && copy < (parts.copies ?? 1); copy++)
    form.append(parts.field ?? 'file', new Blob([parts.file]), parts.filename ?? 'data.csv');
  const res = await fetch(`${testStack().apiUrl}/v1/datasets/${name}/upload`, {
    method: 'POST',
    body: form,
    headers: authHeaders(),
  });
  return { status: res.status, body: (await res.json()) as any };
}

interface Loopback {
  url: string;
  close(): Promise<void>;
}

/** A file server of the test's own on loopback (the test stack allows private addresses). */
async function serve(handler: http.RequestListener): Promise<Loopback> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function objectBytes(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await s3().getObject(CREDENTIALS.bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Polls until the condition holds: for effects of a request the test cannot wait on directly. */
async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function versions(name: string): Promise<DatasetVersion[]> {
  const res = await api<{ versions: DatasetVersion[] }>('GET', `/v1/datasets/${name}/versions`);
  expect(res.status).toBe(200);
  return res.body.versions;
}

async function warehouseRows(name: string): Promise<Record<string, unknown>[]> {
  return query(`select city, country from warehouse."${name}" order by _rb_row`);
}

async function run(datasetName: string, refresh?: boolean): Promise<Run> {
  const started = await api(
    'POST',
    '/v1/pipelines/run',
    refresh === undefined ? { datasetName } : { datasetName, refresh },
  );
  expect(started.status).toBe(202);
  return waitForRun(started.body.runId);
}

describe('POST /v1/datasets/:name/upload', () => {
  const name = uniqueName('upload');
  const first = Buffer.from('city,country\nLyon,France\nOsaka,Japan\n');
  let created: Dataset;

  it('creates the dataset from a streamed upload, content-addressed by sha256', async () => {
    const res = await upload(name, { file: first, filename: 'cities.csv' });
    expect(res.status).toBe(201);
    created = res.body;
    expect(created).toMatchObject({ name, sourceType: 'upload', sourceUrl: null });
    expect(created.currentVersion).toMatchObject({
      sha256: sha256(first),
      sizeBytes: first.length,
      objectKey: `csv/sha256/${sha256(first).slice(0, 2)}/${sha256(first)}`,
      source: 'upload',
      sourceUrl: null,
      unchanged: false,
    });
    expect(await objectBytes(created.currentVersion!.objectKey)).toEqual(first);
  });

  it('runs the uploaded dataset into the warehouse', async () => {
    const done = await run(name);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(await warehouseRows(name)).toEqual([
      { city: 'Lyon', country: 'France' },
      { city: 'Osaka', country: 'Japan' },
    ]);
    const [version] = await versions(name);
    expect(version.rows).toBe(2);
  });

  it('records the same file uploaded again as an unchanged version', async () => {
    const res = await upload(name, { file: first });
    expect(res.status).toBe(200);
    expect(res.body.currentVersion).toMatchObject({
      sha256: sha256(first),
      objectKey: created.currentVersion!.objectKey,
      unchanged: true,
    });
    expect(res.body.currentVersion.id).not.toBe(created.currentVersion!.id);
    const listed = await versions(name);
    expect(listed.map((v) => [v.id, v.unchanged])).toEqual([
      [res.body.currentVersion.id, true],
      [created.currentVersion!.id, false],
    ]);
  });

  it('makes a changed file the current version', async () => {
    const second = Buffer.from('city,country\nQuito,Ecuador\n');
    const res = await upload(name, { file: second });
    expect(res.status).toBe(200);
    expect(res.body.currentVersion).toMatchObject({ sha256: sha256(second), unchanged: false, source: 'upload' });
    const dataset = await api<Dataset>('GET', `/v1/datasets/${name}`);
    expect(dataset.body.currentVersion!.id).toBe(res.body.currentVersion.id);
    expect((await versions(name)).map((v) => v.sha256)).toEqual([sha256(second), sha256(first), sha256(first)]);
  });

  it('stores a gzip-compressed upload decompressed', async () => {
    const plain = Buffer.from('city,country\nHanoi,Vietnam\nLima,Peru\n');
    const res = await upload(uniqueName('upload_gz'), { file: zlib.gzipSync(plain), filename: 'cities.csv.gz' });
    expect(res.status).toBe(201);
    expect(res.body.currentVersion).toMatchObject({ sha256: sha256(plain), sizeBytes: plain.length });
    expect(await objectBytes(res.body.currentVersion.objectKey)).toEqual(plain);
  });

  it.each([
    ['plain', () => Buffer.alloc(CAP + 6 * MiB, 'a,b\n'), /big\.csv is larger than MAX_CSV_BYTES \(67108864 bytes\)/],
    [
      'once decompressed',
      () => zlib.gzipSync(Buffer.alloc(CAP + 6 * MiB, 'a')),
      /big\.csv is larger than MAX_CSV_BYTES \(67108864 bytes once decompressed\)/,
    ],
  ])('answers 413 for a file past MAX_CSV_BYTES (%s), and keeps nothing', async (_what, file, message) => {
    const target = uniqueName('upload_big');
    const before = await bucketKeys();
    // Uploads other specs left open (an object store stopped mid-upload) are not this test's to judge.
    const openBefore = await openUploads();
    const res = await upload(target, { file: file(), filename: 'big.csv' });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'source_too_large', message: expect.stringMatching(message) });
    expect(await bucketKeys()).toEqual(before);
    expect(await openUploads()).toEqual(openBefore);
    expect((await api('GET', `/v1/datasets/${target}`)).status).toBe(404);
  });

  it('removes what it received when the client goes away mid-upload', async () => {
    const before = await bucketKeys();
    const openBefore = (await openUploads()).length;
    const boundary = 'relayboard-test-boundary';
    const req = http.request(`${testStack().apiUrl}/v1/datasets/${uniqueName('upload_cut')}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...authHeaders() },
    });
    req.on('error', () => undefined);
    req.write(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.csv"\r\ncontent-type: text/csv\r\n\r\n`,
    );
    req.write(Buffer.alloc(MiB, 'a,b\n'));
    await eventually(
      async () => (await openUploads()).length === openBefore + 1,
      'the api to open its temporary upload',
    );
    req.destroy();
    await eventually(async () => (await openUploads()).length === openBefore, 'the api to drop its temporary upload');
    expect(await bucketKeys()).toEqual(before);
  });

  it('404s the versions of a dataset that does not exist', async () => {
    const res = await api('GET', `/v1/datasets/${uniqueName('nothing')}/versions`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('dataset_not_found');
  });

  it.each([
    [
      'no file part',
      () => upload(uniqueName('upload_x'), { fields: { note: 'no file here' } }),
      400,
      'validation_failed',
      /no file part/,
    ],
    [
      'a file under another field name',
      () => upload(uniqueName('upload_x'), { field: 'csv', file: first }),
      400,
      'validation_failed',
      /file field named "csv"/,
    ],
    [
      'two files',
      () => upload(uniqueName('upload_x'), { file: first, copies: 2 }),
      400,
      'validation_failed',
      /more than one file/,
    ],
    [
      'an empty file',
      () => upload(uniqueName('upload_x'), { file: Buffer.alloc(0), filename: 'empty.csv' }),
      422,
      'source_empty',
      /empty\.csv is empty/,
    ],
    ['an invalid name', () => upload('Bad-Name', { file: first }), 400, 'validation_failed', /dataset name must match/],
    [
      'a body that is not multipart',
      () => api('POST', `/v1/datasets/${uniqueName('upload_x')}/upload`, { csv: 'a,b' }),
      415,
      'unsupported_media_type',
      /must be multipart\/form-data, not "application\/json"/,
    ],
  ])('refuses %s with a clear 4xx', async (_what, send, status, code, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
  });
});

describe('URL sources', () => {
  const plain = Buffer.from('city,country\nNairobi,Kenya\nOslo,Norway\n');
  let server: Loopback;
  /** What the loopback server answers, by path. */
  const routes = new Map<string, http.RequestListener>();

  beforeAll(async () => {
    server = await serve((req, res) => {
      const route = routes.get(req.url ?? '');
      if (route) return route(req, res);
      res.writeHead(404).end();
    });
    routes.set('/encoded.csv', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip' }).end(zlib.gzipSync(plain)),
    );
    routes.set('/file.csv.gz', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(zlib.gzipSync(plain)),
    );
    routes.set('/to-metadata.csv', (_req, res) =>
      res.writeHead(302, { location: 'http://169.254.10.20/latest/data.csv' }).end(),
    );
    routes.set('/loop.csv', (_req, res) => res.writeHead(302, { location: '/loop.csv' }).end());
    routes.set('/to-file.csv', (_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
    routes.set('/to-gopher.csv', (_req, res) => res.writeHead(302, { location: 'gopher://127.0.0.1:70/_GET' }).end());
    routes.set('/to-mapped-metadata.csv', (_req, res) =>
      res.writeHead(307, { location: 'http://[::ffff:169.254.169.254]/latest/meta-data/' }).end(),
    );
    routes.set('/declared-huge.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(CAP + 1) });
      res.write('a,b\n');
    });
    routes.set('/endless.csv', (req, res) => {
      // Chunked, no Content-Length: the cap has to be enforced while streaming.
      res.writeHead(200, { 'content-type': 'text/csv' });
      const chunk = Buffer.alloc(MiB, 'x\n');
      let sent = 0;
      // Endless: it only stops when the fetcher hangs up.
      const pump = () => {
        while (sent !== Infinity) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      req.socket.on('close', () => (sent = Infinity));
      pump();
    });
    routes.set('/stalls.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('city,country\nLyon,');
    });
  });

  afterAll(() => server.close());

  it.each([
    ['Content-Encoding: gzip', '/encoded.csv'],
    ['a .csv.gz without Content-Encoding', '/file.csv.gz'],
  ])('stores a gzip body sent with %s decompressed', async (_what, path) => {
    const res = await api('POST', '/v1/datasets/csv', { name: uniqueName('gz_url'), csvUrl: `${server.url}${path}` });
    expect(res.status).toBe(201);
    expect(res.body.currentVersion).toMatchObject({ sha256: sha256(plain), sizeBytes: plain.length, source: 'url' });
    expect(await objectBytes(res.body.currentVersion.objectKey)).toEqual(plain);
  });

  it.each([
    [
      'the cloud metadata address',
      () => 'http://169.254.169.254/latest/meta-data/',
      400,
      'url_not_allowed',
      /169\.254\.169\.254, a link-local or cloud metadata address/,
    ],
    ['a file:// URL', () => 'file:///etc/passwd', 400, 'validation_failed', /only http and https/],
    ['a gopher:// URL', () => 'gopher://127.0.0.1:70/_GET', 400, 'validation_failed', /only http and https/],
    [
      'the metadata address IPv4-mapped in IPv6',
      () => 'http://[::ffff:169.254.169.254]/latest/meta-data/',
      400,
      'url_not_allowed',
      /points at ::ffff:a9fe:a9fe, a link-local or cloud metadata address/,
    ],
    [
      'the metadata address IPv4-mapped, in hex',
      () => 'http://[::ffff:a9fe:a9fe]/',
      400,
      'url_not_allowed',
      /points at ::ffff:a9fe:a9fe, a link-local or cloud metadata address/,
    ],
    [
      'a redirect to gopher://',
      () => `${server.url}/to-gopher.csv`,
      400,
      'url_not_allowed',
      /redirects to gopher: URL gopher:\/\/127\.0\.0\.1:70\/_GET; only http and https/,
    ],
    [
      'a redirect to the IPv4-mapped metadata address',
      () => `${server.url}/to-mapped-metadata.csv`,
      400,
      'url_not_allowed',
      /redirects to http:\/\/\[::ffff:a9fe:a9fe\]\/latest\/meta-data\/, which points at ::ffff:a9fe:a9fe/,
    ],
    [
      'a redirect into 169.254.0.0/16',
      () => `${server.url}/to-metadata.csv`,
      400,
      'url_not_allowed',
      /redirects to http:\/\/169\.254\.10\.20\/latest\/data\.csv, which points at 169\.254\.10\.20/,
    ],
    [
      'a redirect to file://',
      () => `${server.url}/to-file.csv`,
      400,
      'url_not_allowed',
      /redirects to file: URL file:\/\/\/etc\/passwd; only http and https/,
    ],
    [
      'a redirect loop',
      () => `${server.url}/loop.csv`,
      422,
      'source_http_error',
      /loop\.csv redirected more than 5 times/,
    ],
    [
      'a declared length past the cap',
      () => `${server.url}/declared-huge.csv`,
      413,
      'source_too_large',
      /declares 67108865 bytes, more than MAX_CSV_BYTES/,
    ],
  ])('refuses %s', async (_what, url, status, code, message) => {
    const res = await api('POST', '/v1/datasets/csv', { name: uniqueName('refused'), csvUrl: url() });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
  });

  it('cuts an endless chunked body at MAX_CSV_BYTES while streaming, and keeps nothing', async () => {
    const before = await bucketKeys();
    const openBefore = await openUploads();
    const name = uniqueName('endless');
    const res = await api('POST', '/v1/datasets/csv', { name, csvUrl: `${server.url}/endless.csv` });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'source_too_large',
      message: expect.stringMatching(/endless\.csv is larger than MAX_CSV_BYTES \(67108864 bytes\)/),
    });
    expect(await bucketKeys()).toEqual(before);
    expect(await openUploads()).toEqual(openBefore);
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(404);
  });

  it('gives up on a server that stalls, naming FETCH_IDLE_TIMEOUT_MS, and keeps nothing', async () => {
    const before = await bucketKeys();
    const res = await api('POST', '/v1/datasets/csv', {
      name: uniqueName('stalls'),
      csvUrl: `${server.url}/stalls.csv`,
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'source_unreachable',
      message: expect.stringMatching(/stalls\.csv stopped sending data for 3000 ms \(FETCH_IDLE_TIMEOUT_MS\)/),
    });
    expect(await bucketKeys()).toEqual(before);
  });
});

describe('refresh: POST /v1/pipelines/run { refresh: true }', () => {
  const name = uniqueName('refresh');
  let served: { status: number; body: string } = { status: 200, body: 'city,country\nAccra,Ghana\n' };
  let server: Loopback;
  let firstVersion: DatasetVersion;

  beforeAll(async () => {
    server = await serve((_req, res) => res.writeHead(served.status, { 'content-type': 'text/csv' }).end(served.body));
    const registered = await api<Dataset>('POST', '/v1/datasets/csv', { name, csvUrl: `${server.url}/cities.csv` });
    expect(registered.status).toBe(201);
    firstVersion = registered.body.currentVersion!;
    expect((await run(name)).status).toBe('succeeded');
    expect(await warehouseRows(name)).toEqual([{ city: 'Accra', country: 'Ghana' }]);
  });

  afterAll(() => server.close());

  it('fetches the URL again, records a new version and loads the new rows', async () => {
    served = { status: 200, body: 'city,country\nAccra,Ghana\nCusco,Peru\n' };
    const done = await run(name, true);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(done.refresh).toBe(true);
    const [latest, previous] = await versions(name);
    expect(previous.id).toBe(firstVersion.id);
    expect(latest).toMatchObject({
      sha256: sha256(served.body),
      source: 'url',
      sourceUrl: `${server.url}/cities.csv`,
      unchanged: false,
      rows: 2,
    });
    expect(done.datasetVersionId).toBe(latest.id);
    expect(done.steps.find((s) => s.name === 'fetch')!.metrics).toMatchObject({
      refreshed: 'changed',
      sha256: latest.sha256,
    });
    expect((await api<Dataset>('GET', `/v1/datasets/${name}`)).body.currentVersion!.id).toBe(latest.id);
    expect(await warehouseRows(name)).toEqual([
      { city: 'Accra', country: 'Ghana' },
      { city: 'Cusco', country: 'Peru' },
    ]);
  });

  it('records content that did not change as an unchanged version', async () => {
    const done = await run(name, true);
    expect(done.status).toBe('succeeded');
    const [latest, previous] = await versions(name);
    expect(latest).toMatchObject({ sha256: previous.sha256, unchanged: true });
    expect(done.steps.find((s) => s.name === 'fetch')!.metrics).toMatchObject({ refreshed: 'unchanged' });
  });

  it('fails the run with the fetcher’s reason when the URL fails, keeping the previous version and rows', async () => {
    const before = await versions(name);
    served = { status: 404, body: 'gone' };
    const done = await run(name, true);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^fetch: http:\/\/127\.0\.0\.1:\d+\/cities\.csv answered HTTP 404/);
    expect(done.steps.slice(0, 3).map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(await versions(name)).toEqual(before);
    expect((await api<Dataset>('GET', `/v1/datasets/${name}`)).body.currentVersion!.id).toBe(before[0].id);
    expect(await warehouseRows(name)).toEqual([
      { city: 'Accra', country: 'Ghana' },
      { city: 'Cusco', country: 'Peru' },
    ]);
  });

  it('answers 400 for a refresh of an uploaded dataset, saying why', async () => {
    const uploaded = uniqueName('uploaded');
    expect((await upload(uploaded, { file: Buffer.from('a,b\n1,2\n') })).status).toBe(201);
    const res = await api('POST', '/v1/pipelines/run', { datasetName: uploaded, refresh: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/was uploaded, so it has no URL to fetch again/),
    });
    expect((await api('GET', `/v1/runs?datasetName=${uploaded}`)).body.runs).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Run } from '@relayboard/contracts';
import { api, fixtureUrl, query, uniqueName, waitForRun } from './helpers';

// Runs of every case queue behind the worker's concurrency and each builds dbt models.
jest.setTimeout(900_000);
const RUN_TIMEOUT_MS = 840_000;

/** Files made by the tests, served over loopback HTTP like any CSV host. */
const served = new Map<string, Buffer>();
let server: http.Server;
let baseUrl: string;

function serve(name: string, body: Buffer | string): string {
  served.set(name, Buffer.isBuffer(body) ? body : Buffer.from(body));
  return `${baseUrl}/${name}`;
}

interface Loaded {
  dataset: string;
  runId: string;
  run: Promise<Run>;
}

/** Registers a dataset from a URL and starts its run; the run is awaited by the test that needs it. */
async function load(prefix: string, csvUrl: string): Promise<Loaded> {
  const dataset = uniqueName(prefix);
  const registered = await api('POST', '/v1/datasets/csv', { name: dataset, csvUrl });
  if (registered.status !== 201)
    throw new Error(`registering ${csvUrl}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const started = await api('POST', '/v1/pipelines/run', { datasetName: dataset });
  const run = waitForRun(started.body.runId, RUN_TIMEOUT_MS);
  run.catch(() => undefined);
  return { dataset, runId: started.body.runId, run };
}

async function succeeded(loaded: Loaded): Promise<Run> {
  const run = await loaded.run;
  expect({ status: run.status, error: run.error }).toEqual({ status: 'succeeded', error: null });
  return run;
}

async function failedAtStage(loaded: Loaded): Promise<string> {
  const run = await loaded.run;
  expect(run.status).toBe('failed');
  expect(run.steps.map((s) => [s.name, s.status])).toEqual([
    ['fetch', 'succeeded'],
    ['stage', 'failed'],
    ['transform', 'skipped'],
    ['deliver', 'succeeded'],
  ]);
  const leftovers = await query(
    `select tablename from pg_tables where schemaname = 'staging' and starts_with(tablename, $1)`,
    [loaded.dataset],
  );
  expect(leftovers).toEqual([]);
  return run.error ?? '';
}

function stageMetrics(run: Run): Record<string, number | string> {
  return run.steps.find((s) => s.name === 'stage')!.metrics;
}

async function rows(dataset: string, columns = '*'): Promise<Record<string, unknown>[]> {
  const result = await query(`select ${columns} from staging."${dataset}" order by _rb_row`);
  return result.map(({ _rb_row, ...rest }) => (columns === '*' ? rest : { _rb_row, ...rest }));
}

interface VersionRow {
  columns: { name: string; originalName: string; type: string }[];
  dialect: Record<string, unknown>;
  rejected_rows: string | null;
  row_count: string | null;
  schema_changes: unknown;
}

async function version(dataset: string): Promise<VersionRow> {
  const [row] = await query<VersionRow>(
    `select v.columns, v.dialect, v.rejected_rows, v.row_count, v.schema_changes
       from relayboard.dataset_versions v join relayboard.datasets d on d.current_version_id = v.id
      where d.name = $1`,
    [dataset],
  );
  return row;
}

async function types(dataset: string): Promise<Record<string, string>> {
  return Object.fromEntries((await version(dataset)).columns.map((c) => [c.name, c.type]));
}

async function rejects(
  dataset: string,
): Promise<{ line_number: string; record_number: string; reason: string; raw: string }[]> {
  return query(
    `select line_number, record_number, reason, raw from staging."${dataset}__rejects" order by line_number`,
  );
}

/** Every run is started up front, so they queue together; each test awaits its own. */
const started = new Map<string, Promise<Loaded>>();
const starters: (() => void)[] = [];

function start(key: string, prefix: string, url: () => string): void {
  starters.push(() => {
    const loading = load(prefix, url());
    loading.catch(() => undefined);
    started.set(key, loading);
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = served.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)));
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const startOne of starters) startOne();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('every csv-spectrum case loads to exactly its expected values', () => {
  const spectrumDir = path.dirname(require.resolve('csv-spectrum/package.json'));
  const names = readdirSync(path.join(spectrumDir, 'csvs')).map((f) => path.basename(f, '.csv'));
  for (const name of names)
    start(`spectrum/${name}`, `spectrum_${name}`, () =>
      serve(`spectrum/${name}.csv`, readFileSync(path.join(spectrumDir, 'csvs', `${name}.csv`))),
    );

  it.each(names)('%s', async (name) => {
    const loaded = await started.get(`spectrum/${name}`)!;
    await succeeded(loaded);
    const parsed = JSON.parse(readFileSync(path.join(spectrumDir, 'json', `${name}.json`), 'utf8')) as
      Record<string, string> | Record<string, string>[];
    // location_coordinates.json holds one object instead of an array (csv-spectrum issue #22) and a phone
    // number that is not in its CSV (issue #20, "2095257564" in the CSV, "1234567890" in the JSON).
    const expected = (Array.isArray(parsed) ? parsed : [parsed]).map((record) =>
      name === 'location_coordinates' ? { ...record, 'Contact Phone Number': '2095257564' } : record,
    );
    const { columns } = await version(loaded.dataset);
    const byHeader = (row: Record<string, unknown>) =>
      Object.fromEntries(columns.map((c) => [c.originalName, row[c.name]]));
    expect((await rows(loaded.dataset)).map(byHeader)).toEqual(expected);
  });
});

describe('the hostile corpus: each file has one exact outcome', () => {
  const files = [
    'header_only.csv',
    'bom.csv',
    'utf16le.csv',
    'utf16be.csv',
    'windows1252.csv',
    'crlf.csv',
    'cr_only.csv',
    'quoted_newlines.csv',
    'doubled_quotes.csv',
    'ragged_short.csv',
    'ragged_long.csv',
    'headers.csv',
    'nul_bytes.csv',
    'binary.csv',
    'html.csv',
    'gzipped.csv.gz',
    'semicolon.csv',
    'tab.tsv',
    'pipe.csv',
    'formulas.csv',
    'thousands.csv',
    'mixed_dates.csv',
    'stray_quotes.csv',
    'mixed_line_endings.csv',
    'no_header.csv',
    'blank_lines.csv',
    'unterminated_quote.csv',
    'single_quotes.csv',
    'types.csv',
  ];

  for (const file of files) start(file, `corpus_${file.replace(/\W.*$/, '')}`, () => fixtureUrl(`corpus/${file}`));
  const get = (file: string) => started.get(file)!;

  it('empty file: refused at registration, nothing stored', async () => {
    const dataset = uniqueName('corpus_empty');
    const { status, body } = await api('POST', '/v1/datasets/csv', {
      name: dataset,
      csvUrl: fixtureUrl('corpus/empty.csv'),
    });
    expect(status).toBe(422);
    expect(body.error.message).toMatch(/empty/);
    expect((await api('GET', `/v1/datasets/${dataset}`)).status).toBe(404);
  });

  it('header only: a table with the columns and no rows', async () => {
    const loaded = await get('header_only.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 0, columns: 3, rejects: 0, path: 'fast' });
    expect(await rows(loaded.dataset)).toEqual([]);
    expect(await types(loaded.dataset)).toEqual({ id: 'text', name: 'text', amount: 'text' });
  });

  it('UTF-8 byte order mark: dropped, not part of the first column name', async () => {
    const loaded = await get('bom.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', name: 'Zoë' },
      { id: '2', name: 'Øre' },
    ]);
    const v = await version(loaded.dataset);
    expect(v.dialect).toEqual({
      encoding: 'utf-8',
      bom: true,
      delimiter: ',',
      quote: '"',
      header: true,
      lineEnding: 'lf',
    });
    // Columns also carry what inference decided (decision, verifiedType); the names and types are the BOM's concern.
    expect(v.columns.map(({ name, originalName, type }) => ({ name, originalName, type }))).toEqual([
      { name: 'id', originalName: 'id', type: 'bigint' },
      { name: 'name', originalName: 'name', type: 'text' },
    ]);
  });

  it.each(['utf16le.csv', 'utf16be.csv'])('%s: transcoded in the stream', async (file) => {
    const loaded = await get(file);
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({
      path: 'fast',
      encoding: file.replace('.csv', '').replace('utf16', 'utf-16'),
    });
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', city: 'Zürich' },
      { id: '2', city: '東京' },
      { id: '3', city: 'São Paulo, BR' },
    ]);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ bom: true, lineEnding: 'crlf' });
  });

  it('Windows-1252: bytes that are not UTF-8 are read as Windows-1252', async () => {
    const loaded = await get('windows1252.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', name: 'Café', price: '€5' },
      { id: '2', name: '“quoted” Ñandú', price: '3' },
    ]);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ encoding: 'windows-1252', bom: false });
  });

  it('CRLF: line breaks inside quotes kept, unquoted empty is NULL', async () => {
    const loaded = await get('crlf.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', note: 'a' },
      { id: '2', note: 'multi\r\nline' },
      { id: '3', note: null },
    ]);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ lineEnding: 'crlf' });
  });

  it('CR only (old Mac files)', async () => {
    const loaded = await get('cr_only.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', note: 'a' },
      { id: '2', note: 'b\rc' },
      { id: '3', note: 'd' },
    ]);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ lineEnding: 'cr' });
  });

  it('quoted line breaks, blank lines inside quotes included', async () => {
    const loaded = await get('quoted_newlines.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', text: 'line one\nline two' },
      { id: '2', text: 'a\n\nb' },
      { id: '3', text: 'plain' },
    ]);
  });

  it('doubled quotes; "" is an empty string and an unquoted empty field is NULL', async () => {
    const loaded = await get('doubled_quotes.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', quote: 'She said "hi"' },
      { id: '2', quote: '"' },
      { id: '3', quote: '' },
      { id: '4', quote: null },
      { id: '5', quote: 'a,"b",c' },
    ]);
  });

  it('a short row: rejected with its line, the other 150 rows loaded', async () => {
    const loaded = await get('ragged_short.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 150, rejects: 1, path: 'normalized' });
    expect(await rejects(loaded.dataset)).toEqual([
      {
        line_number: '51',
        record_number: '50',
        reason: 'missing data for column 3: 2 fields where the header has 3',
        raw: '50,item 50',
      },
    ]);
    const numbers = await query<{ _rb_row: string }>(
      `select _rb_row from staging."${loaded.dataset}" where _rb_row between '49' and '51' order by 1`,
    );
    expect(numbers.map((r) => r._rb_row)).toEqual(['49', '51']);
    expect(
      run.events.some(
        (e) =>
          e.level === 'warn' &&
          /1 of 151 rows rejected/.test(e.message) &&
          e.message.includes(`staging.${loaded.dataset}__rejects`),
      ),
    ).toBe(true);
    expect((await version(loaded.dataset)).rejected_rows).toBe('1');
  });

  it('a long row: rejected with its line and raw text', async () => {
    const loaded = await get('ragged_long.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 150, rejects: 1 });
    expect(await rejects(loaded.dataset)).toEqual([
      {
        line_number: '101',
        record_number: '100',
        reason: 'extra data after last expected column: 4 fields where the header has 3',
        raw: '100,item 100,1000,surprise',
      },
    ]);
  });

  it('duplicate, empty, 300-character and non-ASCII headers: valid, unique columns, originals kept', async () => {
    const loaded = await get('headers.csv');
    await succeeded(loaded);
    const x = 'x'.repeat(300);
    expect((await version(loaded.dataset)).columns.map((c) => [c.name, c.originalName])).toEqual([
      ['id', 'id'],
      ['id_2', 'ID'],
      ['column_3', ''],
      ['name', 'Name'],
      ['column_5', '  '],
      ['x'.repeat(63), x],
      [`${'x'.repeat(61)}_2`, x],
      ['cafe_au_lait', 'Café au lait'],
      ['column_9', '名前'],
      ['c_2024', '2024'],
    ]);
    expect(await query(`select id_2, c_2024 from staging."${loaded.dataset}"`)).toEqual([{ id_2: '2', c_2024: '10' }]);
  });

  it('NUL bytes: removed from the values and counted', async () => {
    const loaded = await get('nul_bytes.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 3, rejects: 0, nulBytesRemoved: 2, path: 'normalized' });
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', val: 'ab' },
      { id: '2', val: 'c' },
      { id: '3', val: 'd' },
    ]);
  });

  it('a binary file: the run fails saying it is not CSV text', async () => {
    expect(await failedAtStage(await get('binary.csv'))).toMatch(
      /^stage: the file for "corpus_binary_\w+" cannot be staged: the file looks binary \(\d+ control bytes in its first 4096\), not like CSV text/,
    );
  });

  it('an HTML page served as CSV: the run fails saying so', async () => {
    expect(await failedAtStage(await get('html.csv'))).toMatch(
      /cannot be staged: the file is an HTML page, not a CSV: the URL probably points at a web page/,
    );
  });

  it('gzip: decompressed when fetched and staged as CSV', async () => {
    const loaded = await get('gzipped.csv.gz');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', name: 'ada' },
      { id: '2', name: 'grace' },
    ]);
  });

  it('semicolons: a decimal comma makes a number column (issue #15) and staging keeps the text; a quoted semicolon stays in its field', async () => {
    const loaded = await get('semicolon.csv');
    await succeeded(loaded);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ delimiter: ';' });
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', amount: '2,50', label: 'a' },
      { id: '2', amount: '3,75', label: 'b;c' },
    ]);
    expect(await types(loaded.dataset)).toEqual({ id: 'bigint', amount: 'numeric', label: 'text' });
  });

  it('tabs', async () => {
    const loaded = await get('tab.tsv');
    await succeeded(loaded);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ delimiter: '\t' });
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', name: 'ada', note: 'first, programmer' },
      { id: '2', name: 'grace', note: 'tab\tinside' },
    ]);
  });

  it('pipes', async () => {
    const loaded = await get('pipe.csv');
    await succeeded(loaded);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ delimiter: '|' });
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', name: 'ada' },
      { id: '2', name: 'grace' },
    ]);
  });

  it('formula-like cells: loaded verbatim as text', async () => {
    const loaded = await get('formulas.csv');
    await succeeded(loaded);
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', cell: "=cmd|' /C calc'!A0" },
      { id: '2', cell: '+1+1' },
      { id: '3', cell: '-2+3' },
      { id: '4', cell: '@SUM(A1:A2)' },
      { id: '5', cell: '=HYPERLINK("http://x","y")' },
    ]);
    expect(await types(loaded.dataset)).toEqual({ id: 'bigint', cell: 'text' });
  });

  it('thousands separators: a number column (issue #15), and staging keeps the text', async () => {
    const loaded = await get('thousands.csv');
    await succeeded(loaded);
    expect(await types(loaded.dataset)).toEqual({ id: 'bigint', amount: 'numeric', plain: 'numeric' });
    expect((await rows(loaded.dataset)).map((r) => r.amount)).toEqual(['1,234', '12,345.67', '999']);
  });

  it('mixed date formats: that column stays text, ISO dates are dates', async () => {
    const loaded = await get('mixed_dates.csv');
    await succeeded(loaded);
    expect(await types(loaded.dataset)).toEqual({ id: 'bigint', mixed: 'text', iso: 'date' });
  });

  it('stray quotes: kept as text by the normalizing path', async () => {
    const loaded = await get('stray_quotes.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 3, rejects: 0, path: 'normalized' });
    expect(await rows(loaded.dataset)).toEqual([
      { id: '1', size: '5" screen' },
      { id: '2', size: '7" tablet' },
      { id: '3', size: "12''" },
    ]);
  });

  it('mixed line breaks: every row loaded', async () => {
    const loaded = await get('mixed_line_endings.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 3, path: 'normalized' });
    expect((await version(loaded.dataset)).dialect).toMatchObject({ lineEnding: 'mixed' });
    expect((await rows(loaded.dataset)).map((r) => r.v)).toEqual(['a', 'b', 'c']);
  });

  it('no header: columns column_1..N, typed', async () => {
    const loaded = await get('no_header.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 3 });
    expect((await version(loaded.dataset)).dialect).toMatchObject({ header: false });
    expect(await types(loaded.dataset)).toEqual({ column_1: 'bigint', column_2: 'date', column_3: 'numeric' });
    expect((await rows(loaded.dataset))[0]).toEqual({ column_1: '1', column_2: '2024-01-01', column_3: '3.5' });
  });

  it('blank lines: skipped and counted', async () => {
    const loaded = await get('blank_lines.csv');
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 2, rejects: 0, blankLines: 1 });
  });

  it('a quote that is never closed: the run fails naming the line and the rows it swallowed', async () => {
    const error = await failedAtStage(await get('unterminated_quote.csv'));
    expect(error).toMatch(
      /could not be loaded at line 3 of the file \("2,\\"b\\n3,c\\n4,d\\n"\): unterminated quoted field/,
    );
    expect(error).toContain('3 of 4 rows rejected (75%) in 1 records, more than REJECT_MAX_SHARE allows (1%)');
  });

  it('single quotes as the quote character', async () => {
    const loaded = await get('single_quotes.csv');
    await succeeded(loaded);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ quote: "'" });
    expect((await rows(loaded.dataset)).map((r) => r.city)).toEqual(['Anytown, WW', 'Paris', "It's"]);
  });

  it('types inferred over every value, stored with the version and returned by the api', async () => {
    const loaded = await get('types.csv');
    await succeeded(loaded);
    const expected = {
      flag: 'boolean',
      count: 'bigint',
      amount: 'numeric',
      day: 'date',
      at: 'timestamp',
      at_tz: 'timestamptz',
      ref: 'uuid',
      doc: 'json',
      label: 'text',
      nothing: 'text',
      zip: 'text',
      blank: 'text',
      sparse: 'bigint',
    };
    expect(await types(loaded.dataset)).toEqual(expected);
    const { body } = await api('GET', `/v1/datasets/${loaded.dataset}`);
    expect(
      Object.fromEntries(body.currentVersion.columns.map((c: { name: string; type: string }) => [c.name, c.type])),
    ).toEqual(expected);
    expect(body.currentVersion.dialect).toEqual({
      encoding: 'utf-8',
      bom: false,
      delimiter: ',',
      quote: '"',
      header: true,
      lineEnding: 'lf',
    });
    const casts = Object.entries(expected)
      // As the warehouse casts them: spaces trimmed, blanks NULL.
      .map(([name, type]) => `nullif(btrim("${name}"), '')::${type}`)
      .join(', ');
    await expect(query(`select ${casts} from staging."${loaded.dataset}"`)).resolves.toHaveLength(3);
  });
});

describe('files made by the tests', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const asciiRows = (n: number) =>
    Array.from({ length: n }, (_, i) => `${i + 3},plain ascii row number ${i + 3}\n`).join('');
  const made = (key: string, body: () => Buffer | string) =>
    start(`made/${key}`, `made_${key}`, () => serve(`made/${key}.csv`, body()));
  {
    made('big_field', () => `id,big\n1,"${'ab""\n'.repeat(TEN_MB / 4)}"\n2,small\n`);
    made(
      'wide',
      () =>
        `${Array.from({ length: 2000 }, (_, i) => `c${i + 1}`).join(',')}\n${Array.from({ length: 2000 }, (_, i) => i).join(',')}\n`,
    );
    // Past the 256 KiB head, so detection cannot see the bad byte.
    made('late_bad_utf8', () =>
      Buffer.concat([
        Buffer.from(`id,name\n1,café\n${asciiRows(15000)}`),
        Buffer.from('99999,caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n100000,last\n'),
      ]),
    );
    made('late_1252', () =>
      Buffer.concat([
        Buffer.from(`id,name\n1,cafe\n${asciiRows(15000)}`),
        Buffer.from('99999,caf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]),
    );
    // About 12 MB: both COPY streams have loaded units of it when the stray quote near the end stops the fast path.
    made(
      'late_stray_quote',
      () => `id,name\n1,first\n2,second\n${asciiRows(340_000)}340003,Monitor 27" glossy\n340004,last\n`,
    );
    // The guard passes a short row: COPY itself refuses it, on one stream while the other may be loading.
    made('late_short_row', () => `id,name\n1,first\n2,second\n${asciiRows(340_000)}340003\n340004,last\n`);
  }

  it('a 10 MB field loads whole', async () => {
    const loaded = await started.get('made/big_field')!;
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 2, path: 'fast' });
    const result = await query<{ id: string; length: number; tail: string }>(
      `select id, length(big) as length, right(big, 4) as tail from staging."${loaded.dataset}" order by _rb_row`,
    );
    expect(result).toEqual([
      { id: '1', length: TEN_MB, tail: 'ab"\n' },
      { id: '2', length: 5, tail: 'mall' },
    ]);
  });

  it('2,000 columns: the run fails saying PostgreSQL holds at most 1,599 besides _rb_row', async () => {
    expect(await failedAtStage(await started.get('made/wide')!)).toMatch(
      /has 2000 columns; a PostgreSQL table holds at most 1599 besides _rb_row: split the file into narrower ones or drop columns/,
    );
  });

  it('bad UTF-8 past the head of a UTF-8 file: that row rejected, the rest loaded', async () => {
    const loaded = await started.get('made/late_bad_utf8')!;
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 15002, rejects: 1, path: 'normalized', encoding: 'utf-8' });
    expect(await rejects(loaded.dataset)).toEqual([
      {
        line_number: '15003',
        record_number: '15002',
        reason: 'not valid UTF-8 (the rest of the file is UTF-8)',
        raw: '99999,caf\uFFFD',
      },
    ]);
    expect(
      run.events.some((e) => e.level === 'warn' && /loading it again through the normalizing path/.test(e.message)),
    ).toBe(true);
  });

  it('Windows-1252 past an ASCII head: the whole file read again as Windows-1252', async () => {
    const loaded = await started.get('made/late_1252')!;
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 15002, rejects: 0, path: 'fast', encoding: 'windows-1252' });
    expect(await query(`select name from staging."${loaded.dataset}" where id = '99999'`)).toEqual([{ name: 'café' }]);
    expect((await version(loaded.dataset)).dialect).toMatchObject({ encoding: 'windows-1252' });
  });
});

describe('a fast-path load stopped late', () => {
  it('starts again on the normalizing path, and every row keeps its record number', async () => {
    const loaded = await started.get('made/late_stray_quote')!;
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 340_004, rejects: 0, path: 'normalized' });
    expect(
      run.events.some(
        (e) =>
          e.level === 'warn' &&
          /a quote inside an unquoted field.*loading it again through the normalizing path/.test(e.message),
      ),
    ).toBe(true);
    const [numbers] = await query<{ rows: string; misplaced: string }>(
      `select count(*) as rows, count(*) filter (where _rb_row <> id::bigint) as misplaced from staging."${loaded.dataset}"`,
    );
    expect(numbers).toEqual({ rows: '340004', misplaced: '0' });
    expect(await query(`select name from staging."${loaded.dataset}" where id = '340003'`)).toEqual([
      { name: 'Monitor 27" glossy' },
    ]);
    expect(
      (await version(loaded.dataset)).columns.map((c: { name: string; type: string }) => [c.name, c.type]),
    ).toEqual([
      ['id', 'bigint'],
      ['name', 'text'],
    ]);
  });
});

describe('a fast-path load COPY refuses late', () => {
  it('starts again on the normalizing path, rejects the row, and leaves no temporary sequences behind', async () => {
    const loaded = await started.get('made/late_short_row')!;
    const run = await succeeded(loaded);
    expect(stageMetrics(run)).toMatchObject({ rows: 340_003, rejects: 1, path: 'normalized' });
    expect(
      run.events.some(
        (e) =>
          e.level === 'warn' &&
          /COPY cannot take this file as it is \(missing data for column "name"\): loading it again through the normalizing path/.test(
            e.message,
          ),
      ),
    ).toBe(true);
    expect(await rejects(loaded.dataset)).toEqual([
      {
        line_number: '340004',
        record_number: '340003',
        reason: 'missing data for column 2: 1 fields where the header has 2',
        raw: '340003',
      },
    ]);
    const [numbers] = await query<{ rows: string; misplaced: string }>(
      `select count(*) as rows, count(*) filter (where _rb_row <> id::bigint) as misplaced from staging."${loaded.dataset}"`,
    );
    expect(numbers).toEqual({ rows: '340003', misplaced: '0' });
    // Each COPY connection's row sequence (named after the load) is dropped when the load ends.
    expect(
      await query(`select relname from pg_class where relkind = 'S' and relname = $1`, [
        `rb_rows_${run.id.replace(/-/g, '').slice(0, 7)}`,
      ]),
    ).toEqual([]);
  });
});

describe('schema changes between versions', () => {
  it('records added, removed and retyped columns with the new version and as an event', async () => {
    const url = serve('versions/evolving.csv', 'id,amount,gone\n1,10,x\n2,20,y\n');
    const first = await load('schema', url);
    await succeeded(first);
    expect((await version(first.dataset)).schema_changes).toBeNull();

    serve('versions/evolving.csv', 'id,amount,added\n1,10.5,x\n2,20,y\n');
    const started = await api('POST', '/v1/pipelines/run', { datasetName: first.dataset, refresh: true });
    expect(started.status).toBe(202);
    const run = await waitForRun(started.body.runId, RUN_TIMEOUT_MS);
    expect(run.status).toBe('succeeded');
    const changes = (await version(first.dataset)).schema_changes as {
      added: string[];
      removed: string[];
      retyped: unknown[];
    };
    expect(changes).toMatchObject({
      added: ['added'],
      removed: ['gone'],
      retyped: [{ name: 'amount', from: 'bigint', to: 'numeric' }],
    });
    expect(run.events.map((e) => e.message)).toContain(
      'schema changed since the previous version: added added; removed gone; retyped amount (bigint -> numeric)',
    );
  });
});

describe('progress, and a load killed mid-stream', () => {
  const ROWS = 700_000;
  let loaded: Loaded;
  start('made/killed', 'killed', () => {
    const body = Array.from(
      { length: ROWS },
      (_, i) => `${i},customer ${i},${(i * 1.25).toFixed(2)},2024-01-${String((i % 28) + 1).padStart(2, '0')}\n`,
    ).join('');
    return serve('made/killed.csv', `id,name,amount,day\n${body}`);
  });

  beforeAll(async () => {
    loaded = await started.get('made/killed')!;
  });

  it('records bytes done, total bytes and rows done while staging', async () => {
    const run = await succeeded(loaded);
    const progress = run.events.filter((e) => e.step === 'stage' && e.data && 'bytesDone' in e.data);
    expect(progress.length).toBeGreaterThan(0);
    for (const event of progress) {
      expect(event.data).toMatchObject({
        bytesTotal: expect.any(Number),
        bytesDone: expect.any(Number),
        rowsDone: expect.any(Number),
      });
      expect(event.message).toMatch(/^(staged \d+ of \d+ bytes, \d+ rows|publishing)/);
    }
    expect(stageMetrics(run)).toMatchObject({ rows: ROWS });
  });

  it('numbers every row with its record number although several COPY streams loaded the file', async () => {
    await succeeded(loaded);
    // About 25 MB: several units of whole records, loaded on two connections at once.
    const [numbers] = await query<{ rows: string; first: string; last: string; misplaced: string }>(
      `select count(*) as rows, min(_rb_row) as first, max(_rb_row) as last, count(*) filter (where _rb_row <> id::bigint + 1) as misplaced from staging."${loaded.dataset}"`,
    );
    expect(numbers).toEqual({ rows: String(ROWS), first: '1', last: String(ROWS), misplaced: '0' });
    const [defaults] = await query<{ column_default: string | null }>(
      `select column_default from information_schema.columns where table_schema = 'staging' and table_name = $1 and column_name = '_rb_row'`,
      [loaded.dataset],
    );
    expect(defaults.column_default).toBeNull();
  });

  it('leaves the published table as it was and no load tables while attempts are killed, and retries the stage step until one gets through', async () => {
    await loaded.run;
    const published = () =>
      query<{ oid: number; rows: string }>(
        `select 'staging."${loaded.dataset}"'::regclass::oid as oid, (select count(*) from staging."${loaded.dataset}") as rows`,
      );
    const [before] = await published();
    const started = await api('POST', '/v1/pipelines/run', { datasetName: loaded.dataset, force: true });
    const runId: string = started.body.runId;

    // The first KILLED attempts each lose their COPY connections; the step's retries (STEP_RETRY_*) take it from there.
    const KILLED = 3;
    const retriesOf = (run: Run) =>
      run.events.filter(
        (e) => e.step === 'stage' && /^attempt \d+ of \d+ failed \(.+\); trying again in [\d.]+ s$/.test(e.message),
      );
    const killed = new Set<number>();
    const during: { oid: number; rows: string }[] = [];
    for (;;) {
      const { body: run } = await api<Run>('GET', `/v1/runs/${runId}`);
      if (run.status === 'failed' || run.status === 'succeeded' || retriesOf(run).length >= KILLED) break;
      const copying = await query<{ pid: number }>(
        `select a.pid from pg_stat_progress_copy p join pg_stat_activity a using (pid)
          where p.bytes_processed > 0 and position($1 in a.query) > 0`,
        [`${loaded.dataset}__load_`],
      );
      for (const { pid } of copying) {
        if (killed.has(pid)) continue;
        await query('select pg_terminate_backend($1)', [pid]);
        killed.add(pid);
      }
      if (copying.length) during.push((await published())[0]);
      await new Promise((r) => setTimeout(r, 20));
    }

    const run = await waitForRun(runId);
    expect(killed.size).toBeGreaterThanOrEqual(KILLED);
    // While attempts were being killed, readers saw the table as it was.
    expect(during.length).toBeGreaterThanOrEqual(KILLED);
    for (const seen of during) expect(seen).toEqual(before);
    expect(run.status).toBe('succeeded');
    const retries = retriesOf(run);
    expect(retries.length).toBeGreaterThanOrEqual(KILLED);
    expect(retries[0].message).toContain(`the warehouse connection was cut while staging "${loaded.dataset}"`);
    const [after] = await published();
    expect(after.rows).toBe(String(ROWS));
    const orphans = await query(
      `select tablename from pg_tables where schemaname = 'staging' and position($1 in tablename) = 1`,
      [`${loaded.dataset}__load_`],
    );
    expect(orphans).toEqual([]);
  });
});

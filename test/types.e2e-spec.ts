import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ColumnDecision, Dataset, DatasetVersion, Run } from '@relayboard/contracts';
import { api, fixtureUrl, query, uniqueName, waitForRun } from './helpers';

// Every file of the corpus is registered over REST and run, all at once; the runs queue behind the worker.
jest.setTimeout(600_000);

interface ExpectedColumn {
  name: string;
  type: string;
  nulls: number;
  markers?: Record<string, number>;
  dateFormat?: string;
  numberFormat?: { decimal: string; thousands: string };
  note?: string;
}

const CORPUS = path.join(__dirname, 'fixtures', 'types');
const expected = JSON.parse(readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as {
  files: Record<string, ExpectedColumn[]>;
};
const SQL_TYPES: Record<string, string> = {
  bigint: 'bigint',
  numeric: 'numeric',
  date: 'date',
  timestamp: 'timestamp without time zone',
  text: 'text',
  boolean: 'boolean',
};

const loads = new Map<string, { dataset: string; run: Promise<Run> }>();

beforeAll(async () => {
  for (const file of Object.keys(expected.files)) {
    const dataset = uniqueName(`types_${file.replace(/\.csv$/, '').slice(0, 20)}`);
    const registered = await api('POST', '/v1/datasets/csv', { name: dataset, csvUrl: fixtureUrl(`types/${file}`) });
    if (registered.status !== 201) throw new Error(`registering ${file}: ${JSON.stringify(registered.body)}`);
    const started = await api('POST', '/v1/pipelines/run', { datasetName: dataset });
    const run = waitForRun(started.body.runId as string, 540_000);
    run.catch(() => undefined);
    loads.set(file, { dataset, run });
  }
});

describe.each(Object.entries(expected.files))('type corpus: %s', (file, columns) => {
  let dataset: string;
  let run: Run;

  beforeAll(async () => {
    const load = loads.get(file)!;
    dataset = load.dataset;
    run = await load.run;
  });

  it('runs to the end with every value cast: markers are NULL, not cast failures', async () => {
    expect({ status: run.status, error: run.error }).toEqual({ status: 'succeeded', error: null });
    const profile = await query<{ column_name: string; cast_failures: string; null_count: string }>(
      `select column_name, cast_failures::text, null_count::text from warehouse."${dataset}__profile" order by position`,
    );
    expect(profile).toEqual(
      columns.map((c) => ({ column_name: c.name, cast_failures: '0', null_count: String(c.nulls) })),
    );
  });

  it('gives the warehouse table the expected types and NULL counts', async () => {
    const types = await query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_schema = 'warehouse' and table_name = $1 and column_name <> '_rb_row' order by ordinal_position`,
      [dataset],
    );
    expect(types).toEqual(columns.map((c) => ({ column_name: c.name, data_type: SQL_TYPES[c.type] })));
    const counts = await query<Record<string, string>>(
      `select ${columns.map((c, i) => `count(*) filter (where "${c.name}" is null)::text as c${i}`).join(', ')} from warehouse."${dataset}"`,
    );
    expect(columns.map((_, i) => Number(counts[0][`c${i}`]))).toEqual(columns.map((c) => c.nulls));
  });

  it('records each decision on the version, as the api shows it for the dataset and its versions', async () => {
    const shown = await api<Dataset>('GET', `/v1/datasets/${dataset}`);
    const versions = await api<{ versions: DatasetVersion[] }>('GET', `/v1/datasets/${dataset}/versions`);
    expect(versions.body.versions[0].columns).toEqual(shown.body.currentVersion!.columns);
    const decisions = shown.body.currentVersion!.columns!.map((c) => c.decision as ColumnDecision);
    const wanted = columns.map((c) => ({
      nullMarkers: Object.entries(c.markers ?? {}).map(([marker, count]) => ({ marker, count })),
      dateFormat: c.dateFormat ?? null,
      numberFormat: c.numberFormat ?? null,
      source: 'inferred',
      note: c.note ? expect.stringContaining(c.note) : null,
    }));
    expect(decisions).toEqual(wanted);
  });

  it('keeps the raw text in staging, markers and all', async () => {
    for (const c of columns.filter((col) => col.markers)) {
      for (const [marker, count] of Object.entries(c.markers!)) {
        const [row] = await query<{ n: string }>(
          `select count(*)::text as n from staging."${dataset}" where btrim("${c.name}") = $1`,
          [marker],
        );
        expect({ column: c.name, marker, count: Number(row.n) }).toEqual({ column: c.name, marker, count });
      }
    }
  });

  it("says in the stage step's events what it decided", async () => {
    const notable = columns.filter((c) => c.markers || c.dateFormat || c.numberFormat || c.note);
    const events = await query<{ message: string }>(
      `select message from relayboard.run_events where run_id = $1 and step = 'stage'`,
      [run.id],
    );
    const typing = events.map((e) => e.message).filter((m) => m.startsWith('typed ') || m.startsWith('kept '));
    if (!notable.length) {
      expect(typing).toEqual([]);
      return;
    }
    expect(typing).toHaveLength(1);
    for (const c of notable) expect(typing[0]).toContain(`${c.name} ${c.type}`);
    for (const c of columns.filter((col) => col.markers))
      for (const [marker, count] of Object.entries(c.markers!))
        expect(typing[0]).toContain(`${JSON.stringify(marker)} read as NULL ${count} time`);
  });
});

describe('type corpus: values after the rewriting', () => {
  it('reads decimal commas, thousands separators, day-first, month-first and 12-hour values as a person would', async () => {
    const excel = loads.get('excel_semicolon.csv')!;
    await excel.run;
    expect(
      await query(
        `select preis::text, menge::text, umsatz::text, datum::text, anteil::text from warehouse."${excel.dataset}" order by _rb_row`,
      ),
    ).toEqual([
      { preis: '1234.50', menge: '12', umsatz: '14814.00', datum: '2024-12-31', anteil: '0.5' },
      { preis: '0.99', menge: '1200', umsatz: '1188.00', datum: '2025-01-01', anteil: '12.25' },
      { preis: null, menge: '3', umsatz: null, datum: '2025-01-15', anteil: null },
      { preis: '12', menge: null, umsatz: null, datum: '2025-02-28', anteil: '100' },
    ]);
    const dates = loads.get('mixed_dates.csv')!;
    await dates.run;
    expect(
      await query(
        `select slash_ymd::text, dotted_ymd_time::text, us_12h::text, mixed from warehouse."${dates.dataset}" order by _rb_row`,
      ),
    ).toEqual([
      {
        slash_ymd: '2015-01-01',
        dotted_ymd_time: '2015-01-01 01:00:00',
        us_12h: '2024-01-05 21:30:00',
        mixed: '2015-01-01',
      },
      {
        slash_ymd: '2015-12-31',
        dotted_ymd_time: '2015-12-31 23:59:00',
        us_12h: '2024-12-31 00:00:00',
        mixed: '01/06/2015',
      },
      { slash_ymd: null, dotted_ymd_time: '2015-06-07 07:05:00', us_12h: '2024-02-29 13:00:00', mixed: '2015-01-03' },
      { slash_ymd: null, dotted_ymd_time: null, us_12h: null, mixed: '2015-01-04' },
    ]);
    for (const [file, expectedDays] of [
      ['day_first.csv', ['2024-06-05', '2024-06-25', '2024-02-01', '2024-12-31']],
      ['month_first.csv', ['2024-05-06', '2024-06-25', '2024-01-02', '2024-12-31']],
    ] as const) {
      const load = loads.get(file)!;
      await load.run;
      const days = await query<{ day: string }>(`select day::text from warehouse."${load.dataset}" order by _rb_row`);
      expect(days.map((d) => d.day)).toEqual(expectedDays);
    }
    const none = loads.get('none_value.csv')!;
    await none.run;
    expect(await query(`select damage, cost::text, state from warehouse."${none.dataset}" order by _rb_row`)).toEqual([
      { damage: 'None', cost: '1500', state: 'NA' },
      { damage: 'Minor', cost: null, state: 'CA' },
      { damage: 'Major', cost: '250', state: 'NV' },
      { damage: 'None', cost: null, state: 'NA' },
    ]);
  });
});

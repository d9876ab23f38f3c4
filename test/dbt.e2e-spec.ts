import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import path from 'node:path';
import type { Check, DatasetLineage, Run, RunStep } from '@relayboard/contracts';
import {
  api,
  authHeaders,
  fixtureUrl,
  query,
  transformWithColumns,
  uniqueName,
  waitForRun,
  peoplesModels,
} from './helpers';
import { testStack } from './stack-env';

const { write: writeModel, remove: removeModel, removeAll: removeAllModels } = peoplesModels();

afterAll(() => {
  removeAllModels();
});

async function register(name: string, fixture: string): Promise<void> {
  const { status, body } = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl(fixture) });
  expect({ status, body }).toMatchObject({ status: 201 });
}

async function trigger(name: string, options: { force?: boolean } = {}): Promise<string> {
  const { status, body } = await api('POST', '/v1/pipelines/run', { datasetName: name, ...options });
  expect(status).toBe(202);
  return body.runId as string;
}

const run = async (name: string) => waitForRun(await trigger(name));
const step = (r: Run, name: RunStep['name']) => r.steps.find((s) => s.name === name)!;
const time = (iso: string | null) => Date.parse(iso!);

/** Sets column types on the dataset's current version, then runs the pipeline from transform on. */
const transformWithTypes = (name: string, types: Record<string, string>): Promise<Run> =>
  transformWithColumns(name, (columns) => columns.map((c) => ({ ...c, type: types[c.name] ?? c.type })));

describe('the warehouse built by dbt', () => {
  const dataset = uniqueName('casts');
  const types = {
    id: 'bigint',
    amount: 'numeric',
    ordered_on: 'date',
    paid: 'boolean',
    ref: 'uuid',
    payload: 'json',
    at: 'timestamptz',
    status: 'text',
  };
  let typed: Run;

  beforeAll(async () => {
    await register(dataset, 'dbt-casts.csv');
    const first = await run(dataset);
    expect(first.error).toBeNull();
    typed = await transformWithTypes(dataset, types);
  });

  it('gives warehouse columns the stored types, and makes values that do not cast NULL', async () => {
    expect(typed.error).toBeNull();
    for (const relation of [dataset, `stg_${dataset}`]) {
      const columns = await query(
        `select column_name, data_type from information_schema.columns where table_schema = 'warehouse' and table_name = $1 order by ordinal_position`,
        [relation],
      );
      expect(columns).toEqual([
        { column_name: '_rb_row', data_type: 'bigint' },
        { column_name: 'id', data_type: 'bigint' },
        { column_name: 'amount', data_type: 'numeric' },
        { column_name: 'ordered_on', data_type: 'date' },
        { column_name: 'paid', data_type: 'boolean' },
        { column_name: 'ref', data_type: 'uuid' },
        // json lands as jsonb, which has equality (distinct counts, unique checks).
        { column_name: 'payload', data_type: 'jsonb' },
        { column_name: 'at', data_type: 'timestamp with time zone' },
        { column_name: 'status', data_type: 'text' },
      ]);
    }
    const rows = await query(
      `select id, amount::text as amount, ordered_on::text as ordered_on, paid, ref, payload, at, status from warehouse."${dataset}" order by _rb_row`,
    );
    expect(rows).toEqual([
      {
        id: '1',
        amount: '10.50',
        ordered_on: '2024-01-02',
        paid: true,
        ref: '6f1c2b9e-8a61-4c1b-9b1e-1f2d3c4b5a69',
        payload: { a: 1 },
        at: new Date('2024-01-02T10:00:00Z'),
        status: 'placed',
      },
      { id: '2', amount: null, ordered_on: null, paid: true, ref: null, payload: null, at: null, status: 'shipped' },
      {
        id: null,
        amount: null,
        ordered_on: '2024-02-29',
        paid: null,
        ref: '6f1c2b9e-8a61-4c1b-9b1e-1f2d3c4b5a60',
        payload: [1],
        at: new Date('2024-01-02T22:00:00Z'),
        status: 'returned',
      },
      { id: '4', amount: '7', ordered_on: null, paid: false, ref: null, payload: null, at: null, status: 'placed' },
    ]);
  });

  it('counts the values that did not cast, in total and per column', async () => {
    const perColumn = { id: 1, amount: 1, ordered_on: 1, paid: 1, ref: 1, payload: 1, at: 1 };
    expect(step(typed, 'transform').metrics).toMatchObject({ castFailures: 7, models: 3 });
    const event = typed.events.find((e) => e.data && 'castFailures' in e.data);
    expect(event?.data?.castFailures).toEqual(perColumn);
    expect(event?.message).toContain(
      `7 value(s) did not cast to their column's type and are NULL in warehouse.${dataset}`,
    );
    const profile = await query<{ column_name: string; cast_failures: string; null_count: string }>(
      `select column_name, cast_failures, null_count from warehouse."${dataset}__profile" order by position`,
    );
    expect(Object.fromEntries(profile.map((p) => [p.column_name, Number(p.cast_failures)]))).toEqual({
      ...perColumn,
      status: 0,
    });
    // An empty field is a missing value, not a failed cast: amount is NULL on rows 2 (abc) and 3 (empty).
    expect(profile.find((p) => p.column_name === 'amount')?.null_count).toBe('2');
  });

  it('profiles each column for the digest: nulls, distinct values, number and date ranges', async () => {
    const [amount] = await query(`select * from warehouse."${dataset}__profile" where column_name = 'amount'`);
    expect(amount).toMatchObject({
      column_type: 'numeric',
      row_count: '4',
      distinct_count: '2',
      min_number: '7',
      max_number: '10.50',
      min_date: null,
    });
    expect(Number(amount.avg_number)).toBeCloseTo(8.75);
    const [orderedOn] = await query(`select * from warehouse."${dataset}__profile" where column_name = 'ordered_on'`);
    expect(orderedOn).toMatchObject({
      null_count: '2',
      min_date: '2024-01-02',
      max_date: '2024-02-29',
      min_number: null,
    });
    // Distinct counts of every type (relayboard_distinct_count): sorts of the values, of their hashes
    // (numeric, json, text), and for the boolean whether any value is true and any false.
    const distinct = await query<{ column_name: string; distinct_count: string }>(
      `select column_name, distinct_count::text from warehouse."${dataset}__profile" order by position`,
    );
    expect(Object.fromEntries(distinct.map((d) => [d.column_name, Number(d.distinct_count)]))).toEqual({
      id: 3,
      amount: 2,
      ordered_on: 2,
      paid: 2,
      ref: 2,
      payload: 2,
      at: 2,
      status: 3,
    });
  });

  it("rebuilds a person's model in models/marts that refs the dataset, reusing dbt's last parse", async () => {
    writeModel(`${dataset}_totals`, `select count(*) as orders, sum(amount) as total from {{ ref('${dataset}') }}\n`);
    const again = await transformWithTypes(dataset, types);
    expect(again.error).toBeNull();
    expect(again.nodes).toContainEqual(
      expect.objectContaining({ name: `${dataset}_totals`, kind: 'model', status: 'success', rowsAffected: 1 }),
    );
    // sum() over the numeric column: the model sees the cast types.
    expect(await query(`select orders, total::text as total from warehouse."${dataset}_totals"`)).toEqual([
      { orders: '4', total: '17.50' },
    ]);
    expect(step(again, 'transform').metrics).toMatchObject({ parse: 'partial', models: 4 });
    expect(again.events.some((e) => /^dbt parsed the project partially/.test(e.message))).toBe(true);
  });

  it("shows the dataset's lineage from dbt's manifest, people's models included", async () => {
    const { status, body } = await api<DatasetLineage>('GET', `/v1/datasets/${dataset}/lineage`);
    expect(status).toBe(200);
    const byName = (name: string, role: string) => body.nodes.find((n) => n.name === name && n.role === role);
    const source = byName(dataset, 'source')!;
    const staging = byName(`stg_${dataset}`, 'staging')!;
    const table = byName(dataset, 'table')!;
    const totals = byName(`${dataset}_totals`, 'model')!;
    expect(source).toMatchObject({ kind: 'source', relation: `staging.${dataset}`, dataset });
    expect(staging).toMatchObject({ relation: `warehouse.stg_${dataset}`, materialized: 'view', status: 'success' });
    expect(table).toMatchObject({ relation: `warehouse.${dataset}`, materialized: 'table', status: 'success' });
    expect(byName(`${dataset}__profile`, 'profile')).toMatchObject({ relation: `warehouse.${dataset}__profile` });
    expect(totals).toMatchObject({ dataset: null, path: `models/marts/${dataset}_totals.sql`, status: 'success' });
    expect(body.nodes.filter((n) => n.kind === 'test').length).toBe(2);
    expect(body.edges).toEqual(
      expect.arrayContaining([
        { from: source.id, to: staging.id },
        { from: staging.id, to: table.id },
        { from: table.id, to: totals.id },
      ]),
    );
    expect(body.runId).toBeTruthy();
  });

  it('runs by hand with the same settings (./relayboard dbt, which `pnpm dbt` calls)', () => {
    const result = spawnSync(
      process.execPath,
      [
        path.join(__dirname, '..', 'packages', 'devstack', 'dist', 'dbt-cli.js'),
        '--quiet',
        'ls',
        '--select',
        `source:staging.${dataset}+`,
        '--resource-type',
        'model',
        '--output',
        'name',
      ],
      {
        env: { ...process.env, DATABASE_URL: testStack().databaseUrl, DBT_PROJECT_DIR: testStack().dbtProjectDir },
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n').sort()).toEqual(
      [dataset, `${dataset}__profile`, `${dataset}_totals`, `stg_${dataset}`].sort(),
    );
    expect(result.status).toBe(0);
  });
});

describe('plain casts where the stage step saw every value fit', () => {
  const fits = uniqueName('plain_fits');
  const overflow = uniqueName('plain_overflow');
  const viewOf = async (name: string) =>
    (await query<{ def: string }>(`select pg_get_viewdef('warehouse."stg_${name}"'::regclass) as def`))[0].def;

  it('casts each typed column with a plain ::type, from the types the stage step verified', async () => {
    await register(fits, 'plain-casts.csv');
    const done = await run(fits);
    expect(done.error).toBeNull();
    const { body: dataset } = await api('GET', `/v1/datasets/${fits}`);
    expect(
      dataset.currentVersion.columns.map((c: { name: string; type: string; verifiedType?: string }) => [
        c.name,
        c.type,
        c.verifiedType ?? null,
      ]),
    ).toEqual([
      ['id', 'bigint', 'bigint'],
      ['amount', 'numeric', 'numeric'],
      ['payload', 'json', 'json'],
      ['at', 'timestamptz', 'timestamptz'],
    ]);
    // Only amount had a value with spaces around it (` 7 `): the other casts leave out btrim, which would change nothing.
    expect(dataset.currentVersion.columns.map((c: { verifiedTrimmed?: boolean }) => c.verifiedTrimmed ?? null)).toEqual(
      [true, null, true, true],
    );
    const def = await viewOf(fits);
    expect(def).not.toContain('pg_input_is_valid');
    expect(def).toContain("(NULLIF(btrim(source.amount), ''::text))::numeric");
    expect(def).toContain("(NULLIF(source.id, ''::text))::bigint");
    expect(def).toContain("(NULLIF(source.at, ''::text))::timestamp with time zone");
    const rows = await query(
      `select id, amount::text as amount, payload, at from warehouse."${fits}" order by _rb_row`,
    );
    expect(rows).toEqual([
      { id: '1', amount: '10.5', payload: { a: 1 }, at: new Date('2024-01-02T10:00:00Z') },
      // Spaces around a value are ignored and a blank value is NULL, as with the checked casts.
      { id: '2', amount: '7', payload: { b: [2] }, at: new Date('2024-01-02T22:00:00Z') },
      { id: '3', amount: null, payload: [1], at: null },
    ]);
    expect(step(done, 'transform').metrics).toMatchObject({ castFailures: 0 });
    // Distinct counts: exact for bigint and timestamptz, by 64-bit hashes for numeric and json (relayboard_distinct_count).
    const profile = await query<{ column_name: string; distinct_count: string; null_count: string }>(
      `select column_name, distinct_count::text, null_count::text from warehouse."${fits}__profile" order by position`,
    );
    expect(profile).toEqual([
      { column_name: 'id', distinct_count: '3', null_count: '0' },
      { column_name: 'amount', distinct_count: '2', null_count: '1' },
      { column_name: 'payload', distinct_count: '3', null_count: '0' },
      { column_name: 'at', distinct_count: '2', null_count: '1' },
    ]);
    // Runs one after another: the build ran in the dbt the worker started ahead of it (DBT_WARM_START).
    const parsed = done.events.find((e) => e.data && 'warmStart' in e.data);
    expect(parsed?.data?.warmStart).toBe(true);
    expect(parsed?.message).toContain('dbt was started ahead of the build');
  });

  it('builds again with checked casts when a value the inference let through does not cast, and counts it', async () => {
    // JSON.parse reads 1e1000000 as Infinity, so the stage step types the column json; jsonb refuses the number.
    await register(overflow, 'plain-casts-overflow.csv');
    const done = await run(overflow);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    const fallback = done.events.find((e) => e.data && e.data.checkedCasts === true);
    expect(fallback).toMatchObject({ level: 'warn', step: 'transform' });
    expect(fallback!.message).toContain('value overflows numeric format');
    expect(fallback!.message).toContain('building again with every cast checked');
    expect(await viewOf(overflow)).toContain('pg_input_is_valid');
    const payloads = await query<{ payload: unknown }>(`select payload from warehouse."${overflow}" order by _rb_row`);
    expect(payloads.map((p) => p.payload)).toEqual([{ a: 1 }, null, [1]]);
    expect(step(done, 'transform').metrics).toMatchObject({ castFailures: 1 });
    // The next run starts from plain casts again (the fallback is the run's, not the dataset's) and falls back again.
    const again = await waitForRun(await trigger(overflow, { force: true }));
    expect(again.status).toBe('succeeded');
    expect(again.events.filter((e) => e.data && e.data.checkedCasts === true)).toHaveLength(1);
  });
});

describe('data-quality checks declared over REST', () => {
  const dataset = uniqueName('checked');
  const checks: Record<string, Check> = {};

  beforeAll(async () => {
    await register(dataset, 'people.csv');
  });

  it('accepts checks before the first run, when the columns are not known yet', async () => {
    const declare = async (body: object) => {
      const res = await api<Check>('POST', `/v1/datasets/${dataset}/checks`, body);
      expect(res.status).toBe(201);
      return res.body;
    };
    checks.notNull = await declare({ kind: 'not_null', column: 'note' });
    checks.accepted = await declare({
      kind: 'accepted_values',
      column: 'city',
      values: ['London', 'New York', 'Paris'],
      severity: 'warn',
    });
    checks.rowCount = await declare({ kind: 'row_count', min: 2, max: 10 });
    checks.unique = await declare({ kind: 'unique', column: 'id' });
    expect(checks.notNull).toMatchObject({
      name: `${dataset}__not_null_note`,
      kind: 'not_null',
      column: 'note',
      severity: 'error',
      dataset,
      lastResult: null,
    });
    expect(checks.accepted).toMatchObject({ values: ['London', 'New York', 'Paris'], severity: 'warn' });
    expect(checks.rowCount).toMatchObject({ name: `${dataset}__row_count`, column: null, min: 2, max: 10 });

    const duplicate = await api('POST', `/v1/datasets/${dataset}/checks`, { kind: 'not_null', column: 'note' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'check_exists' });
    expect(duplicate.body.error.message).toContain(checks.notNull.id);
    const noBounds = await api('POST', `/v1/datasets/${dataset}/checks`, { kind: 'row_count' });
    expect(noBounds.status).toBe(400);
    expect(noBounds.body.error.message).toContain('give min, max or both');
    const unknownKind = await api('POST', `/v1/datasets/${dataset}/checks`, { kind: 'positive', column: 'id' });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.error.message).toContain(
      'kind must be one of not_null, unique, accepted_values, relationships, row_count',
    );
    const noDataset = await api('POST', '/v1/datasets/no_such_dataset/checks', { kind: 'unique', column: 'id' });
    expect(noDataset.status).toBe(404);
  });

  it('fails the run with each failing check as a failed test: its name and failing rows', async () => {
    const r = await run(dataset);
    expect(r.status).toBe('failed');
    expect(r.error).toBe(
      `transform: dbt build failed: test ${dataset}__not_null_note failed with 1 failing row(s): Got 1 result, configured to fail if != 0`,
    );
    const nodes = r.nodes ?? [];
    expect(nodes.find((n) => n.name === `${dataset}__not_null_note`)).toMatchObject({
      kind: 'test',
      status: 'fail',
      failures: 1,
      checkId: checks.notNull.id,
    });
    expect(nodes.find((n) => n.name === `${dataset}__accepted_values_city`)).toMatchObject({
      status: 'warn',
      failures: 1,
      checkId: checks.accepted.id,
    });
    expect(nodes.find((n) => n.name === `${dataset}__row_count`)).toMatchObject({ status: 'pass', failures: 0 });
    expect(nodes.find((n) => n.name === `${dataset}__unique_id`)).toMatchObject({ status: 'pass' });
    expect(step(r, 'transform').metrics).toMatchObject({ testsFailed: 1, testsWarned: 1 });
    // The table was built before its tests ran; its previous content is what a failing check guards people's models from.
    expect(await query(`select count(*)::int as n from warehouse."${dataset}"`)).toEqual([{ n: 4 }]);

    const listed = await api<{ checks: Check[] }>('GET', `/v1/datasets/${dataset}/checks`);
    expect(listed.status).toBe(200);
    expect(listed.body.checks.find((c) => c.id === checks.notNull.id)?.lastResult).toMatchObject({
      runId: r.id,
      status: 'fail',
      failures: 1,
    });
  });

  it('validates checks against the columns once a run has staged the dataset', async () => {
    const unknown = await api('POST', `/v1/datasets/${dataset}/checks`, { kind: 'unique', column: 'nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      `column: dataset "${dataset}" has no column "nope"; its columns are id, full_name, city, note`,
    );
    const target = await api('POST', `/v1/datasets/${dataset}/checks`, {
      kind: 'relationships',
      column: 'id',
      toDataset: 'no_such_dataset',
      toColumn: 'id',
    });
    expect(target.status).toBe(400);
    expect(target.body.error.message).toContain('toDataset: no dataset named "no_such_dataset"');
  });

  it('deletes a check, and the next run goes without it', async () => {
    const deleted = await fetch(`${testStack().apiUrl}/v1/datasets/${dataset}/checks/${checks.notNull.id}`, {
      method: 'DELETE',
      headers: authHeaders(),
    });
    expect(deleted.status).toBe(204);
    const again = await api('DELETE', `/v1/datasets/${dataset}/checks/${checks.notNull.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('check_not_found');
    const listed = await api<{ checks: Check[] }>('GET', `/v1/datasets/${dataset}/checks`);
    expect(listed.body.checks.map((c) => c.name).sort()).toEqual([
      `${dataset}__accepted_values_city`,
      `${dataset}__row_count`,
      `${dataset}__unique_id`,
    ]);

    const r = await run(dataset);
    expect(r.error).toBeNull();
    expect(r.nodes?.some((n) => n.name === `${dataset}__not_null_note`)).toBe(false);
    const lineage = await api<DatasetLineage>('GET', `/v1/datasets/${dataset}/lineage`);
    expect(
      lineage.body.nodes
        .filter((n) => n.role === 'check')
        .map((n) => n.checkId)
        .sort(),
    ).toEqual([checks.accepted.id, checks.rowCount.id, checks.unique.id].sort());
  });

  it('has no lineage before the first build', async () => {
    const fresh = uniqueName('unbuilt');
    await register(fresh, 'people.csv');
    const { status, body } = await api('GET', `/v1/datasets/${fresh}/lineage`);
    expect(status).toBe(200);
    expect(body).toEqual({ dataset: fresh, runId: null, builtAt: null, nodes: [], edges: [] });
    expect((await api('GET', '/v1/datasets/no_such_dataset/lineage')).status).toBe(404);
  });
});

describe('a broken model', () => {
  const dataset = uniqueName('broken');
  const mart = `${dataset}_cities`;

  beforeAll(async () => {
    await register(dataset, 'people.csv');
    // Written before the dataset's first run, so it needs the guard the marts example uses.
    writeModel(
      mart,
      `{{ config(enabled=relayboard_dataset_exists('${dataset}')) }}\nselect city, count(*) as people from {{ ref('${dataset}') }} group by city\n`,
    );
    const first = await run(dataset);
    expect(first.error).toBeNull();
    expect(await query(`select count(*)::int as n from warehouse."${mart}"`)).toEqual([{ n: 4 }]);
  });

  afterAll(() => removeModel(mart));

  it("fails the run with dbt's message, and the previous table still answers", async () => {
    writeModel(mart, `select city, no_such_column from {{ ref('${dataset}') }}\n`);
    const r = await run(dataset);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(
      new RegExp(
        `^transform: dbt build failed: model ${mart} errored: Database Error in model ${mart} \\(models/marts/${mart}\\.sql\\): column "no_such_column" does not exist: LINE \\d+: `,
      ),
    );
    expect(r.nodes?.find((n) => n.name === mart)).toMatchObject({ kind: 'model', status: 'error' });
    // dbt builds a table under a temporary name and swaps it in: the old one was never touched.
    expect(await query(`select count(*)::int as n, sum(people)::int as people from warehouse."${mart}"`)).toEqual([
      { n: 4, people: 4 },
    ]);
    expect(await query(`select count(*)::int as n from warehouse."${dataset}"`)).toEqual([{ n: 4 }]);
  });

  it("fails a run that dbt cannot even compile with dbt's error, not an exit code", async () => {
    writeModel(mart, `select {{ oops( }} from {{ ref('${dataset}') }}\n`);
    const r = await run(dataset);
    removeModel(mart);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(
      new RegExp(
        `^transform: dbt build failed: Compilation Error in model ${mart} \\(models/marts/${mart}.sql\\): unexpected '}'`,
      ),
    );
    expect(r.nodes).toEqual([]);
    expect(await query(`select count(*)::int as n from warehouse."${mart}"`)).toEqual([{ n: 4 }]);
  });
});

describe('runs at the same time', () => {
  const a = uniqueName('turns_a');
  const b = uniqueName('turns_b');
  // a's build waits on this advisory lock, which the test holds: a run of a stays in its build
  // for as long as the test needs, however busy the machine or the worker's other slot is.
  const hold = 700_000_000 + Math.floor(Math.random() * 1_000_000);
  const holder = new Client({ connectionString: testStack().databaseUrl });

  beforeAll(async () => {
    await register(a, 'people.csv');
    await register(b, 'people.csv');
    writeModel(
      `${a}_held`,
      `select count(*) as people from {{ ref('${a}') }} cross join (select pg_advisory_xact_lock(${hold})) as held\n`,
    );
    // First runs with the lock free; they also leave the worker a manifest that knows the held
    // model, so the test's builds are planned from it: b's build does not touch a's models and need not wait for them.
    // One after the other: b's build parses people's models, and a's held model refs a, which must be staged first.
    const firsts = [await run(a), await run(b)];
    expect(firsts.map((r) => r.error)).toEqual([null, null]);
    await holder.connect();
  });

  afterAll(async () => {
    removeModel(`${a}_held`);
    await holder.end();
  });

  /** Polls a run until `match` holds (the run's events and steps as GET /v1/runs/:id has them). */
  async function waitUntil(id: string, what: string, match: (r: Run) => boolean): Promise<Run> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { body } = await api<Run>('GET', `/v1/runs/${id}`);
      if (match(body)) return body;
      if (Date.now() > deadline) {
        const others = await query(
          `select r.id, d.name, r.status, (select json_agg(e.message order by e.id) from relayboard.run_events e where e.run_id = r.id) as events from relayboard.runs r join relayboard.datasets d on d.id = r.dataset_id where d.name in ($1, $2) order by r.created_at`,
          [a, b],
        );
        throw new Error(
          `run ${id} never ${what}: ${JSON.stringify(body.events.map((e) => e.message))}; runs of ${a} and ${b}: ${JSON.stringify(others)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it("overlap across datasets without sharing dbt's files, and take turns within one", async () => {
    await holder.query('select pg_advisory_lock($1)', [hold]);
    let released = false;
    const release = async () => {
      if (!released) await holder.query('select pg_advisory_unlock($1)', [hold]);
      released = true;
    };
    try {
      const a1Id = await trigger(a);
      // a1 is inside its build once its session waits on the held lock.
      const deadline = Date.now() + 120_000;
      while (
        (await query(`select 1 from pg_locks where locktype = 'advisory' and objid = $1 and not granted`, [hold]))
          .length === 0
      ) {
        if (Date.now() > deadline)
          throw new Error(
            `run ${a1Id} never reached its held model: ${JSON.stringify((await api<Run>('GET', `/v1/runs/${a1Id}`)).body.status)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const b1Id = await trigger(b);
      // A second run of a while the first is running (force: a queued run would otherwise be answered instead).
      const a2Id = await trigger(a, { force: true });
      expect(a2Id).not.toBe(a1Id);
      const waiting = `waiting for run ${a1Id} of ${a} to finish: runs of one dataset take turns; this run waits in the queue without holding a worker slot`;
      const a2Waiting = await waitUntil(a2Id, 'said it waits for the first run', (r) =>
        r.events.some((e) => e.message === waiting),
      );
      expect(a2Waiting.status).toBe('queued');
      // b's run builds while a's build is still held.
      const b1 = await waitForRun(b1Id);
      expect(b1.error).toBeNull();
      await release();
      const [a1, a2] = await Promise.all([waitForRun(a1Id), waitForRun(a2Id)]);
      expect([a1, a2].map((r) => r.error)).toEqual([null, null]);

      const [ta, tb] = [step(a1, 'transform'), step(b1, 'transform')];
      expect(time(ta.startedAt) < time(tb.finishedAt) && time(tb.startedAt) < time(ta.finishedAt)).toBe(true);

      const buildLine = (r: Run) => r.events.find((e) => e.message.startsWith('dbt build --select'))!.message;
      expect(buildLine(a1)).toContain(`/runs/${a1.id}/target`);
      expect(buildLine(a1)).toContain(`/runs/${a1.id}/logs`);
      expect(buildLine(b1)).toContain(`/runs/${b1.id}/target`);
      for (const [r, own, other] of [
        [a1, a, b],
        [b1, b, a],
      ] as const) {
        expect(r.nodes?.length).toBeGreaterThan(0);
        expect(r.nodes?.every((n) => n.uniqueId.includes(own) && !n.uniqueId.includes(other))).toBe(true);
      }
      expect(a1.nodes?.some((n) => n.name === `${a}_held`)).toBe(true);
      // The second run of a began only once the first had ended.
      expect(time(step(a2, 'fetch').startedAt)).toBeGreaterThanOrEqual(time(step(a1, 'deliver').finishedAt));
    } finally {
      await release();
    }
  });
});

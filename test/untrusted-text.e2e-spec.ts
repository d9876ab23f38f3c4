import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Check, Dataset, Run } from '@relayboard/contracts';
import { api, query, registerAndRun, runDataset, uniqueName, uploadCsv } from './helpers';
import { CANARY_SECRET, testStack } from './stack-env';

/** Jinja tags, raw-block escapes, env_var and run_query, quotes, backslashes, $$, line breaks, long and non-ASCII text. */
const HOSTILE: string[] = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'hostile-strings.json'), 'utf8'));
/** What the corpus's run_query strings would create if dbt ever rendered them. */
const CANARY_TABLES = ['rb_canary_single', 'rb_canary_double', 'rb_canary_statement'];
/** The test stack's S3 secret key (packages/devstack/src/stack.ts CREDENTIALS). */
const S3_SECRET = 'relayboard-secret';

const cell = (value: string) => `"${value.replace(/"/g, '""')}"`;
const step = (r: Run, name: string) => r.steps.find((s) => s.name === name)!;

/** A CSV whose headers are the corpus (after `label` and `tag`), and whose `label` and `tag` columns hold the corpus as values. */
function hostileCsv(): string {
  const header = ['label', 'tag', ...HOSTILE].map(cell).join(',');
  const rows = HOSTILE.map((value, i) =>
    [cell(value), cell(value), ...HOSTILE.map((_, j) => String(i * 100 + j))].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

describe('text from a CSV and from requests reaches dbt as data, never as code', () => {
  const name = uniqueName('hostile');
  const checks: Record<string, Check> = {};
  let run: Run;

  beforeAll(async () => {
    const created = await uploadCsv(name, hostileCsv(), 'hostile.csv');
    expect(created.status).toBe(201);
    const declare = async (body: object) => {
      const res = await api<Check>('POST', `/v1/datasets/${name}/checks`, body);
      expect(res.status).toBe(201);
      return res.body;
    };
    checks.all = await declare({ kind: 'accepted_values', column: 'label', values: HOSTILE });
    // Leaves out two values the column holds, so the check fails on exactly those literal values.
    checks.some = await declare({
      kind: 'accepted_values',
      column: 'tag',
      values: HOSTILE.filter((v) => v !== "O'Brien" && v !== '{{ 7*191 }}'),
      severity: 'warn',
    });
    run = await runDataset(name);
  });

  it('loads and builds the dataset', () => {
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
  });

  it('gives back every header verbatim from the api and in the profile table', async () => {
    const expected = ['label', 'tag', ...HOSTILE];
    const { body } = await api<Dataset>('GET', `/v1/datasets/${name}`);
    expect(body.currentVersion?.columns?.map((c) => c.originalName)).toEqual(expected);
    const profile = await query<{ original_name: string; column_name: string }>(
      `select original_name, column_name from warehouse."${name}__profile" order by position`,
    );
    expect(profile.map((p) => p.original_name)).toEqual(expected);
    expect(profile.map((p) => p.column_name)).toEqual(body.currentVersion?.columns?.map((c) => c.name));
    const values = await query<{ label: string; tag: string }>(
      `select label, tag from warehouse."${name}" order by _rb_row`,
    );
    expect(values.map((v) => v.label)).toEqual(HOSTILE);
    expect(values.map((v) => v.tag)).toEqual(HOSTILE);
  });

  it('checks the literal accepted values: one passes, one fails on exactly the two values it leaves out', async () => {
    const node = (check: Check) => run.nodes?.find((n) => n.checkId === check.id);
    expect(node(checks.all)).toMatchObject({ kind: 'test', status: 'pass', failures: 0 });
    expect(node(checks.some)).toMatchObject({ kind: 'test', status: 'warn', failures: 2 });
    const { body } = await api<{ checks: Check[] }>('GET', `/v1/datasets/${name}/checks`);
    expect(body.checks.find((c) => c.id === checks.all.id)?.values).toEqual(HOSTILE);
  });

  it('runs none of the statements the text holds', async () => {
    const found = await query(`select schemaname, tablename from pg_tables where tablename = any($1)`, [CANARY_TABLES]);
    expect(found).toEqual([]);
  });

  it('lets no secret into any table, run event or log', async () => {
    const texts = [
      JSON.stringify(run),
      ...(await query<{ t: string }>(`select t::text as t from relayboard.run_events t`)).map((r) => r.t),
      ...(await query<{ t: string }>(`select t::text as t from relayboard.run_node_results t`)).map((r) => r.t),
      ...(await query<{ t: string }>(`select t::text as t from relayboard.dataset_versions t`)).map((r) => r.t),
      ...(await query<{ t: string }>(`select t::text as t from warehouse."${name}__profile" t`)).map((r) => r.t),
      ...(await query<{ t: string }>(`select t::text as t from warehouse."${name}" t`)).map((r) => r.t),
      ...(await query<{ t: string }>(`select t::text as t from staging."${name}" t`)).map((r) => r.t),
    ];
    const logDir = path.join(testStack().home, 'logs');
    for (const file of readdirSync(logDir)) texts.push(readFileSync(path.join(logDir, file), 'utf8'));
    const all = texts.join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    expect(all).not.toContain(CANARY_SECRET);
    expect(all).not.toContain(S3_SECRET);
  });

  it('lets another dataset run right after it', async () => {
    const other = await registerAndRun(uniqueName('after_hostile'), 'people.csv');
    expect(other.error).toBeNull();
    expect(step(other, 'transform').status).toBe('succeeded');
  });
});

describe("dbt's environment", () => {
  const name = uniqueName('env');
  const model = path.join(testStack().dbtProjectDir, 'models', 'marts', `${name}_env.sql`);

  afterAll(() => rmSync(model, { force: true }));

  it("holds the warehouse connection and no secret of the worker's", async () => {
    const first = await registerAndRun(name, 'people.csv');
    expect(first.error).toBeNull();
    // A person's model may read the environment; what it can see is what dbt was given.
    writeFileSync(
      model,
      `select '{{ env_var("RELAYBOARD_TEST_CANARY_SECRET", "absent") }}' as canary, '{{ env_var("S3_SECRET_KEY", "absent") }}' as s3,\n` +
        `       '{{ env_var("RELAYBOARD_PGDATABASE", "absent") }}' as pg, count(*) as people from {{ ref('${name}') }}\n`,
    );
    const r = await runDataset(name);
    expect(r.error).toBeNull();
    expect(await query(`select canary, s3, pg, people::int as people from warehouse."${name}_env"`)).toEqual([
      { canary: 'absent', s3: 'absent', pg: 'relayboard', people: 4 },
    ]);
  });
});

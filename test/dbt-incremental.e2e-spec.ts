import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@relayboard/config';
import type { Check, Run, RunStep } from '@relayboard/contracts';
import { api, peoplesModels, query, registerAndRun, runDataset, transformWithColumns, uniqueName } from './helpers';
import { testStack } from './stack-env';

/**
 * Each kind of change reaches the next run's build without a full reparse: the
 * run's project holds only the datasets it needs (apps/worker/src/dbt/run-project.ts),
 * seeded with the last parse of whichever run came before. After each change the
 * same run is made again with no saved parse at all (a full reparse), and both
 * runs' results must be the same.
 */
const { write: writeModel, removeAll: removeAllModels } = peoplesModels();
afterAll(() => removeAllModels());

const transform = (r: Run) => r.steps.find((s) => s.name === 'transform') as RunStep;

/** The worker's machine-wide copy of dbt's partial-parse state (DbtRunner.partialParseCopy). */
function partialParseState(): string {
  const env = testStack().appEnv;
  const config = loadConfig(env);
  const key = createHash('sha256')
    .update(`${config.dbt.projectDir}\n${config.warehouseUrl}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(env.TMPDIR ?? os.tmpdir(), 'relayboard-dbt', 'partial-parse', key, 'partial_parse.msgpack');
}

/** What a run built and tested, in an order that does not depend on timing. */
const results = (r: Run) =>
  (r.nodes ?? [])
    .map((n) => ({ id: n.uniqueId, kind: n.kind, status: n.status, failures: n.failures, rows: n.rowsAffected }))
    .sort((a, b) => a.id.localeCompare(b.id));

const rows = async (relation: string) =>
  (await query<{ n: number }>(`select count(*)::int as n from warehouse."${relation}"`))[0].n;

/**
 * The change's run parsed partially; the same run with no saved parse parses fully
 * and gives the same results and rows.
 */
async function expectSameAsFullReparse(partial: Run, again: () => Promise<Run>, relations: string[]) {
  expect(partial.error).toBeNull();
  expect(transform(partial).metrics.parse).toBe('partial');
  const before = await Promise.all(relations.map(rows));
  rmSync(partialParseState(), { force: true });
  const full = await again();
  expect(full.error).toBeNull();
  expect(transform(full).metrics.parse).toBe('full');
  expect(results(full)).toEqual(results(partial));
  expect(await Promise.all(relations.map(rows))).toEqual(before);
}

describe("a run's dbt build picks up each change without a full reparse", () => {
  const first = uniqueName('inc_first');
  const added = uniqueName('inc_added');

  beforeAll(async () => {
    expect((await registerAndRun(first, 'people.csv')).error).toBeNull();
  });

  it('builds in a project of its own dataset only, whatever else is registered', async () => {
    const r = await runDataset(first);
    expect(r.error).toBeNull();
    const build = r.events.find((e) => e.message.startsWith(`dbt build --select source:staging.${first}+`));
    expect(build?.data).toMatchObject({ runProjectDatasets: [first] });
    expect(results(r).every((n) => n.id.includes(first))).toBe(true);
  });

  it('a dataset added: its first run parses partially, as the whole project would', async () => {
    const r = await registerAndRun(added, 'people.csv');
    expect(results(r).map((n) => n.id)).toEqual(
      expect.arrayContaining([`model.relayboard.${added}`, `model.relayboard.stg_${added}`]),
    );
    await expectSameAsFullReparse(r, () => runDataset(added), [added, `${added}__profile`]);
  });

  it('a schema changed: the next run parses partially', async () => {
    const retype = () =>
      transformWithColumns(first, (columns) => columns.map((c) => (c.name === 'id' ? { ...c, type: 'text' } : c)));
    const r = await retype();
    const [id] = await query<{ data_type: string }>(
      `select data_type from information_schema.columns where table_schema = 'warehouse' and table_name = $1 and column_name = 'id'`,
      [first],
    );
    expect(id.data_type).toBe('text');
    await expectSameAsFullReparse(r, retype, [first, `${first}__profile`]);
  });

  it('a check added: the next run parses partially and runs it', async () => {
    const declared = await api<Check>('POST', `/v1/datasets/${first}/checks`, { kind: 'not_null', column: 'note' });
    expect(declared.status).toBe(201);
    const r = await runDataset(first);
    expect(r.nodes?.find((n) => n.name === `${first}__not_null_note`)).toMatchObject({
      kind: 'test',
      status: 'fail',
      failures: 1,
    });
    // A failing check of severity error fails the run; the comparison is of what dbt did.
    expect(transform(r).metrics.parse).toBe('partial');
    rmSync(partialParseState(), { force: true });
    const full = await runDataset(first);
    expect(transform(full).metrics.parse).toBe('full');
    expect(results(full)).toEqual(results(r));
    await api('DELETE', `/v1/datasets/${first}/checks/${declared.body.id}`);
  });

  it("a person's mart added, then changed: each next run parses partially and builds it", async () => {
    const mart = `${first}_by_city`;
    writeModel(
      mart,
      `{{ config(enabled=relayboard_dataset_exists('${first}')) }}\nselect city, count(*) as n from {{ ref('${first}') }} group by city\n`,
    );
    const r = await runDataset(first);
    expect(r.error).toBeNull();
    expect(transform(r).metrics.parse).toBe('partial');
    expect(r.nodes?.find((n) => n.name === mart)).toMatchObject({ kind: 'model', status: 'success', rowsAffected: 4 });

    writeModel(
      mart,
      `{{ config(enabled=relayboard_dataset_exists('${first}')) }}\nselect city, count(*) as n from {{ ref('${first}') }} where city <> '' group by city\n`,
    );
    const changed = await runDataset(first);
    expect(changed.nodes?.find((n) => n.name === mart)).toMatchObject({ status: 'success', rowsAffected: 3 });
    await expectSameAsFullReparse(changed, () => runDataset(first), [first, mart]);
    // The other dataset's build does not build the mart: it is not downstream of that dataset.
    const other = await runDataset(added);
    expect(other.error).toBeNull();
    expect(transform(other).metrics.parse).toBe('partial');
    expect(other.nodes?.some((n) => n.name === mart)).toBe(false);
  });
});

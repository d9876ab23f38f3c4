import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Check, Dataset, DatasetVersion } from '@relayboard/contracts';
import { api, authHeaders, fixtureUrl, query, runDataset, uniqueName, waitForRun } from './helpers';
import { testStack } from './stack-env';

const folderOf = (name: string) => path.join(testStack().dbtProjectDir, 'models', 'relayboard', name);

/** Every relation in staging and warehouse that belongs to the dataset by name. */
async function relationsOf(name: string): Promise<string[]> {
  const rows = await query<{ relation: string }>(
    `select n.nspname || '.' || c.relname as relation from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('staging', 'warehouse') and c.relkind in ('r', 'v', 'm', 'p')
        and (c.relname = $1 or c.relname = 'stg_' || $1 or starts_with(c.relname, $1 || '__') or starts_with(c.relname, 'stg_' || $1 || '__'))
      order by 1`,
    [name],
  );
  return rows.map((r) => r.relation);
}

async function waitUntil(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('DELETE /v1/datasets/:name', () => {
  const name = uniqueName('doomed');
  let datasetId: string;
  let runIds: string[];
  const mart = path.join(testStack().dbtProjectDir, 'models', 'marts', `${name}_cities.sql`);

  beforeAll(async () => {
    const created = await api<Dataset>('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') });
    expect(created.status).toBe(201);
    datasetId = created.body.id;
    expect(
      (
        await api('POST', `/v1/datasets/${name}/checks`, {
          kind: 'accepted_values',
          column: 'city',
          values: ['London', 'Paris', "O'Hare"],
          severity: 'warn',
        })
      ).status,
    ).toBe(201);
    expect((await api('POST', `/v1/datasets/${name}/checks`, { kind: 'unique', column: 'id' })).status).toBe(201);
    writeFileSync(mart, `select city, count(*) as people from {{ ref('${name}') }} group by city\n`);
    const runs = [await runDataset(name), await runDataset(name)];
    expect(runs.map((r) => r.error)).toEqual([null, null]);
    runIds = runs.map((r) => r.id);
    expect(await relationsOf(name)).toEqual([
      `staging.${name}`,
      `staging.${name}__rejects`,
      `warehouse.${name}`,
      `warehouse.${name}__profile`,
      `warehouse.stg_${name}`,
    ]);
  });

  afterAll(() => rmSync(mart, { force: true }));

  it('answers 404 for an unknown dataset and 400 for a name that breaks the rule', async () => {
    expect((await api('DELETE', '/v1/datasets/no_such_dataset')).body.error.code).toBe('dataset_not_found');
    const bad = await api('DELETE', '/v1/datasets/Bad-Name');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('refuses while a run of the dataset is active', async () => {
    const started = await api('POST', '/v1/pipelines/run', { datasetName: name });
    expect(started.status).toBe(202);
    const refused = await api('DELETE', `/v1/datasets/${name}?force=true`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('dataset_busy');
    expect(refused.body.error.message).toContain(`dataset "${name}" cannot be deleted now`);
    const finished = await waitForRun(started.body.runId);
    expect(finished.error).toBeNull();
    runIds.push(finished.id);
  });

  it("refuses while people's models ref it, naming them, unless forced", async () => {
    const refused = await api('DELETE', `/v1/datasets/${name}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'dataset_has_dependents',
      details: { models: [`models/marts/${name}_cities.sql`] },
    });
    expect(refused.body.error.message).toContain(`relayboard_dataset_exists('${name}')`);
  });

  it('refuses, dropping nothing, while a view of someone else reads its tables', async () => {
    await query(`create view warehouse."${name}_view" as select * from warehouse."${name}"`);
    rmSync(mart, { force: true });
    const refused = await api('DELETE', `/v1/datasets/${name}?force=true`);
    await query(`drop view warehouse."${name}_view"`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('dataset_has_dependents');
    expect(refused.body.error.message).toContain(`${name}_view`);
    expect(await relationsOf(name)).toHaveLength(5);
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(200);
  });

  it('removes every relation, generated file and metadata row of the dataset', async () => {
    expect(existsSync(folderOf(name))).toBe(true);
    const deleted = await fetch(`${testStack().apiUrl}/v1/datasets/${name}?force=true`, {
      method: 'DELETE',
      headers: authHeaders(),
    });
    expect(deleted.status).toBe(204);
    expect(await relationsOf(name)).toEqual([]);
    await waitUntil(`removing ${folderOf(name)}`, () => !existsSync(folderOf(name)));

    const count = async (sql: string, params: unknown[]) =>
      (await query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0].n;
    const leftovers = {
      datasets: await count('relayboard.datasets where id = $1 or name = $2', [datasetId, name]),
      versions: await count('relayboard.dataset_versions where dataset_id = $1', [datasetId]),
      runs: await count('relayboard.runs where dataset_id = $1 or id = any($2)', [datasetId, runIds]),
      steps: await count('relayboard.run_steps where run_id = any($1)', [runIds]),
      events: await count('relayboard.run_events where run_id = any($1)', [runIds]),
      nodes: await count('relayboard.run_node_results where run_id = any($1)', [runIds]),
      deliveries: await count('relayboard.deliveries where run_id = any($1)', [runIds]),
      checks: await count('relayboard.dataset_checks where dataset_id = $1', [datasetId]),
      lineage: await count('relayboard.dataset_lineage where dataset_id = $1', [datasetId]),
      headers: await count('staging._rb_columns where dataset = $1', [name]),
      acceptedValues: await count('staging._rb_check_values where dataset = $1', [name]),
    };
    expect(leftovers).toEqual({
      datasets: 0,
      versions: 0,
      runs: 0,
      steps: 0,
      events: 0,
      nodes: 0,
      deliveries: 0,
      checks: 0,
      lineage: 0,
      headers: 0,
      acceptedValues: 0,
    });
    expect((await api('GET', `/v1/datasets/${name}`)).status).toBe(404);
    expect((await api('GET', `/v1/runs/${runIds[0]}`)).status).toBe(404);
    expect((await api('DELETE', `/v1/datasets/${name}`)).status).toBe(404);
  });

  it('lets a new dataset of the same name start clean', async () => {
    const created = await api<Dataset>('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('dbt-casts.csv') });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe(datasetId);
    expect(
      (await api<{ versions: DatasetVersion[] }>('GET', `/v1/datasets/${name}/versions`)).body.versions,
    ).toHaveLength(1);
    expect((await api<{ checks: Check[] }>('GET', `/v1/datasets/${name}/checks`)).body.checks).toEqual([]);
    expect((await api('GET', `/v1/runs?datasetName=${name}`)).body.runs).toEqual([]);

    const r = await runDataset(name);
    expect(r.error).toBeNull();
    expect(r.nodes?.some((n) => n.kind === 'test' && n.checkId !== null)).toBe(false);
    const staged = (await api<Dataset>('GET', `/v1/datasets/${name}`)).body.currentVersion!.columns!;
    const profile = await query<{ column_name: string; original_name: string }>(
      `select column_name, original_name from warehouse."${name}__profile" order by position`,
    );
    expect(profile).toEqual(staged.map((c) => ({ column_name: c.name, original_name: c.originalName })));
    expect(profile.map((p) => p.column_name)).not.toContain('city');
  });
});

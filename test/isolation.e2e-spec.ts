import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset, Run } from '@relayboard/contracts';
import { api, query, registerAndRun, runDataset, transformWithColumns, uniqueName } from './helpers';
import { testStack } from './stack-env';

const folderOf = (name: string) => path.join(testStack().dbtProjectDir, 'models', 'relayboard', name);
const builds = (r: Run) => r.events.filter((e) => e.message.startsWith('dbt build --select')).length;
const takenOut = (r: Run, name: string) =>
  r.events.find((e) => e.message.startsWith(`dataset ${name} is taken out of the dbt project`));
const dataset = async (name: string) => (await api<Dataset>('GET', `/v1/datasets/${name}`)).body;

describe("one dataset's files never stop another dataset's runs", () => {
  const broken = uniqueName('iso_broken');
  const unsafe = uniqueName('iso_unsafe');
  const other = uniqueName('iso_other');

  beforeAll(async () => {
    for (const name of [broken, unsafe, other]) expect((await registerAndRun(name, 'people.csv')).error).toBeNull();
  });

  it("never parses another dataset's files: one broken in the project does not touch another dataset's run", async () => {
    const file = path.join(folderOf(broken), `stg_${broken}.sql`);
    // Broken on purpose, behind the generator's back: the worker does not rewrite another dataset's current files.
    appendFileSync(file, '\n{{ oops( }}\n');
    const r = await runDataset(other);
    expect(r.error).toBeNull();
    expect(builds(r)).toBe(1);
    // The run's build has a project of its own, with only the datasets it needs (apps/worker/src/dbt/run-project.ts).
    const build = r.events.find((e) => e.message.startsWith('dbt build --select'));
    expect(build?.data).toMatchObject({ runProjectDatasets: [other] });
    expect(takenOut(r, broken)).toBeUndefined();
    expect((await dataset(broken)).dbtDisabled).toBeNull();
    expect(readFileSync(file, 'utf8')).toContain('oops(');
  });

  it("writes a dataset's files again from its metadata in its own run", async () => {
    const r = await runDataset(broken);
    expect(r.error).toBeNull();
    expect((await dataset(broken)).dbtDisabled).toBeNull();
    expect(readFileSync(path.join(folderOf(broken), `stg_${broken}.sql`), 'utf8')).not.toContain('oops(');
  });

  it('never writes files for a dataset whose metadata holds more than plain names', async () => {
    // As if the metadata had been edited by hand: a column name that is not an identifier.
    await query(
      `update relayboard.dataset_versions v set columns = jsonb_set(v.columns, '{0,name}', to_jsonb($2::text))
         from relayboard.datasets d where d.name = $1 and v.id = d.current_version_id`,
      [unsafe, "id') }}{{ 7*191 }}"],
    );
    const r = await runDataset(other);
    expect(r.error).toBeNull();
    const reason = `Relayboard cannot write its dbt files: its column "id') }}{{ 7*191 }}" is not a plain column name, so it cannot be written into dbt files`;
    expect(takenOut(r, unsafe)?.message).toContain(reason);
    expect((await dataset(unsafe)).dbtDisabled).toMatchObject({ reason, runId: r.id });
    expect(existsSync(folderOf(unsafe))).toBe(false);
  });

  it('fails only its own run when its own files cannot be written, with the reason', async () => {
    const r = await transformWithColumns(unsafe, (columns) =>
      columns.map((c, i) => (i === 0 ? { ...c, name: 'id', type: "text') }}" } : c)),
    );
    expect(r.status).toBe('failed');
    expect(r.error).toBe(
      `transform: Relayboard cannot write its dbt files: its type "text') }}" is not a plain type name, so it cannot be written into dbt files; ` +
        `${unsafe} is out of the dbt project until a run of it succeeds, and other datasets' runs go on without it`,
    );
    expect((await dataset(unsafe)).dbtDisabled?.runId).toBe(r.id);
    expect((await runDataset(other)).error).toBeNull();
  });

  it('comes back with a run that stages the file again', async () => {
    const r = await runDataset(unsafe);
    expect(r.error).toBeNull();
    expect((await dataset(unsafe)).dbtDisabled).toBeNull();
    expect(await query(`select count(*)::int as n from warehouse."${unsafe}"`)).toEqual([{ n: 4 }]);
  });
});

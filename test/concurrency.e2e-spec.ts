import { Client } from 'pg';
import type { Run, RunSummary } from '@relayboard/contracts';
import { api, boardSessionHeaders, query, uploadCsv, uniqueName, waitForRun, peoplesModels } from './helpers';
import { testStack } from './stack-env';

/**
 * Issue #11, concurrency: one active run per dataset (a waiting run is queued, names
 * the run it waits for and holds no worker slot); dbt builds that share a person's
 * model never overlap; the stg_ view survives a failed transform. The test stack's
 * worker runs with WORKER_CONCURRENCY 2 (the default).
 */

const { write: writeModel, remove: removeModel, removeAll: removeAllModels } = peoplesModels();

const relations: string[] = [];

afterAll(async () => {
  removeAllModels();
  // People's relations built from the models above: gone with their files, so no later build trips over them.
  for (const relation of relations)
    await query(`drop table if exists ${relation} cascade`).catch(() =>
      query(`drop view if exists ${relation} cascade`),
    );
});

async function trigger(name: string): Promise<string> {
  const { status, body } = await api('POST', '/v1/pipelines/run', { datasetName: name });
  expect({ status, body }).toMatchObject({ status: 202 });
  return body.runId as string;
}

const summary = async (runId: string) => (await api<Run>('GET', `/v1/runs/${runId}`)).body;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: still ${JSON.stringify(value).slice(0, 500)} after ${timeoutMs} ms`);
    await sleep(150);
  }
}

const csv = (rows: number, offset = 0) =>
  `id,amount,note\n${Array.from({ length: rows }, (_, i) => `${i + 1 + offset},${(i + 1) * 2},n${i}`).join('\n')}\n`;
const time = (iso: string | null | undefined) => Date.parse(iso!);
const guard = (...datasets: string[]) => datasets.map((d) => `relayboard_dataset_exists('${d}')`).join(' and ');

describe('concurrency', () => {
  const x = uniqueName('conc_x');
  const y = uniqueName('conc_y');
  const p = uniqueName('conc_p');
  const q = uniqueName('conc_q');
  const slowModel = `${x}__slow`;
  const hold = 710_000_000 + Math.floor(Math.random() * 1_000_000);
  const holder = new Client({ connectionString: testStack().databaseUrl });
  const mart = `${p}__shared`;

  beforeAll(async () => {
    for (const name of [x, y, p, q]) expect((await uploadCsv(name, csv(20))).status).toBe(201);
    // Holds every build of x (only x's runs select it) while the test holds its advisory lock, so a run of y
    // can start and finish while x's first run builds and its second waits, however busy the machine is.
    writeModel(
      slowModel,
      `{{ config(enabled=${guard(x)}) }}\nselect count(*) as n from {{ ref('stg_${x}') }} cross join lateral (select pg_advisory_xact_lock(${hold})) s\n`,
    );
    // Selected by the runs of both p and q; slow enough that two builds of it would overlap.
    writeModel(
      mart,
      `{{ config(enabled=${guard(p, q)}) }}\nselect (select count(*) from {{ ref('${p}') }}) as p_rows, (select count(*) from {{ ref('${q}') }}) as q_rows from (select pg_sleep(3)) s\n`,
    );
    relations.push(`warehouse."${slowModel}"`, `warehouse."${mart}"`);
    // First runs, one after another: the last one's manifest knows every dataset, so later builds lock only the people's models they select.
    for (const name of [x, y, p, q]) {
      const run = await waitForRun(await trigger(name));
      expect({ dataset: run.datasetName, status: run.status, error: run.error }).toMatchObject({ status: 'succeeded' });
    }
  });

  afterAll(() => holder.end());

  it('keeps a second run of a dataset queued, naming the run it waits for, without a worker slot', async () => {
    await holder.connect();
    await holder.query('select pg_advisory_lock($1)', [hold]);
    let held = true;
    const release = async () => {
      if (held) await holder.query('select pg_advisory_unlock($1)', [hold]);
      held = false;
    };
    try {
      await secondRunWaits(release);
    } finally {
      await release();
    }
  });

  async function secondRunWaits(release: () => Promise<void>): Promise<void> {
    const a1 = await trigger(x);
    await waitUntil(
      `run ${a1} starting`,
      () => summary(a1),
      (r) => r.status === 'running',
    );
    // Requested while a1 runs: a1 is not queued, so this is a run of its own.
    const a2 = await trigger(x);
    const b = await trigger(y);

    const waiting = await waitUntil(
      `run ${a2} waiting`,
      () => summary(a2),
      (r) => r.waitingFor !== null || r.status !== 'queued',
    );
    expect({ status: waiting.status, waitingFor: waiting.waitingFor }).toMatchObject({
      status: 'queued',
      waitingFor: { runId: a1 },
    });
    expect(waiting.waitingFor!.reason).toContain(`waiting for run ${a1} of ${x}`);
    // The list shows the same.
    const listed = (await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${x}`)).body.runs.find(
      (r) => r.id === a2,
    )!;
    expect(listed.waitingFor).toMatchObject({ runId: a1 });
    // So does the board, on the runs list and on the run's page (both read on the server before they are sent).
    for (const page of [`/?datasetName=${x}`, `/runs/${a2}`]) {
      const html = await (await fetch(`${testStack().webUrl}${page}`, { headers: boardSessionHeaders() })).text();
      expect({ page, shows: html.replace(/<[^>]+>/g, '').includes(`waiting for run ${a1.slice(0, 8)}`) }).toEqual({
        page,
        shows: true,
      });
    }

    // While a2 waits (queued, never running), y's run takes the worker's other slot and finishes.
    const seen = new Set<string>();
    const bDone = await waitUntil(
      `run ${b} of ${y} finishing`,
      async () => {
        const [ra1, ra2, rb] = await Promise.all([summary(a1), summary(a2), summary(b)]);
        if (ra1.status === 'running') seen.add(ra2.status);
        return rb;
      },
      (rb) => ['succeeded', 'failed'].includes(rb.status),
    );
    expect(bDone.status).toBe('succeeded');
    expect([...seen]).toEqual(['queued']);
    // a1's build was held all along: let it finish.
    await release();

    const [r1, r2] = [await waitForRun(a1), await waitForRun(a2)];
    expect([r1.status, r2.status]).toEqual(['succeeded', 'succeeded']);
    // b started while a1 ran (a2 held no slot of the two) and ended before a2 started.
    expect(time(bDone.startedAt)).toBeLessThan(time(r1.finishedAt));
    expect(time(bDone.finishedAt)).toBeLessThan(time(r2.startedAt));
    expect(time(r2.startedAt)).toBeGreaterThanOrEqual(time(r1.finishedAt));
    expect(r2.waitingFor).toBeNull();
    // One event for the wait, however often the job looked again; the waits spent no attempt.
    expect(r2.events.filter((e) => e.message.includes(`waiting for run ${a1}`))).toHaveLength(1);
    expect(r2.events.filter((e) => /^attempt \d+ started$/.test(e.message)).map((e) => e.message)).toEqual([
      'attempt 1 started',
    ]);
    // Builds of different datasets that share no model run side by side: b's transform overlapped a1's.
    const transform = (r: Run) => r.steps.find((s) => s.name === 'transform')!;
    expect(time(transform(bDone).startedAt)).toBeLessThan(time(transform(r1).finishedAt));
    expect(r1.events.map((e) => e.message)).toContainEqual(
      expect.stringContaining(
        `locks the people's models it selects, so no other build of them overlaps: model.relayboard.${slowModel}`,
      ),
    );
    expect(bDone.events.map((e) => e.message)).toContainEqual(
      expect.stringContaining("selects none of people's models"),
    );
    console.log(`concurrency: ${a2} started ${time(r2.startedAt) - time(r1.finishedAt)} ms after ${a1} finished`);
  }

  it("never overlaps two dbt builds of a person's model that two datasets' runs select", async () => {
    const intervals: { run: string; start: number; end: number }[] = [];
    let waits = 0;
    for (let round = 0; round < 3; round++) {
      const ids = await Promise.all([trigger(p), trigger(q)]);
      const runs = await Promise.all(ids.map((id) => waitForRun(id)));
      for (const run of runs) {
        expect({ dataset: run.datasetName, status: run.status, error: run.error }).toMatchObject({
          status: 'succeeded',
        });
        const node = run.nodes!.find((n) => n.uniqueId === `model.relayboard.${mart}`);
        expect(node).toMatchObject({ status: 'success' });
        intervals.push({ run: run.id, start: time(node!.startedAt), end: time(node!.completedAt) });
        const other = ids.find((id) => id !== run.id)!;
        waits += run.events.filter((e) =>
          e.message.includes(`waiting for run ${other}'s dbt build of model model.relayboard.${mart}`),
        ).length;
      }
    }
    intervals.sort((a, b) => a.start - b.start);
    for (let i = 1; i < intervals.length; i++) {
      // From dbt's run_results.json (execute timing of the mart in each build).
      expect({
        previous: intervals[i - 1],
        next: intervals[i],
        overlaps: intervals[i].start < intervals[i - 1].end,
      }).toMatchObject({ overlaps: false });
    }
    // The runs were triggered together: their builds met at the lock at least once, and said so.
    expect(waits).toBeGreaterThan(0);
  });

  describe('the stg_ view', () => {
    const c = uniqueName('conc_c');
    const view = `${c}__people_view`;
    const broken = `${c}__broken`;

    beforeAll(async () => {
      expect((await uploadCsv(c, csv(10))).status).toBe(201);
      // A person's view on the stg_ view (a dbt model, like the people's models dbt builds).
      writeModel(
        view,
        `{{ config(materialized='view', enabled=${guard(c)}) }}\nselect id, amount from {{ ref('stg_${c}') }}\n`,
      );
      relations.push(`warehouse."${view}"`);
      const first = await waitForRun(await trigger(c));
      expect({ status: first.status, error: first.error }).toMatchObject({ status: 'succeeded' });
    });

    afterAll(() => removeModel(broken));

    it('survives a failed transform, selecting the newly staged rows, with a view of a person on it', async () => {
      expect((await uploadCsv(c, csv(25, 100))).status).toBe(200);
      // A person's model dbt cannot parse: the transform fails before dbt builds anything.
      writeModel(broken, `select {{ this_macro_does_not_exist( }} as x\n`);
      const runId = await trigger(c);
      // Readers never see the views missing, the swap included.
      const missing: string[] = [];
      let ended: Run | null = null;
      while (!ended) {
        const [row] = await query<{ stg: string | null; people: string | null }>(
          `select to_regclass($1)::text as stg, to_regclass($2)::text as people`,
          [`warehouse."stg_${c}"`, `warehouse."${view}"`],
        );
        if (!row.stg) missing.push(`stg_${c}`);
        if (!row.people) missing.push(view);
        const r = await summary(runId);
        if (['succeeded', 'failed', 'canceled'].includes(r.status)) ended = r;
        else await sleep(50);
      }
      expect(missing).toEqual([]);
      expect(ended.status).toBe('failed');
      expect(
        ended.steps.filter((s) => s.name === 'stage' || s.name === 'transform').map((s) => [s.name, s.status]),
      ).toEqual([
        ['stage', 'succeeded'],
        ['transform', 'failed'],
      ]);
      expect(ended.events.map((e) => e.message)).toContainEqual(
        `kept the view(s) over staging.${c} through the swap: warehouse.stg_${c}, warehouse.${view}`,
      );
      const [stg] = await query<{ n: string; min: string }>(
        `select count(*) as n, min(id) as min from warehouse."stg_${c}"`,
      );
      expect(stg).toEqual({ n: '25', min: '101' });
      const [people] = await query<{ n: string }>(`select count(*) as n from warehouse."${view}" where id >= 101`);
      expect(people.n).toBe('25');
    });

    it('leaves a view that no longer fits the new columns to dbt, with a warning naming it', async () => {
      removeModel(broken);
      // The note column is gone: stg_ selects it, so it cannot be recreated as it was; dbt rebuilds it.
      expect(
        (await uploadCsv(c, `id,amount\n${Array.from({ length: 7 }, (_, i) => `${i + 1},${i}`).join('\n')}\n`)).status,
      ).toBe(200);
      const run = await waitForRun(await trigger(c));
      expect({ status: run.status, error: run.error }).toMatchObject({ status: 'succeeded' });
      const warning = run.events.find((e) => e.step === 'stage' && e.message.includes('no longer fit its new columns'));
      expect(warning).toMatchObject({
        level: 'warn',
        data: { viewsLeftForDbt: [`warehouse.stg_${c}`, `warehouse.${view}`] },
      });
      const columns = await query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = 'warehouse' and table_name = $1 order by ordinal_position`,
        [`stg_${c}`],
      );
      expect(columns.map((r) => r.column_name)).toEqual(['_rb_row', 'id', 'amount']);
      const [people] = await query<{ n: string }>(`select count(*) as n from warehouse."${view}"`);
      expect(people.n).toBe('7');
    });
  });
});

import { Client } from 'pg';
import type { Run, RunSummary } from '@relayboard/contracts';
import { PipelineQueue } from '@relayboard/queue';
import { api, authHeaders, query, uniqueName, uploadCsv, waitForRun, peoplesModels } from './helpers';
import { testStack } from './stack-env';
import { dbtProcessesOf, until } from './faults/helpers';

/**
 * Run control on the real stack (issue #11): POST /v1/runs/:id/retry resumes a
 * failed run from its failed step, POST /v1/runs/:id/cancel stops a queued or
 * running run (dbt's process group and its warehouse sessions, a stage's
 * load tables), and POST /v1/pipelines/run returns a dataset's queued run and
 * honours Idempotency-Key.
 */

const csv = (rows: number) =>
  `id,name,city\n${Array.from({ length: rows }, (_, i) => `${i + 1},name ${i + 1},city ${i % 7}`).join('\n')}\n`;

const { write: writeModel, remove: removeModel, removeAll: removeAllModels } = peoplesModels();

const posts = async (route: string, runId: string) =>
  (
    (await (await fetch(`${testStack().slackUrl}/_received`)).json()) as { path: string; body: { text: string } }[]
  ).filter((m) => m.path === route && JSON.stringify(m.body).includes(runId));

async function register(name: string, body: string, route: string): Promise<string> {
  expect((await uploadCsv(name, body)).status).toBe(201);
  const created = await api('POST', '/v1/destinations/slack', {
    webhookUrl: `${testStack().slackUrl}${route}`,
    name: route,
    datasets: [name],
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function trigger(
  datasetName: string,
  extra: object = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; replayed: string | null }> {
  const res = await fetch(`${testStack().apiUrl}/v1/pipelines/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(), ...headers },
    body: JSON.stringify({ datasetName, ...extra }),
  });
  return { status: res.status, body: await res.json(), replayed: res.headers.get('idempotent-replayed') };
}

const loadTables = (dataset: string) =>
  query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'staging' and tablename like $1`, [
    `${dataset.replace(/_/g, '\\_')}\\_\\_load\\_%`,
  ]);

const step = (run: Run, name: string) => run.steps.find((s) => s.name === name)!;

const destinations: string[] = [];
afterAll(async () => {
  removeAllModels();
  for (const id of destinations) await api('DELETE', `/v1/destinations/${id}`);
});

describe('POST /v1/runs/:id/retry', () => {
  const name = uniqueName('retry');
  const route = `/services/T11/${name}/retry`;
  const mart = `${name}_cities`;
  let destinationId: string;

  beforeAll(async () => {
    destinationId = await register(name, csv(40), route);
    destinations.push(destinationId);
  });

  it('resumes a run failed at transform from transform, once the model is fixed, and delivers one digest per outcome', async () => {
    // A person's model breaks the transform; fetch and stage succeed.
    writeModel(
      mart,
      `{{ config(enabled=relayboard_dataset_exists('${name}')) }}\nselect city, no_such_column from {{ ref('${name}') }}\n`,
    );
    const failed = await waitForRun((await trigger(name)).body.runId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^transform: dbt build failed: /);
    expect(failed.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'failed', 'succeeded']);
    expect(await posts(route, failed.id)).toHaveLength(1);

    writeModel(
      mart,
      `{{ config(enabled=relayboard_dataset_exists('${name}')) }}\nselect city, count(*) as people from {{ ref('${name}') }} group by city\n`,
    );
    const retried = await api<RunSummary>('POST', `/v1/runs/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'queued', error: null, retries: 1, finishedAt: null });

    const run = await waitForRun(failed.id);
    expect(run.status).toBe('succeeded');
    console.log(
      `[run-control] retry from transform: succeeded ${Date.parse(run.finishedAt!) - Date.parse(step(failed, 'deliver').finishedAt!)} ms after the failed attempt ended (fetch and stage not run again)`,
    );
    expect(run.error).toBeNull();
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // fetch and stage were kept as they were: not run again.
    for (const kept of ['fetch', 'stage']) {
      expect({ kept, startedAt: step(run, kept).startedAt, finishedAt: step(run, kept).finishedAt }).toEqual({
        kept,
        startedAt: step(failed, kept).startedAt,
        finishedAt: step(failed, kept).finishedAt,
      });
    }
    expect(Date.parse(step(run, 'transform').startedAt!)).toBeGreaterThan(
      Date.parse(step(failed, 'transform').finishedAt!),
    );
    const started = run.events
      .filter((e) => /^(fetch|stage|transform|deliver) started$/.test(e.message))
      .map((e) => e.message);
    expect(started).toEqual([
      'fetch started',
      'stage started',
      'transform started',
      'deliver started',
      'transform started',
      'deliver started',
    ]);
    expect(run.events.map((e) => e.message)).toContainEqual(
      'retried by the api (retry 1): resumes from transform; kept fetch, stage, which succeeded',
    );
    expect(await query(`select count(*)::int as n from warehouse."${mart}"`)).toEqual([{ n: 7 }]);

    // One digest for the failure, one for the success: each outcome reached the destination once.
    const received = await posts(route, run.id);
    expect(received).toHaveLength(2);
    expect(received[0].body.text).not.toEqual(received[1].body.text);
    expect(run.deliveries.filter((d) => d.destinationId === destinationId).map((d) => d.status)).toEqual(['sent']);
    const rows = await query<{ generation: number; status: string }>(
      'select generation, status from relayboard.deliveries where run_id = $1 and destination_id = $2 order by generation',
      [run.id, destinationId],
    );
    expect(rows).toEqual([
      { generation: 0, status: 'sent' },
      { generation: 1, status: 'sent' },
    ]);
  });

  it('refuses a run that succeeded (409) and an unknown run (404)', async () => {
    const [succeeded] = await query<{ id: string }>(
      `select r.id from relayboard.runs r join relayboard.datasets d on d.id = r.dataset_id where d.name = $1 and r.status = 'succeeded' limit 1`,
      [name],
    );
    const again = await api('POST', `/v1/runs/${succeeded.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'run_not_retryable',
      message: expect.stringContaining('is succeeded; only failed or canceled runs can be retried'),
    });
    expect((await api('POST', '/v1/runs/8e03978e-40d5-43e8-bc93-6894a57f9324/retry')).body.error.code).toBe(
      'run_not_found',
    );
    expect((await api('POST', '/v1/runs/not-a-run/retry')).status).toBe(404);
    expect((await api('POST', `/v1/runs/${succeeded.id}/retry`, { from: 'stage' })).status).toBe(400);
  });
});

describe('POST /v1/runs/:id/cancel and queued runs', () => {
  const name = uniqueName('cancel');
  const route = `/services/T11/${name}/cancel`;
  const slow = `${name}_slow`;
  const queue = new PipelineQueue(testStack().redisUrl, 1);

  beforeAll(async () => {
    destinations.push(await register(name, csv(40), route));
    expect((await waitForRun((await trigger(name)).body.runId)).status).toBe('succeeded');
  });

  afterAll(async () => {
    removeModel(slow);
    await queue.close();
  });

  it('returns the queued run, makes another with force, cancels queued runs at once and a running dbt within seconds', async () => {
    // A model that keeps dbt (and its warehouse session) busy, so the run is running while we cancel it.
    writeModel(
      slow,
      `{{ config(materialized='table') }}\nselect pg_sleep(120) as slept, count(*) as n from {{ ref('${name}') }}\n`,
    );
    const first = await trigger(name);
    expect(first).toMatchObject({ status: 202, body: { existing: false, status: 'queued' } });
    const runningId = first.body.runId as string;
    await until(`dbt of run ${runningId} starting`, () => dbtProcessesOf(runningId).length >= 2, 120_000, 50);

    // While the worker is busy with the dataset, a request finds the queued run instead of adding another.
    const created = [runningId];
    let existing: Awaited<ReturnType<typeof trigger>> | null = null;
    for (let i = 0; i < 4 && !existing; i++) {
      const answer = await trigger(name);
      if (answer.body.existing) existing = answer;
      else {
        expect(answer.status).toBe(202);
        created.push(answer.body.runId);
      }
    }
    expect(existing).toMatchObject({ status: 200, body: { existing: true, status: 'queued' } });
    expect(created).toContain(existing!.body.runId);
    expect(created.indexOf(existing!.body.runId)).toBeGreaterThan(0);
    const forced = await trigger(name, { force: true });
    expect(forced).toMatchObject({ status: 202, body: { existing: false, status: 'queued' } });
    expect(created).not.toContain(forced.body.runId);

    // A queued run is canceled at once, and its job leaves the queue.
    const canceled = await api<RunSummary>('POST', `/v1/runs/${forced.body.runId}/cancel`, { reason: 'asked twice' });
    expect(canceled.status).toBe(202);
    expect(canceled.body).toMatchObject({
      status: 'canceled',
      cancelReason: 'asked twice',
      error: 'canceled by the api while queued: asked twice',
    });
    const queuedRun = (await api<Run>('GET', `/v1/runs/${forced.body.runId}`)).body;
    expect(queuedRun.steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    await until(
      'the canceled run leaving the queue',
      async () => !(await queue.runJobState(forced.body.runId)).live,
      10_000,
    );
    const twice = await api('POST', `/v1/runs/${forced.body.runId}/cancel`);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({
      code: 'run_not_cancelable',
      message: expect.stringContaining('already ended (canceled)'),
    });
    for (const id of created.slice(1))
      expect((await api('POST', `/v1/runs/${id}/cancel`, { reason: 'cleanup' })).status).toBe(202);

    // The running run: its worker stops dbt's process group and ends the warehouse session the slow model holds.
    const requestedAt = Date.now();
    const stopping = await api<RunSummary>('POST', `/v1/runs/${runningId}/cancel`, { reason: 'wrong file' });
    expect(stopping.status).toBe(202);
    expect(stopping.body).toMatchObject({ status: 'running', cancelReason: 'wrong file' });
    expect(stopping.body.cancelRequestedAt).not.toBeNull();
    const run = await waitForRun(runningId, 60_000);
    expect(run.status).toBe('canceled');
    expect(run.error).toBe('canceled: wrong file');
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'canceled', 'skipped']);
    expect(step(run, 'transform').error).toBe('canceled while transform ran: wrong file');
    await until(`no dbt of run ${runningId} left`, () => dbtProcessesOf(runningId).length === 0, 10_000);
    console.log(
      `[run-control] cancel during dbt: run canceled ${Date.parse(run.finishedAt!) - requestedAt} ms after the request, no dbt process left ${Date.now() - requestedAt} ms after`,
    );
    expect(
      await query(`select pid from pg_stat_activity where application_name = $1`, [`relayboard-dbt:${runningId}`]),
    ).toEqual([]);
    expect(await loadTables(name)).toEqual([]);
    // A canceled run posts no digest.
    expect(await posts(route, runningId)).toEqual([]);
    for (const id of created.slice(1)) expect((await waitForRun(id, 60_000)).status).toBe('canceled');
    expect((await api('POST', `/v1/runs/${runningId}/cancel`)).status).toBe(409);

    // The dataset's next run builds as usual.
    removeModel(slow);
    const next = await waitForRun((await trigger(name)).body.runId);
    expect(next.status).toBe('succeeded');
    expect(await query(`select count(*)::int as n from warehouse."${name}"`)).toEqual([{ n: 40 }]);
  });

  it('stops a stage waiting to publish: its load tables are dropped and staging keeps its previous table', async () => {
    // A new version of the dataset (200: the dataset exists).
    expect((await uploadCsv(name, csv(30_000))).status).toBe(200);
    // A reader of staging.<dataset> holds it, so the load is complete but cannot swap in its table yet.
    const reader = new Client({ connectionString: testStack().databaseUrl });
    await reader.connect();
    try {
      await reader.query('begin');
      await reader.query(`select count(*) from staging."${name}"`);
      const runId = (await trigger(name)).body.runId as string;
      await until(
        'the load waiting to publish',
        async () => {
          const [stage] = await query<{ status: string; phase: string | null }>(
            `select status, metrics->>'phase' as phase from relayboard.run_steps where run_id = $1 and name = 'stage'`,
            [runId],
          );
          return stage.status === 'running' && stage.phase === 'publishing';
        },
        120_000,
        100,
      );
      expect((await loadTables(name)).length).toBeGreaterThan(0);
      const requestedAt = Date.now();
      expect((await api('POST', `/v1/runs/${runId}/cancel`, { reason: 'not this version' })).status).toBe(202);
      const run = await waitForRun(runId, 60_000);
      console.log(
        `[run-control] cancel during stage (publish waiting for a lock): run canceled ${Date.parse(run.finishedAt!) - requestedAt} ms after the request`,
      );
      expect(run.status).toBe('canceled');
      expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'canceled', 'skipped', 'skipped']);
      expect(await loadTables(name)).toEqual([]);
    } finally {
      await reader.query('rollback').catch(() => undefined);
      await reader.end();
    }
    expect(await query(`select count(*)::int as n from staging."${name}"`)).toEqual([{ n: 40 }]);
  });
});

describe('Idempotency-Key on POST /v1/pipelines/run', () => {
  const name = uniqueName('idem');
  const route = `/services/T11/${name}/idem`;

  beforeAll(async () => {
    destinations.push(await register(name, csv(10), route));
  });

  it('creates one run for concurrent requests with one key, replays it later, and refuses the key with another body', async () => {
    const key = `"${crypto.randomUUID()}"`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => trigger(name, {}, { 'idempotency-key': key })));
    const runIds = new Set(answers.map((a) => a.body.runId));
    expect(runIds.size).toBe(1);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(answers.filter((a) => a.replayed === 'true')).toHaveLength(4);
    const [runId] = runIds;
    const [{ n }] = await query<{ n: number }>(
      `select count(*)::int as n from relayboard.runs r join relayboard.datasets d on d.id = r.dataset_id where d.name = $1`,
      [name],
    );
    expect(n).toBe(1);
    await waitForRun(runId);

    // The same key and body, after the run ended: the same answer, not a new run.
    const replay = await trigger(name, {}, { 'idempotency-key': key });
    expect(replay).toEqual({ status: 202, body: { runId, status: 'queued', existing: false }, replayed: 'true' });
    const mismatch = await trigger(name, { force: true }, { 'idempotency-key': key });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({
      code: 'idempotency_key_reused',
      message: expect.stringContaining('with another request body'),
    });
    const [stored] = await query<{ scope: string; hours: number }>(
      `select scope, round(extract(epoch from expires_at - created_at) / 3600)::int as hours from relayboard.idempotency_keys where key = $1`,
      [key.slice(1, -1)],
    );
    expect(stored).toEqual({ scope: 'POST /v1/pipelines/run', hours: 24 });
  });

  it('refuses keys that are empty, too long or not visible ASCII (400)', async () => {
    for (const bad of ['', 'two words', 'x'.repeat(256), '"unclosed']) {
      const answer = await trigger(name, {}, { 'idempotency-key': bad });
      expect({ bad, status: answer.status, code: answer.body.error?.code }).toEqual({
        bad,
        status: 400,
        code: 'idempotency_key_invalid',
      });
    }
  });
});

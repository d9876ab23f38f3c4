import { execFileSync } from 'node:child_process';
import type { Run } from '@relayboard/contracts';
import { PipelineQueue } from '@relayboard/queue';
import {
  attempts,
  dbtProcessesOf,
  expectWhole as expectWholeRun,
  isAlive,
  killWorker,
  sleep,
  until,
} from './faults/helpers';
import { api, query, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack, workerPid } from './stack-env';

/**
 * Crash safety on the real stack. The test stack restarts a worker that dies
 * (restartApps, as ./relayboard up does), so these tests kill the stack's own
 * worker and let the stack bring one back. Timings are printed for
 * docs/reliability.md.
 */

const ROWS = 250;
const csv = `id,name,city\n${Array.from({ length: ROWS }, (_, i) => `${i + 1},name ${i + 1},city ${i % 7}`).join('\n')}\n`;

/** Waits for the run's dbt to be running (the transform step started it), then SIGKILLs the stack's worker. */
async function killWorkerDuringDbt(runId: string, before?: () => void): Promise<{ killed: number; killedAt: number }> {
  await until(`dbt of run ${runId} starting`, () => dbtProcessesOf(runId).length >= 2, 120_000, 50);
  const [transform] = await query<{ status: string }>(
    `select status from relayboard.run_steps where run_id = $1 and name = 'transform'`,
    [runId],
  );
  expect(transform.status).toBe('running');
  before?.();
  return killWorker();
}

const expectWhole = (run: Run, name: string, route: string) => expectWholeRun(run, name, route, ROWS);

describe('crash safety of runs', () => {
  const name = uniqueName('crash');
  const route = `/services/T7/${name}/crash`;
  let destinationId: string;
  let queue: PipelineQueue;

  beforeAll(async () => {
    queue = new PipelineQueue(testStack().redisUrl, 1);
    const created = await api('POST', '/v1/destinations/slack', {
      webhookUrl: `${testStack().slackUrl}${route}`,
      name: route,
      datasets: [name],
    });
    expect(created.status).toBe(201);
    destinationId = created.body.id;
    expect((await uploadCsv(name, csv)).status).toBe(201);
  });

  afterAll(async () => {
    await api('DELETE', `/v1/destinations/${destinationId}`);
    await queue.close();
    // Leave a worker running for the suites after this one.
    await until('a worker of the stack', () => workerPid() !== null, 30_000);
  });

  it('a worker SIGKILLed while dbt runs: its dbt dies, the stack brings a worker back, and the run resumes and ends whole', async () => {
    const runId = (await api('POST', '/v1/pipelines/run', { datasetName: name })).body.runId as string;
    const { killed, killedAt } = await killWorkerDuringDbt(runId);

    // dbt is started through a guard that kills its process group when the worker's pipe closes.
    await until(`no dbt of run ${runId} left`, () => dbtProcessesOf(runId).length === 0, 8_000);
    const dbtGoneMs = Date.now() - killedAt;
    const next = await until(
      'a new worker started by the stack',
      () => {
        const pid = workerPid();
        return pid !== null && pid !== killed && isAlive(pid) ? pid : null;
      },
      30_000,
    );
    expect(next).not.toBe(killed);
    const [resumed] = await until(
      'the run resumed',
      async () => {
        const rows = await query<{ at: Date }>(
          `select created_at as at from relayboard.run_events where run_id = $1 and step = 'transform' and message = 'transform started' and created_at > to_timestamp($2 / 1000.0) order by id limit 1`,
          [runId, killedAt],
        );
        return rows.length ? rows : null;
      },
      60_000,
      200,
    );
    const resumedMs = resumed.at.getTime() - killedAt;

    const run = await waitForRun(runId, 120_000);
    await expectWhole(run, name, route);
    expect(await attempts(runId)).toBe(2);
    expect((await queue.runJobState(runId)).state).toBe('completed');
    console.log(
      `[crash-safety] SIGKILL during dbt: dbt gone ${dbtGoneMs} ms after the kill, run resumed (transform started again) ${resumedMs} ms after, succeeded ${Date.parse(run.finishedAt!) - killedAt} ms after`,
    );
  });

  it('a running run whose job Redis lost (flushed, then its worker killed) is enqueued again by the reconciler and ends whole', async () => {
    const runId = (await api('POST', '/v1/pipelines/run', { datasetName: name })).body.runId as string;
    const { url } = { url: new URL(testStack().redisUrl) };
    const { killedAt } = await killWorkerDuringDbt(runId, () =>
      execFileSync('redis-cli', ['-h', url.hostname, '-p', url.port, 'FLUSHDB']),
    );
    expect((await queue.runJobState(runId)).state).toBe('missing');

    const [recovery] = await until(
      'the reconciler enqueueing the run again',
      async () => {
        const rows = await query<{ message: string; at: Date }>(
          `select message, created_at as at from relayboard.run_events where run_id = $1 and data->>'recovery' is not null`,
          [runId],
        );
        return rows.length ? rows : null;
      },
      60_000,
      200,
    );
    expect(recovery.message).toContain('the queue had no job for it');
    expect(recovery.message).toContain('resume from its last unfinished step');

    const run = await waitForRun(runId, 120_000);
    await expectWhole(run, name, route);
    expect(await attempts(runId)).toBe(2);
    expect((await queue.runJobState(runId)).state).toBe('completed');
    console.log(
      `[crash-safety] Redis flushed + SIGKILL during dbt: re-enqueued by the reconciler ${recovery.at.getTime() - killedAt} ms after the kill, succeeded ${Date.parse(run.finishedAt!) - killedAt} ms after`,
    );
  });

  it('a worker stopped with SIGTERM while dbt runs lets the step finish, then leaves the run to the next worker', async () => {
    const runId = (await api('POST', '/v1/pipelines/run', { datasetName: name })).body.runId as string;
    await until(`dbt of run ${runId} starting`, () => dbtProcessesOf(runId).length >= 2, 120_000, 50);
    const stopped = workerPid()!;
    const stoppedAt = Date.now();
    process.kill(stopped, 'SIGTERM');
    const [yielded] = await until(
      'the worker handing the run back',
      async () => {
        const rows = await query<{ message: string; at: Date }>(
          `select message, created_at as at from relayboard.run_events where run_id = $1 and message like 'the worker is shutting down%'`,
          [runId],
        );
        return rows.length ? rows : null;
      },
      60_000,
      200,
    );
    // The transform step finished on the stopping worker (within WORKER_SHUTDOWN_GRACE_MS); deliver is the next worker's.
    expect(yielded.message).toBe('the worker is shutting down; the run continues from deliver on the next worker');
    await until('the stopped worker exiting', () => !isAlive(stopped), 30_000);
    const run = await waitForRun(runId, 120_000);
    await expectWhole(run, name, route);
    expect(await attempts(runId)).toBe(2);
    // A yielded job spent no attempt and no step failed on the way.
    const failedSteps = await query(
      `select 1 from relayboard.run_events where run_id = $1 and level in ('warn', 'error')`,
      [runId],
    );
    expect(failedSteps).toEqual([]);
    console.log(
      `[crash-safety] SIGTERM during dbt: run handed back ${yielded.at.getTime() - stoppedAt} ms after the signal, succeeded ${Date.parse(run.finishedAt!) - stoppedAt} ms after`,
    );
  });

  it("a run that fails for good is a failed job in BullMQ, with the run's reason", async () => {
    const bad = uniqueName('ragged');
    expect(
      (await api('POST', '/v1/datasets/csv', { name: bad, csvUrl: `${testStack().filesUrl}/ragged.csv` })).status,
    ).toBe(201);
    const run = await waitForRun((await api('POST', '/v1/pipelines/run', { datasetName: bad })).body.runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/^stage: /);
    expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped', 'succeeded']);
    const job = await until(
      'the job failed in BullMQ',
      async () => {
        const state = await queue.runJobState(run.id);
        return state.state === 'failed' ? state : null;
      },
      10_000,
    );
    expect(job.live).toBe(false);
    expect(!job.live && job.reason).toBe(run.error);
    // The reconciler leaves a run that ended alone, though its job failed.
    await sleep(2_500);
    expect(await attempts(run.id)).toBe(1);
    expect((await api<Run>('GET', `/v1/runs/${run.id}`)).body.status).toBe('failed');
  });
});

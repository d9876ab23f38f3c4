import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dataset, DatasetSchedule, Run, RunDigest, RunSummary } from '@relayboard/contracts';
import { PipelineQueue } from '@relayboard/queue';
import { api, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack } from './stack-env';

const EVERY_2_S = '*/2 * * * * *';
/** 00:00 on 1 January: never fires while the suite runs. */
const YEARLY = '0 0 1 1 *';

const queue = new PipelineQueue(testStack().redisUrl, 1);
const slackPosts = async (route: string): Promise<number> =>
  ((await (await fetch(`${testStack().slackUrl}/_received`)).json()) as { path: string }[]).filter(
    (m) => m.path === route,
  ).length;

let served = 'city,country\nAccra,Ghana\n';
let server: http.Server;
let sourceUrl: string;
const name = uniqueName('sched');
const route = `/services/T000/B000/${name}`;
let destinationId: string;
let datasetId: string;

/** The dataset's oldest scheduled run created after `after` that has ended, waiting for it. */
async function scheduledRunAfter(dataset: string, after: string, timeoutMs = 90_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${dataset}&limit=50`);
    const first = body.runs.filter((r) => r.trigger === 'schedule' && r.createdAt > after).pop();
    if (first) return waitForRun(first.id, Math.max(deadline - Date.now(), 1_000));
    if (Date.now() > deadline) throw new Error(`no scheduled run of ${dataset} after ${after} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The dataset's oldest scheduled run created after `after`, once its stage step has ended (or the run has). */
async function scheduledRunStarted(dataset: string, after: string, timeoutMs = 90_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${dataset}&limit=50`);
    const first = body.runs.filter((r) => r.trigger === 'schedule' && r.createdAt > after).pop();
    if (first) {
      const { body: run } = await api<Run>('GET', `/v1/runs/${first.id}`);
      const stage = run.steps.find((s) => s.name === 'stage')!;
      if (!['queued', 'running'].includes(run.status) || ['succeeded', 'failed', 'skipped'].includes(stage.status))
        return run;
    }
    if (Date.now() > deadline)
      throw new Error(`no scheduled run of ${dataset} after ${after} staged within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const runIds = async (dataset: string): Promise<string[]> =>
  (await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${dataset}&limit=200`)).body.runs.map((r) => r.id);

/** Waits until the dataset has no queued or running run (so it can be deleted, or counted). */
async function settled(dataset: string): Promise<void> {
  for (;;) {
    const { body } = await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${dataset}&limit=50`);
    if (!body.runs.some((r) => r.status === 'queued' || r.status === 'running')) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/csv' }).end(served));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sourceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cities.csv`;
  const registered = await api<Dataset>('POST', '/v1/datasets/csv', { name, csvUrl: sourceUrl });
  expect(registered.status).toBe(201);
  datasetId = registered.body.id;
  const dest = await api('POST', '/v1/destinations/slack', {
    webhookUrl: `${testStack().slackUrl}${route}`,
    name: route,
    datasets: [name],
    notifyOn: 'always',
  });
  expect(dest.status).toBe(201);
  destinationId = dest.body.id;
});

afterAll(async () => {
  await api('DELETE', `/v1/datasets/${name}/schedule`);
  await api('DELETE', `/v1/destinations/${destinationId}`);
  await queue.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a dataset on a seconds-level cron', () => {
  let firstRun: Run;

  it('fires a scheduled run that fetches the source again and loads the new content', async () => {
    served = 'city,country\nAccra,Ghana\nCusco,Peru\n';
    const before = new Date().toISOString();
    const put = await api<DatasetSchedule>('PUT', `/v1/datasets/${name}/schedule`, {
      cron: EVERY_2_S,
      timezone: 'utc',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      datasetName: name,
      cron: EVERY_2_S,
      timezone: 'UTC',
      paused: false,
      alwaysRun: false,
    });
    expect(Date.parse(put.body.nextRunAt!)).toBeGreaterThan(Date.parse(before));
    const read = await api<Dataset>('GET', `/v1/datasets/${name}`);
    expect(read.body.schedule).toMatchObject({ cron: EVERY_2_S, timezone: 'UTC', paused: false });
    expect(read.body.schedule!.nextRunAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const listed = await api<{ datasets: Dataset[] }>('GET', `/v1/datasets?prefix=${name}`);
    expect(listed.body.datasets.find((d) => d.name === name)?.schedule?.cron).toBe(EVERY_2_S);
    expect(await queue.schedule(datasetId)).toMatchObject({ cron: EVERY_2_S, timezone: 'UTC' });

    firstRun = await scheduledRunAfter(name, before);
    expect(firstRun.error).toBeNull();
    expect(firstRun).toMatchObject({ status: 'succeeded', trigger: 'schedule', refresh: true });
    expect(firstRun.steps.find((s) => s.name === 'fetch')!.metrics).toMatchObject({ refreshed: 'changed' });
    expect(await slackPosts(route)).toBe(1);
  });

  it('skips the next fire while the source is unchanged: a reason, no stage, no digest, no Slack post', async () => {
    const current = (await api<Dataset>('GET', `/v1/datasets/${name}`)).body.currentVersion!;
    expect(current.id).toBe(firstRun.datasetVersionId);
    const skipped = await scheduledRunAfter(name, firstRun.createdAt);
    expect(skipped.status).toBe('skipped');
    const reason = `source unchanged since version ${current.id} (sha256 ${current.sha256}`;
    expect(skipped.error).toContain(reason);
    expect(skipped.error).toContain('set alwaysRun on the schedule to run anyway');
    expect(
      skipped.events.some(
        (e) => e.step === 'fetch' && e.message.includes(reason) && e.data?.unchangedSince === current.id,
      ),
    ).toBe(true);
    expect(skipped.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'fetch:succeeded',
      'stage:skipped',
      'transform:skipped',
      'deliver:skipped',
    ]);
    expect(skipped.deliveries).toEqual([]);
    expect(skipped.datasetVersionId).toBe(current.id);
    expect((await api<RunDigest>('GET', `/v1/runs/${skipped.id}/digest`)).body.digest).toBeNull();
    expect(await slackPosts(route)).toBe(1);
    // No version is recorded for a skipped fetch: the dataset keeps the one it had.
    expect((await api<Dataset>('GET', `/v1/datasets/${name}`)).body.currentVersion!.id).toBe(current.id);
    const retried = await api('POST', `/v1/runs/${skipped.id}/retry`);
    expect(retried.status).toBe(409);
    expect(retried.body.error.message).toContain('start a new run with POST /v1/pipelines/run');
  });

  it('runs an unchanged source when the schedule says alwaysRun', async () => {
    const since = new Date().toISOString();
    const put = await api<DatasetSchedule>('PUT', `/v1/datasets/${name}/schedule`, {
      cron: EVERY_2_S,
      timezone: 'UTC',
      alwaysRun: true,
    });
    expect(put.body.alwaysRun).toBe(true);
    const started = await scheduledRunStarted(name, since);
    const fetched = started.steps.find((s) => s.name === 'fetch')!;
    expect(fetched.status).toBe('succeeded');
    expect(fetched.metrics).toMatchObject({ refreshed: 'unchanged' });
    expect(started.status).not.toBe('skipped');
    expect(started.steps.find((s) => s.name === 'stage')!.status).toBe('succeeded');
    // Proven once it staged; the build is left out to keep the suite short (later fires skip again).
    await api('PUT', `/v1/datasets/${name}/schedule`, { cron: EVERY_2_S, timezone: 'UTC' });
    await api('POST', `/v1/runs/${started.id}/cancel`, { reason: 'the schedules suite saw what it needed' });
  });

  it('stops firing while paused and fires again once resumed', async () => {
    const paused = await api<DatasetSchedule>('POST', `/v1/datasets/${name}/schedule/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, nextRunAt: null });
    expect(await queue.schedule(datasetId)).toBeNull();
    // Replacing a paused schedule keeps it paused.
    const replaced = await api<DatasetSchedule>('PUT', `/v1/datasets/${name}/schedule`, {
      cron: EVERY_2_S,
      timezone: 'UTC',
    });
    expect(replaced.body).toMatchObject({ paused: true, alwaysRun: false });
    expect(await queue.schedule(datasetId)).toBeNull();
    await settled(name);
    const runsWhilePaused = await runIds(name);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await runIds(name)).toEqual(runsWhilePaused);

    const since = new Date().toISOString();
    const resumed = await api<DatasetSchedule>('POST', `/v1/datasets/${name}/schedule/resume`);
    expect(resumed.body.paused).toBe(false);
    expect(resumed.body.nextRunAt).not.toBeNull();
    expect(await queue.schedule(datasetId)).not.toBeNull();
    expect((await scheduledRunAfter(name, since)).status).toBe('skipped');
  });

  it('re-creates a scheduler Redis lost from PostgreSQL (the reconciler re-syncs)', async () => {
    await queue.removeSchedule(datasetId);
    expect(await queue.schedule(datasetId)).toBeNull();
    const deadline = Date.now() + 30_000;
    while (!(await queue.schedule(datasetId)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    expect(await queue.schedule(datasetId)).toMatchObject({ cron: EVERY_2_S, timezone: 'UTC' });
  });

  it('removes the BullMQ scheduler when the schedule is deleted', async () => {
    expect((await api('DELETE', `/v1/datasets/${name}/schedule`)).status).toBe(204);
    expect(await queue.schedule(datasetId)).toBeNull();
    const gone = await api('GET', `/v1/datasets/${name}/schedule`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('schedule_not_found');
    expect(gone.body.error.message).toContain(`PUT /v1/datasets/${name}/schedule`);
    expect((await api<Dataset>('GET', `/v1/datasets/${name}`)).body.schedule).toBeNull();
    expect((await api('POST', `/v1/datasets/${name}/schedule/pause`)).status).toBe(404);
  });
});

describe('schedule requests that are refused', () => {
  it('answers 400 naming the field, with an example, for a bad cron or time zone', async () => {
    for (const cron of ['every day', '61 * * * *', '* * * * * * *']) {
      const res = await api('PUT', `/v1/datasets/${name}/schedule`, { cron, timezone: 'UTC' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toMatch(/^invalid request body: cron: /);
      expect(res.body.error.message).toContain('0 6 * * 1-5');
      expect(res.body.error.details).toEqual({ issues: [{ field: 'cron', message: expect.any(String) }] });
    }
    const zone = await api('PUT', `/v1/datasets/${name}/schedule`, { cron: '0 6 * * *', timezone: 'Mars/Olympus' });
    expect(zone.status).toBe(400);
    expect(zone.body.error.message).toMatch(
      /^invalid request body: timezone: "Mars\/Olympus" is not an IANA time zone; use a name such as Europe\/Paris/,
    );
    const typo = await api('PUT', `/v1/datasets/${name}/schedule`, {
      cron: '0 6 * * *',
      timezone: 'UTC',
      alwaysrun: true,
    });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toContain('unknown field(s) alwaysrun');
    expect((await api('PUT', `/v1/datasets/${name}/schedule`, { cron: '0 6 * * *' })).body.error.message).toContain(
      'timezone: is required',
    );
    expect((await api('GET', `/v1/datasets/${name}/schedule`)).status).toBe(404);
  });

  it('answers 404 for a dataset that does not exist', async () => {
    const res = await api('PUT', '/v1/datasets/no_such_dataset_sched/schedule', { cron: '0 6 * * *', timezone: 'UTC' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('dataset_not_found');
  });
});

describe('an uploaded dataset on a schedule', () => {
  const uploaded = uniqueName('sched_up');

  it('is skipped (nothing to fetch) unless alwaysRun, and deleting the dataset removes its scheduler', async () => {
    const created = await uploadCsv(uploaded, 'a,b\n1,2\n');
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const since = new Date().toISOString();
    expect(
      (await api('PUT', `/v1/datasets/${uploaded}/schedule`, { cron: EVERY_2_S, timezone: 'Europe/Paris' })).status,
    ).toBe(200);
    const run = await scheduledRunAfter(uploaded, since);
    expect(run).toMatchObject({ status: 'skipped', refresh: false });
    expect(run.error).toContain('the dataset is uploaded, so a schedule has no source to fetch again');

    expect(
      (await api('PUT', `/v1/datasets/${uploaded}/schedule`, { cron: YEARLY, timezone: 'Europe/Paris' })).status,
    ).toBe(200);
    expect(await queue.schedule(id)).toMatchObject({ cron: YEARLY, timezone: 'Europe/Paris' });
    await settled(uploaded);
    expect((await api('DELETE', `/v1/datasets/${uploaded}`)).status).toBe(204);
    expect(await queue.schedule(id)).toBeNull();
  });
});

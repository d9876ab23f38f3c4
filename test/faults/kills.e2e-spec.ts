import type { Run, StepName } from '@relayboard/contracts';
import { api, query, removeAllDestinations, uniqueName, uploadCsv, waitForRun } from '../helpers';
import { testStack } from '../stack-env';
import {
  attempts,
  dbtProcessesOf,
  expectWhole,
  FULL,
  killWorker,
  loadTables,
  nextWorker,
  posts,
  requestRun,
  scale,
  sleep,
  stepStartedAfter,
  stepStatus,
  table,
  until,
} from './helpers';

/**
 * The worker SIGKILLed during each step of a run (fetch, stage, transform while dbt
 * runs, deliver while Slack answers), and twice within one run. The test stack
 * brings a worker back by itself (restartApps); every run must end succeeded and
 * whole. Each kill waits until the step is really under way (the run_steps row says
 * running, and the step's own work is visible: a download half done, a load table,
 * dbt's processes, the digest taken by Slack). The times from kill to resumed run
 * are printed as a table for docs/reliability.md.
 *
 * Scale: RELAYBOARD_FAULTS=full (pnpm test:faults) kills 5 times during each step and
 * twice in 2 runs. CI kills once during stage and once during deliver, and twice in
 * 1 run (during fetch, then during transform): each step once.
 */

const KILLS: Record<StepName, number> = {
  fetch: scale(0, 5),
  stage: scale(1, 5),
  transform: scale(0, 5),
  deliver: scale(1, 5),
};
const DOUBLE_KILLS = scale(1, 2);

const ROWS = 250;
/** Rows of the dataset killed during stage: enough that its load takes a few seconds. */
const STAGE_ROWS = 100_000;
/** How long the files server takes to serve the fetch dataset's file (GET /_trickle/...). */
const FETCH_MS = 5_000;

interface Figure {
  fault: string;
  workerBackMs: number;
  resumedMs: number;
  succeededMs: number;
}
const figures: Figure[] = [];

interface Target {
  name: string;
  route: string;
  destinationId: string;
  rows: number;
}

async function target(
  prefix: string,
  rows: number,
  routeOf: (name: string) => string = (name) => `/services/T11/${name}/kills`,
): Promise<Target> {
  const name = uniqueName(prefix);
  const route = routeOf(name);
  const created = await api('POST', '/v1/destinations/slack', {
    webhookUrl: `${testStack().slackUrl}${route}`,
    name: route,
    datasets: [name],
  });
  expect(created.status).toBe(201);
  return { name, route, destinationId: created.body.id as string, rows };
}

const rowsCsv = (rows: number) =>
  `id,name,city\n${Array.from({ length: rows }, (_, i) => `${i + 1},name ${i + 1},city ${i % 7}`).join('\n')}\n`;

/** Waits until the step is under way as `underWay` says (polled every 50 ms), then SIGKILLs the worker. */
async function killDuring(
  runId: string,
  step: StepName,
  underWay: () => Promise<boolean> | boolean,
): Promise<{ killed: number; killedAt: number }> {
  await until(
    `${step} of run ${runId} under way`,
    async () => (await stepStatus(runId, step)) === 'running' && (await underWay()),
    180_000,
    50,
  );
  const kill = killWorker();
  // The step was still running when the worker died (not finished in the meantime).
  expect(await stepStatus(runId, step)).toBe('running');
  return kill;
}

/** After a kill: the stack's next worker, the step started again, the run's end. */
async function recover(
  fault: string,
  runId: string,
  step: StepName,
  kill: { killed: number; killedAt: number },
): Promise<void> {
  await nextWorker(kill.killed);
  const workerBackMs = Date.now() - kill.killedAt;
  const resumedMs = (await stepStartedAfter(runId, step, kill.killedAt)).getTime() - kill.killedAt;
  figures.push({ fault, workerBackMs, resumedMs, succeededMs: NaN });
}

/** Waits for the run's end; the run's figures get the time from their kill to it. */
async function finish(runId: string, kills: { killedAt: number }[]): Promise<Run> {
  const run = await waitForRun(runId, 180_000);
  const mine = figures.slice(-kills.length);
  kills.forEach((kill, i) => {
    if (run.finishedAt) mine[i].succeededMs = Date.parse(run.finishedAt) - kill.killedAt;
  });
  return run;
}

const events = (runId: string, like: string) =>
  query<{ message: string }>(`select message from relayboard.run_events where run_id = $1 and message like $2`, [
    runId,
    like,
  ]);

describe(`the worker SIGKILLed during each step (${FULL ? 'full' : 'CI'} scale: ${Object.entries(KILLS)
  .map(([step, n]) => `${n} during ${step}`)
  .join(', ')}, twice in ${DOUBLE_KILLS} run(s))`, () => {
  let fetched: Target;
  let staged: Target;
  let built: Target;
  let delivered: Target;

  beforeAll(async () => {
    // Other suites' destinations (some slow or failing, routed to every dataset) would get these runs too.
    await removeAllDestinations();
    fetched = await target('kill_fetch', ROWS);
    staged = await target('kill_stage', STAGE_ROWS);
    built = await target('kill_dbt', ROWS);
    // The stand-in takes a post on /services/slow/... at once and answers 5 s later: the worker dies while Slack answers.
    delivered = await target('kill_deliver', ROWS, (name) => `/services/slow/${name}/kills`);
    const registered = await api('POST', '/v1/datasets/csv', {
      name: fetched.name,
      csvUrl: `${testStack().filesUrl}/_trickle/faults-rows.csv?ms=${FETCH_MS}`,
    });
    expect(registered.status).toBe(201);
    expect((await uploadCsv(staged.name, rowsCsv(STAGE_ROWS))).status).toBe(201);
    expect((await uploadCsv(built.name, rowsCsv(ROWS))).status).toBe(201);
    expect((await uploadCsv(delivered.name, rowsCsv(ROWS))).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    for (const t of [fetched, staged, built, delivered])
      if (t) await api('DELETE', `/v1/destinations/${t.destinationId}`);
    // Leave a worker running for the suites after this one.
    await until('a worker of the stack', () => nextWorker(-1).then(() => true), 60_000);
    console.log(
      `[faults/kills] worker SIGKILLed (${FULL ? 'RELAYBOARD_FAULTS=full' : 'CI scale'}); times from the kill:\n${table(
        ['fault', 'worker back', 'run resumed (step started again)', 'run succeeded'],
        figures.map((f) => [
          f.fault,
          `${(f.workerBackMs / 1000).toFixed(1)} s`,
          `${(f.resumedMs / 1000).toFixed(1)} s`,
          `${(f.succeededMs / 1000).toFixed(1)} s`,
        ]),
      )}`,
    );
  });

  for (let round = 1; round <= KILLS.fetch; round++) {
    it(`during fetch (${round} of ${KILLS.fetch}): the download starts over on the next worker`, async () => {
      const runId = await requestRun(fetched.name, { refresh: true, force: true });
      // Well into the download: the fetch step said it is fetching, and a second has passed (the file takes FETCH_MS).
      let fetchingSince = 0;
      const kill = await killDuring(runId, 'fetch', async () => {
        if (!fetchingSince && (await events(runId, 'fetching % again')).length) fetchingSince = Date.now();
        return fetchingSince > 0 && Date.now() - fetchingSince > 1_500;
      });
      await recover('fetch (a download under way)', runId, 'fetch', kill);
      const run = await finish(runId, [kill]);
      await expectWhole(run, fetched.name, fetched.route, ROWS);
      expect(run.steps[0].metrics.refreshed).toBe('unchanged');
      expect(await attempts(runId)).toBe(2);
    }, 240_000);
  }

  for (let round = 1; round <= KILLS.stage; round++) {
    it(`during stage (${round} of ${KILLS.stage}): the load table is dropped and the load starts over`, async () => {
      const runId = await requestRun(staged.name, { force: true });
      // COPY into the load table is under way.
      const kill = await killDuring(runId, 'stage', async () => (await loadTables(staged.name)).length > 0);
      await recover('stage (COPY into the load table)', runId, 'stage', kill);
      const run = await finish(runId, [kill]);
      await expectWhole(run, staged.name, staged.route, STAGE_ROWS);
      expect(await attempts(runId)).toBe(2);
    }, 240_000);
  }

  for (let round = 1; round <= KILLS.transform; round++) {
    it(`during transform (${round} of ${KILLS.transform}): dbt dies with the worker and the build starts over`, async () => {
      const runId = await requestRun(built.name, { force: true });
      const kill = await killDuring(runId, 'transform', () => dbtProcessesOf(runId).length >= 2);
      await until(`no dbt of run ${runId} left`, () => dbtProcessesOf(runId).length === 0, 10_000);
      await recover('transform (dbt building)', runId, 'transform', kill);
      const run = await finish(runId, [kill]);
      await expectWhole(run, built.name, built.route, ROWS);
      expect(await attempts(runId)).toBe(2);
    }, 240_000);
  }

  for (let round = 1; round <= KILLS.deliver; round++) {
    it(`during deliver (${round} of ${KILLS.deliver}): a digest Slack took is not posted again`, async () => {
      const runId = await requestRun(delivered.name, { force: true });
      // Slack has the digest and has not answered yet.
      const kill = await killDuring(runId, 'deliver', async () => (await posts(delivered.route, runId)).length === 1);
      await recover('deliver (Slack answering)', runId, 'deliver', kill);
      const run = await finish(runId, [kill]);
      await expectWhole(run, delivered.name, delivered.route, ROWS, { unknownDeliveries: [delivered.destinationId] });
      expect(run.deliveryStatus).toBe('unknown');
      expect(run.deliveries.find((d) => d.destinationId === delivered.destinationId)!.error).toContain(
        'the worker stopped while Slack was answering, so the digest may have been delivered; it is not sent again',
      );
      // The stand-in keeps the slow answer 5 s: no second post came meanwhile either.
      await sleep(1_000);
      expect(await posts(delivered.route, runId)).toHaveLength(1);
      expect(await attempts(runId)).toBe(2);
    }, 240_000);
  }

  for (let round = 1; round <= DOUBLE_KILLS; round++) {
    it(`twice within one run (${round} of ${DOUBLE_KILLS}): during fetch, then while dbt builds; BullMQ gives up on the job and the reconciler resumes the run`, async () => {
      const runId = await requestRun(fetched.name, { refresh: true, force: true });
      let fetchingSince = 0;
      const first = await killDuring(runId, 'fetch', async () => {
        if (!fetchingSince && (await events(runId, 'fetching % again')).length) fetchingSince = Date.now();
        return fetchingSince > 0 && Date.now() - fetchingSince > 1_500;
      });
      await recover('twice in one run: 1st kill, fetch', runId, 'fetch', first);
      const second = await killDuring(runId, 'transform', () => dbtProcessesOf(runId).length >= 2);
      await recover('twice in one run: 2nd kill, transform', runId, 'transform', second);
      const run = await finish(runId, [first, second]);
      await expectWhole(run, fetched.name, fetched.route, ROWS);
      expect(await attempts(runId)).toBe(3);
      // The second stall was one more than WORKER_MAX_STALLED_COUNT allows: the reconciler enqueued the run again.
      expect((await events(runId, 'enqueued again to resume from its last unfinished step%')).length).toBe(1);
    }, 240_000);
  }

  it('took each resumed run up again within 45 s of the kill', () => {
    expect(figures.length).toBe(Object.values(KILLS).reduce((a, b) => a + b, 0) + DOUBLE_KILLS * 2);
    expect(figures.filter((f) => !(f.resumedMs < 45_000))).toEqual([]);
  });
});

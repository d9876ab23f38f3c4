import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Run, RunDigest } from '@relayboard/contracts';
import { api, query, removeAllDestinations, runDataset, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack, workerPid } from './stack-env';

interface Received {
  path: string;
  body: { text: string; blocks: unknown[] };
}

const received = async (route: string): Promise<Received[]> =>
  ((await (await fetch(`${testStack().slackUrl}/_received`)).json()) as Received[]).filter((m) => m.path === route);
const answered = async (route: string): Promise<(number | null)[]> =>
  ((await (await fetch(`${testStack().slackUrl}/_requests`)).json()) as { path: string; status: number | null }[])
    .filter((r) => r.path === route)
    .map((r) => r.status);
const delivery = (r: Run, destinationId: string) => r.deliveries.find((d) => d.destinationId === destinationId);

const created: string[] = [];

// Earlier suites' destinations get every dataset's runs; this suite counts each run's deliveries.
beforeAll(() => removeAllDestinations());

/** A destination routed to the given datasets only, so other suites' runs never post to it. */
async function destination(route: string, datasets: string[], settings: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/v1/destinations/slack', {
    webhookUrl: `${testStack().slackUrl}${route}`,
    name: route,
    datasets,
    ...settings,
  });
  expect(res.status).toBe(201);
  created.push(res.body.id);
  return res.body.id as string;
}

afterAll(async () => {
  for (const id of created) await api('DELETE', `/v1/destinations/${id}`);
});

const csv = (rows: string[][]) => `${rows.map((r) => r.join(',')).join('\n')}\n`;
const PEOPLE = [
  ['id', 'name', 'city'],
  ['1', 'Ada', 'London'],
  ['2', 'Grace', 'New York'],
  ['3', 'Edsger', 'Nuenen'],
];

describe('delivering the digest to Slack', () => {
  const name = uniqueName('deliver');
  const routes = {
    rateLimited: `/services/rate-limited/${name}/x`,
    flaky: `/services/flaky/${name}/x`,
    timeout: `/services/timeout-once/${name}/x`,
    gone: `/services/no-service/${name}/x`,
  };
  const ids: Record<string, string> = {};
  let run: Run;

  beforeAll(async () => {
    for (const [key, route] of Object.entries(routes)) ids[key] = await destination(route, [name]);
    expect((await uploadCsv(name, csv(PEOPLE))).status).toBe(201);
    run = await runDataset(name);
  });

  it('keeps the data outcome apart from the delivery outcome', () => {
    expect(run.status).toBe('succeeded');
    expect(run.error).toBeNull();
    expect(run.deliveryStatus).toBe('partial');
    const deliver = run.steps.find((s) => s.name === 'deliver')!;
    expect(deliver.status).toBe('failed');
    expect(deliver.error).toContain('the digest did not reach 1 of 4 destination(s)');
    expect(deliver.metrics).toMatchObject({ destinations: 4, sent: 3, failed: 1 });
  });

  it('waits Retry-After on 429 and posts once', async () => {
    expect(await answered(routes.rateLimited)).toEqual([429, 200]);
    expect(delivery(run, ids.rateLimited)).toMatchObject({
      status: 'sent',
      attempts: 2,
      responseStatus: 200,
      responseBody: 'ok',
    });
    expect(await received(routes.rateLimited)).toHaveLength(1);
  });

  it('tries again after a 500 and after a timeout', async () => {
    expect(await answered(routes.flaky)).toEqual([500, 200]);
    expect(delivery(run, ids.flaky)).toMatchObject({ status: 'sent', attempts: 2 });
    // The first post was held without an answer until the worker gave up on it (SLACK_TIMEOUT_MS).
    expect(await answered(routes.timeout)).toEqual([null, 200]);
    expect(delivery(run, ids.timeout)).toMatchObject({ status: 'sent', attempts: 2 });
    for (const route of [routes.flaky, routes.timeout]) expect(await received(route)).toHaveLength(1);
  });

  it('does not retry a permanent answer, and shows it', async () => {
    expect(await answered(routes.gone)).toEqual([404]);
    expect(delivery(run, ids.gone)).toMatchObject({
      status: 'failed',
      attempts: 1,
      responseStatus: 404,
      responseBody: 'no_service',
    });
    expect(delivery(run, ids.gone)?.error).toMatch(/^Slack answered 404 no_service: the webhook was removed/);
    const summary = (await api('GET', `/v1/runs?datasetName=${name}`)).body.runs[0];
    expect(summary).toMatchObject({ status: 'succeeded', deliveryStatus: 'partial' });
  });

  it('stores the rendered digest with the run, as it was posted', async () => {
    const { status, body } = await api<RunDigest>('GET', `/v1/runs/${run.id}/digest`);
    expect(status).toBe(200);
    expect(body.digest?.text).toBe(`Relayboard: ${name} succeeded: 3 rows (first load)`);
    const [posted] = await received(routes.flaky);
    expect(posted.body).toEqual(body.digest);
    expect((await api('GET', '/v1/runs/00000000-0000-4000-8000-000000000000/digest')).status).toBe(404);
  });
});

describe('routing and notify-on', () => {
  const name = uniqueName('notify');
  const routes = {
    failures: `/services/T1/${name}/failures`,
    changes: `/services/T1/${name}/changes`,
    other: `/services/T1/${name}/other`,
  };
  const ids: Record<string, string> = {};
  const runs: Run[] = [];

  beforeAll(async () => {
    ids.failures = await destination(routes.failures, [name], { notifyOn: 'failures' });
    ids.changes = await destination(routes.changes, [name], { notifyOn: 'changes' });
    ids.other = await destination(routes.other, ['some_other_dataset']);
    expect((await uploadCsv(name, csv(PEOPLE))).status).toBe(201);
    runs.push(await runDataset(name));
    runs.push(await runDataset(name));
    // A new version with a column added: a schema change.
    expect(
      (await uploadCsv(name, csv(PEOPLE.map((r, i) => [...r, i === 0 ? 'born' : '18' + String(15 + i)])))).status,
    ).toBe(200);
    runs.push(await runDataset(name));
    expect(runs.map((r) => r.error)).toEqual([null, null, null]);
  });

  it('sends a failures destination nothing for good runs', async () => {
    expect(await received(routes.failures)).toEqual([]);
    expect(delivery(runs[0], ids.failures)).toMatchObject({
      status: 'skipped',
      skipReason: 'notify on failures, and the run succeeded',
    });
  });

  it('sends a changes destination the first load and the schema change, not the unchanged re-run', async () => {
    expect(runs.map((r) => delivery(r, ids.changes)?.status)).toEqual(['sent', 'skipped', 'sent']);
    expect(delivery(runs[1], ids.changes)?.skipReason).toMatch(/^notify on changes, and nothing changed/);
    const messages = await received(routes.changes);
    expect(messages).toHaveLength(2);
    expect(JSON.stringify(messages[1].body)).toContain('added `born`');
    expect(messages[1].body.text).toContain('3 rows (unchanged)');
  });

  it('sends a destination routed elsewhere nothing', async () => {
    expect(await received(routes.other)).toEqual([]);
    expect(delivery(runs[0], ids.other)).toMatchObject({
      status: 'skipped',
      skipReason: `routed to some_other_dataset, not ${name}`,
    });
  });
});

describe('failure digests', () => {
  const name = uniqueName('failing');
  const route = `/services/T4/${name}/failures`;
  const RAGGED = csv([
    ['id', 'name'],
    ['1', 'Ada'],
    ['2', 'Grace', 'extra'],
  ]);

  it("mention the dataset's owners, and a suppression interval holds back repeats and counts them in the next", async () => {
    const id = await destination(route, [name], { notifyOn: 'failures', suppressHours: 1 });
    expect((await uploadCsv(name, RAGGED)).status).toBe(201);
    expect((await api('PUT', `/v1/datasets/${name}/owners`, { owners: ['U012ABCDEF'] })).status).toBe(200);
    const first = await runDataset(name);
    const second = await runDataset(name);
    expect([first.status, second.status]).toEqual(['failed', 'failed']);
    expect([delivery(first, id)?.status, delivery(second, id)?.status]).toEqual(['sent', 'suppressed']);
    expect(delivery(second, id)?.skipReason).toMatch(/within the 1 h suppression interval$/);

    // A shorter interval that has run out: the next failure digest goes out and counts the one held back.
    expect((await api('PATCH', `/v1/destinations/${id}`, { suppressHours: 0.0001 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    const third = await runDataset(name);
    expect(delivery(third, id)?.status).toBe('sent');
    const messages = await received(route);
    expect(messages).toHaveLength(2);
    expect(messages[0].body.text).toBe(`Relayboard: ${name} failed at stage`);
    expect(JSON.stringify(messages[0].body.blocks)).toContain('cc <@U012ABCDEF>');
    expect(JSON.stringify(messages[1].body.blocks)).toContain('1 more failure digest of this dataset since');
  });
});

describe('text from the CSV in the digest', () => {
  const name = uniqueName('escaped');
  const route = `/services/T2/${name}/escaped`;

  it('arrives escaped: no mention, no disguised link', async () => {
    await destination(route, [name]);
    const hostile = ['<!channel>', '<https://example.com|click>', '<@U123>', 'Tom & Jerry'];
    const rows = [
      ['id', ...hostile.map((h) => `"${h}"`)],
      ['1', ...hostile.map((h) => `"${h}"`)],
      ['2', ...hostile.map((h) => `"${h}"`)],
    ];
    expect((await uploadCsv(name, csv(rows))).status).toBe(201);
    await api('POST', `/v1/datasets/${name}/checks`, {
      kind: 'accepted_values',
      column: 'id',
      values: ['1'],
      severity: 'warn',
    });
    const r = await runDataset(name);
    expect(r.error).toBeNull();
    const [message] = await received(route);
    const json = JSON.stringify(message.body);
    for (const raw of hostile) expect(json).not.toContain(raw);
    expect(json).toContain('&lt;!channel&gt;');
    // Cut to the preview's cell width, escaped all the same.
    expect(json).toContain('&lt;https://example.com');
    expect(json).toContain('Tom &amp; Jerry');
    // The warned check is named with its failing values.
    expect(json).toContain(`${name}__accepted_values_id`);
    expect(json).toContain('value_field=2');
  });
});

describe('a worker killed while Slack is answering', () => {
  const name = uniqueName('killed');
  const slow = `/services/slow/${name}/x`;
  const quick = `/services/T3/${name}/quick`;
  const ids: Record<string, string> = {};
  let worker: ChildProcess | null = null;

  /** A worker like the stack's, that gives a dead worker's job to another within seconds. */
  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'apps', 'worker', 'dist', 'main.js')], {
      env: { ...testStack().appEnv, WORKER_CONCURRENCY: '1', WORKER_LOCK_MS: '3000', WORKER_STALLED_CHECK_MS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker ready')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the test worker exited with ${code}: ${output}`)));
    });
    return child;
  }

  let stackWorker: number | null = null;

  beforeAll(async () => {
    ids.quick = await destination(quick, [name]);
    ids.slow = await destination(slow, [name]);
    expect((await uploadCsv(name, csv(PEOPLE))).status).toBe(201);
    // The stack's own worker is paused, so the runs go to workers this test can kill.
    // (The stack restarts a worker that dies, so it is found by its pid file.)
    stackWorker = workerPid();
    if (!stackWorker) throw new Error('the stack has no worker running (no pid file)');
    process.kill(stackWorker, 'SIGSTOP');
    worker = await startWorker();
  });

  afterAll(() => {
    worker?.kill('SIGKILL');
    if (stackWorker) process.kill(stackWorker, 'SIGCONT');
  });

  it('never posts a digest twice to a destination, and says it may have been delivered', async () => {
    for (let i = 0; i < 5; i++) {
      const started = await api('POST', '/v1/pipelines/run', { datasetName: name });
      const runId = started.body.runId as string;
      const deadline = Date.now() + 120_000;
      // Killed once the slow destination has taken the digest and before it answered.
      for (;;) {
        const [row] = await query<{ status: string }>(
          `select status from relayboard.deliveries where run_id = $1 and destination_id = $2`,
          [runId, ids.slow],
        );
        if (row?.status === 'sending' && (await received(slow)).some((m) => JSON.stringify(m.body).includes(runId)))
          break;
        if (Date.now() > deadline) throw new Error(`run ${runId} never reached the slow destination`);
        await new Promise((r) => setTimeout(r, 100));
      }
      worker!.kill('SIGKILL');
      worker = await startWorker();
      const r = await waitForRun(runId);
      expect(r.status).toBe('succeeded');
      expect(delivery(r, ids.quick)?.status).toBe('sent');
      expect(delivery(r, ids.slow)?.status).toBe('unknown');
      expect(delivery(r, ids.slow)?.error).toContain('may have been delivered');
      expect(r.deliveryStatus).toBe('unknown');
      for (const route of [quick, slow]) {
        expect((await received(route)).filter((m) => JSON.stringify(m.body).includes(runId))).toHaveLength(1);
      }
    }
  });
});

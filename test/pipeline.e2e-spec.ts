import { api, boardSessionHeaders, fixtureUrl, query, slackMessages, uniqueName, waitForRun } from './helpers';
import { testStack } from './stack-env';

describe('a CSV from a URL reaches the warehouse and Slack', () => {
  const dataset = uniqueName('people');
  let runId: string;

  beforeAll(async () => {
    const registered = await api('POST', '/v1/datasets/csv', { name: dataset, csvUrl: fixtureUrl('people.csv') });
    expect(registered.status).toBe(201);
    const destination = await api('POST', '/v1/destinations/slack', {
      webhookUrl: `${testStack().slackUrl}/services/T1/B1/pipeline`,
    });
    expect([200, 201]).toContain(destination.status);
    const started = await api('POST', '/v1/pipelines/run', { datasetName: dataset });
    expect(started.status).toBe(202);
    runId = started.body.runId;
  });

  it('records the dataset with a content-addressed version', async () => {
    const { status, body } = await api('GET', `/v1/datasets/${dataset}`);
    expect(status).toBe(200);
    expect(body.currentVersion.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(body.currentVersion.objectKey).toBe(
      `csv/sha256/${body.currentVersion.sha256.slice(0, 2)}/${body.currentVersion.sha256}`,
    );
    expect(body.currentVersion.sizeBytes).toBe(159);
  });

  it('runs every step to success with metrics', async () => {
    const run = await waitForRun(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['fetch', 'succeeded'],
      ['stage', 'succeeded'],
      ['transform', 'succeeded'],
      ['deliver', 'succeeded'],
    ]);
    const stage = run.steps.find((s) => s.name === 'stage')!;
    expect(stage.metrics).toMatchObject({ rows: 4, bytes: 159, columns: 4 });
    const transform = run.steps.find((s) => s.name === 'transform')!;
    expect(transform.metrics).toMatchObject({ models: 3, tests: 2, testsFailed: 0 });
    expect(run.events.some((e) => e.step === 'transform' && /Completed successfully/.test(e.message))).toBe(true);
  });

  it('puts exactly the CSV rows in warehouse.<dataset>, NULL and empty string kept apart', async () => {
    const rows = await query(`select id, full_name, city, note from warehouse."${dataset}" order by _rb_row`);
    expect(rows).toEqual([
      { id: '1', full_name: 'Lovelace, Ada', city: 'London', note: 'first "programmer"' },
      { id: '2', full_name: 'Grace Hopper', city: 'New York', note: null },
      { id: '3', full_name: 'Alan Turing', city: '', note: 'multi' },
      { id: '4', full_name: 'Édith Piaf', city: 'Paris', note: 'line one\nline two' },
    ]);
  });

  it('posts one Slack message naming the dataset and the row count', async () => {
    // Destinations receive every dataset's runs, so look at this test's webhook only.
    const mine = (await slackMessages()).filter(
      (m) => m.path === '/services/T1/B1/pipeline' && m.body.text.includes(dataset),
    );
    expect(mine).toHaveLength(1);
    expect(mine[0].body.text).toBe(`Relayboard: ${dataset} succeeded: 4 rows (first load)`);
    expect(JSON.stringify(mine[0].body.blocks)).toContain(runId);
  });

  it('lists the run in GET /v1/runs and on the board', async () => {
    const { body } = await api('GET', `/v1/runs?datasetName=${dataset}`);
    expect(body.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    const board = await fetch(`${testStack().webUrl}/`, { headers: boardSessionHeaders() });
    expect(board.status).toBe(200);
    const html = await board.text();
    // The run's own row links to it; the dataset name alone is also in the filter dropdown.
    expect(html).toContain(`href="/runs/${runId}"`);
    const detail = await fetch(`${testStack().webUrl}/runs/${runId}`, { headers: boardSessionHeaders() });
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain('succeeded');
  });
});

describe('a CSV that COPY cannot take', () => {
  it('fails the run with a reason naming the problem, and leaves other datasets alone', async () => {
    const good = uniqueName('good');
    const bad = uniqueName('ragged');
    await api('POST', '/v1/datasets/csv', { name: good, csvUrl: fixtureUrl('people.csv') });
    await api('POST', '/v1/datasets/csv', { name: bad, csvUrl: fixtureUrl('ragged.csv') });
    const goodRun = await waitForRun((await api('POST', '/v1/pipelines/run', { datasetName: good })).body.runId);
    expect(goodRun.status).toBe('succeeded');

    const badRun = await waitForRun((await api('POST', '/v1/pipelines/run', { datasetName: bad })).body.runId);
    expect(badRun.status).toBe('failed');
    expect(badRun.error).toMatch(
      /^stage: the CSV for "ragged_\w+" could not be loaded at line 3 of the file \("3,4,5"\): extra data after last expected column/,
    );
    expect(badRun.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped', 'succeeded']);

    const leftovers = await query(
      `select tablename from pg_tables where schemaname = 'staging' and tablename like $1`,
      [`${bad}%`],
    );
    expect(leftovers).toEqual([]);
    const [{ count }] = await query<{ count: string }>(`select count(*) from warehouse."${good}"`);
    expect(count).toBe('4');
    const failureNotice = (await slackMessages()).filter(
      (m) => m.path === '/services/T1/B1/pipeline' && m.body.text === `Relayboard: ${bad} failed at stage`,
    );
    expect(failureNotice).toHaveLength(1);
    const health = await api('GET', '/health');
    expect(health.status).toBe(200);
  });
});

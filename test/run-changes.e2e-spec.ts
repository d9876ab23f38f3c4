import type { RunSummary } from '@relayboard/contracts';
import {
  api,
  fixtureUrl,
  insertFinishedRuns,
  openRunChanges,
  query,
  statusesOf,
  uniqueName,
  type OpenStream,
} from './helpers';

/**
 * The stream of every run's changes, fed by runs written straight into the database (as
 * a worker or another api process would): cheap, and what a notification carries is
 * the same. A real run's queued, running, succeeded is followed in board-runs.e2e-spec.ts,
 * next to the board watching it.
 */
describe('GET /v1/runs/events (server-sent events of every run)', () => {
  const name = uniqueName('run_changes');
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    expect((await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') })).status).toBe(201);
  });

  afterAll(() => {
    for (const stream of streams) stream.close();
  });

  it('sends each new or changed run to the streams whose dataset and status filters it matches', async () => {
    const [ofDataset, failed, ofOther] = await Promise.all(
      [`?datasetName=${name}`, `?datasetName=${name}&status=failed`, `?datasetName=${uniqueName('nobody')}`].map(
        openRunChanges,
      ),
    );
    streams.push(ofDataset, failed, ofOther);
    expect(ofDataset.status).toBe(200);
    expect(ofDataset.type).toContain('text/event-stream');

    const [good, bad] = await insertFinishedRuns(name, [
      { status: 'succeeded', minutesAgo: 0 },
      { status: 'failed', minutesAgo: 0 },
    ]);
    // Both may come in one batch, and one message can reach the client a chunk after the other.
    await ofDataset.waitFor((run) => run.id === bad);
    await failed.waitFor((run) => run.id === bad);
    expect(await ofDataset.waitFor((run) => run.id === good)).toMatchObject({
      datasetName: name,
      status: 'succeeded',
      trigger: 'test',
    });
    // Each summary is a list item of GET /v1/runs, as the list has it.
    const { body: list } = await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${name}`);
    expect(ofDataset.runs.find((run) => run.id === bad)).toEqual(list.runs.find((run) => run.id === bad));

    // A status filter also sees a run leave its status, once.
    await query(`update relayboard.runs set status = 'canceled' where id = $1`, [bad]);
    await failed.waitFor((run) => run.id === bad && run.status === 'canceled');
    await ofDataset.waitFor((run) => run.id === bad && run.status === 'canceled');
    expect(failed.runs.some((run) => run.id === good)).toBe(false);
    expect(statusesOf(failed, bad)).toEqual(['failed', 'canceled']);
    expect(ofOther.runs.filter((run) => run.datasetName === name)).toEqual([]);
    // An update that changes nothing in the summary (the digest) sends nothing.
    await query(`update relayboard.runs set digest = '{}' where id = $1`, [good]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ofDataset.runs.filter((run) => run.id === good)).toHaveLength(1);
  });

  it('answers 400 in the one error shape for a bad filter', async () => {
    for (const filter of ['?status=done', `?datasetName=${encodeURIComponent('Not A Name')}`, '?dataset=orders']) {
      const res = await api('GET', `/v1/runs/events${filter}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(typeof res.body.error.message).toBe('string');
      expect(res.body.error.details.issues.length).toBeGreaterThan(0);
    }
  });
});

describe('GET /v1/runs pages both ways', () => {
  const name = uniqueName('run_pages');
  let ids: string[];

  beforeAll(async () => {
    expect((await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') })).status).toBe(201);
    // Newest first, as the list answers them.
    ids = await insertFinishedRuns(
      name,
      [6, 7, 8, 9, 10].map((minutesAgo) => ({ status: 'succeeded' as const, minutesAgo })),
    );
  });

  it('goes back from a page with prevCursor as before, and answers the first page when fewer than a page of newer runs remain', async () => {
    const page = (query: string) =>
      api<{ runs: RunSummary[]; nextCursor: string | null; prevCursor: string | null }>(
        'GET',
        `/v1/runs?datasetName=${name}&limit=2${query}`,
      );
    const first = await page('');
    expect(first.body.runs.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.body.prevCursor).toBeNull();
    const second = await page(`&cursor=${first.body.nextCursor}`);
    expect(second.body.runs.map((r) => r.id)).toEqual(ids.slice(2, 4));
    const third = await page(`&cursor=${second.body.nextCursor}`);
    expect(third.body.runs.map((r) => r.id)).toEqual(ids.slice(4));
    expect(third.body.nextCursor).toBeNull();

    const back = await page(`&before=${third.body.prevCursor}`);
    expect(back.body.runs.map((r) => r.id)).toEqual(ids.slice(2, 4));
    expect(back.body.nextCursor).toBe(second.body.nextCursor);
    const backAgain = await page(`&before=${back.body.prevCursor}`);
    expect(backAgain.body).toEqual(first.body);

    const both = await page(`&cursor=${first.body.nextCursor}&before=${first.body.nextCursor}`);
    expect(both.status).toBe(400);
    expect(both.body.error.message).toContain('before: cannot be combined with cursor');
  });
});

import type {
  Dataset,
  DatasetProfile,
  DatasetVersionList,
  RunEvent,
  RunStateMessage,
  RunSummary,
} from '@relayboard/contracts';
import { api, authHeaders, fixtureUrl, registerAndRun, runDataset, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack } from './stack-env';

interface SseMessage {
  id: string | null;
  event: string;
  data: unknown;
}

/** Reads a server-sent event stream until the server ends it (or the deadline passes). */
async function readStream(
  route: string,
  headers: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<{ status: number; type: string | null; messages: SseMessage[] }> {
  const res = await fetch(`${testStack().apiUrl}${route}`, {
    headers: { accept: 'text/event-stream', ...authHeaders(), ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const messages: SseMessage[] = [];
  if (!res.ok || !res.body) return { status: res.status, type: res.headers.get('content-type'), messages };
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        frame
          .split('\n')
          .filter((l) => l && !l.startsWith(':'))
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
      );
      if (fields.data !== undefined)
        messages.push({ id: fields.id ?? null, event: fields.event ?? 'message', data: JSON.parse(fields.data) });
    }
  }
  return { status: res.status, type: res.headers.get('content-type'), messages };
}

describe('GET /v1/runs/:id/events (server-sent events)', () => {
  const name = uniqueName('streamed');

  beforeAll(async () => {
    expect((await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') })).status).toBe(201);
  });

  it("streams a run's events as the worker writes them and its state as it changes, then ends", async () => {
    const started = await api('POST', '/v1/pipelines/run', { datasetName: name });
    const streamed = await readStream(`/v1/runs/${started.body.runId}/events`);
    expect(streamed.status).toBe(200);
    expect(streamed.type).toContain('text/event-stream');
    const events = streamed.messages
      .filter((m) => m.event === 'run-event')
      .map((m) => ({ id: m.id, event: m.data as RunEvent }));
    const states = streamed.messages.filter((m) => m.event === 'run').map((m) => m.data as RunStateMessage);
    const run = await waitForRun(started.body.runId);
    // Every event, once, in order, each with its id as the message id.
    expect(events.map((e) => e.event.id)).toEqual(run.events.map((e) => e.id));
    expect(events.every((e) => e.id === String(e.event.id))).toBe(true);
    expect(events.map((e) => e.event.message)).toEqual(
      expect.arrayContaining(['stage started', 'transform succeeded']),
    );
    // The state went from queued or running to succeeded, with the steps as they went.
    expect(states.length).toBeGreaterThan(1);
    expect(states.at(-1)?.run).toMatchObject({ id: run.id, status: 'succeeded' });
    expect(states.at(-1)?.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(states.some((s) => s.steps.some((step) => step.status === 'running'))).toBe(true);
  });

  it('resumes after Last-Event-ID, and ends at once for a finished run', async () => {
    const { body: runs } = await api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${name}`);
    const run = await waitForRun(runs.runs[0].id);
    const events = run.events;
    const resumed = await readStream(`/v1/runs/${run.id}/events`, {
      'last-event-id': String(events[events.length - 3].id),
    });
    expect(resumed.messages.filter((m) => m.event === 'run-event').map((m) => (m.data as RunEvent).id)).toEqual(
      events.slice(-2).map((e) => e.id),
    );
    expect(resumed.messages.filter((m) => m.event === 'run')).toHaveLength(1);
  });

  it('answers 404 with the error body for an unknown run', async () => {
    const missing = await api('GET', '/v1/runs/00000000-0000-4000-8000-000000000000/events');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('run_not_found');
  });
});

describe('pages with a cursor', () => {
  const prefix = uniqueName('paged');
  const names = [`${prefix}_a`, `${prefix}_b`, `${prefix}_c`];

  beforeAll(async () => {
    for (const name of names) expect((await registerAndRun(name, 'people.csv')).error).toBeNull();
  });

  it('pages through runs newest first without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/runs?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res: { status: number; body: { runs: RunSummary[]; nextCursor: string | null } } = await api('GET', query);
      expect(res.status).toBe(200);
      expect(res.body.runs.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.runs.map((r) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const first = (await api<{ runs: RunSummary[] }>('GET', '/v1/runs?limit=5')).body.runs.map((r) => r.id);
    expect(seen.slice(0, 5)).toEqual(first);
    const lists = await Promise.all(names.map((n) => api<{ runs: RunSummary[] }>('GET', `/v1/runs?datasetName=${n}`)));
    // Each run in a list carries the rows its stage step loaded: no read per run for a chart.
    expect(lists.map((l) => l.body.runs[0].rows)).toEqual([4, 4, 4]);
    const mine = lists.map((r) => r.body.runs[0].id);
    // Newest first: the last registered dataset's run comes first.
    expect(seen.filter((id) => mine.includes(id))).toEqual([...mine].reverse());
  });

  it('pages through datasets by name, each with its newest run', async () => {
    const first = await api<{ datasets: Dataset[]; nextCursor: string | null }>('GET', `/v1/datasets?limit=1`);
    expect(first.body.datasets).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const all: Dataset[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { datasets: Dataset[]; nextCursor: string | null } } = await api(
        'GET',
        `/v1/datasets?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      all.push(...res.body.datasets);
      cursor = res.body.nextCursor;
    } while (cursor);
    const sorted = all.map((d) => d.name);
    expect(sorted).toEqual([...sorted].sort());
    const mine = all.filter((d) => names.includes(d.name));
    expect(mine.map((d) => d.name)).toEqual(names);
    for (const d of mine) expect(d.lastRun).toMatchObject({ status: 'succeeded', deliveryStatus: expect.any(String) });
  });

  it('refuses a cursor it did not give out', async () => {
    const bad = await api('GET', '/v1/runs?cursor=bm90LWEtY3Vyc29y');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('cursor: is not a cursor this api gave out');
    expect((await api('GET', '/v1/datasets?cursor=%%%')).status).toBe(400);
    expect((await api('GET', '/v1/datasets?limit=0')).status).toBe(400);
  });
});

describe("GET /v1/datasets/:name/profile and the versions' cursor", () => {
  const name = uniqueName('profiled');

  it("has no profile before a run, and each column's null share, distinct values and cast failures after one", async () => {
    expect((await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') })).status).toBe(201);
    const before = await api<DatasetProfile>('GET', `/v1/datasets/${name}/profile`);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ runId: null, profiledAt: null, columns: [] });

    const run = await runDataset(name);
    expect(run.status).toBe('succeeded');
    const { body } = await api<DatasetProfile>('GET', `/v1/datasets/${name}/profile`);
    expect(body.runId).toBe(run.id);
    expect(body.columns.map((c) => c.column)).toEqual(['id', 'full_name', 'city', 'note']);
    // people.csv: four rows, one without a note, one with an empty city.
    expect(body.columns.find((c) => c.column === 'note')).toMatchObject({
      originalName: 'note',
      type: 'text',
      rows: 4,
      nulls: 1,
      nullShare: 0.25,
      distinct: 3,
      castFailures: 0,
    });
    expect(body.columns.find((c) => c.column === 'full_name')).toMatchObject({
      originalName: 'Full Name',
      nulls: 0,
      nullShare: 0,
    });
    expect(body.columns.find((c) => c.column === 'id')).toMatchObject({ type: 'bigint', min: '1', max: '4' });
  });

  it('answers 404 for an unknown dataset', async () => {
    const res = await api('GET', `/v1/datasets/${uniqueName('nobody')}/profile`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('dataset_not_found');
  });

  it('pages through versions newest first', async () => {
    for (const csv of ['a\n1\n', 'a\n2\n']) expect((await uploadCsv(name, csv)).status).toBe(200);
    const first = await api<DatasetVersionList>('GET', `/v1/datasets/${name}/versions?limit=2`);
    expect(first.body.versions).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api<DatasetVersionList>(
      'GET',
      `/v1/datasets/${name}/versions?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.versions).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.versions, ...second.body.versions];
    expect(new Set(all.map((v) => v.id)).size).toBe(3);
    expect(all[0].sha256).toBe((await api<Dataset>('GET', `/v1/datasets/${name}`)).body.currentVersion!.sha256);
    expect((await api('GET', `/v1/datasets/${name}/versions?limit=0`)).status).toBe(400);
  });
});

describe('GET /v1/datasets?prefix=', () => {
  it('lists only the datasets whose name starts with the prefix, treating _ as a character', async () => {
    const base = uniqueName('prefixed');
    for (const name of [`${base}_a`, `${base}_b`, `${base}x`])
      expect((await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') })).status).toBe(201);
    const { body } = await api<{ datasets: Dataset[] }>('GET', `/v1/datasets?prefix=${base}_&limit=10`);
    expect(body.datasets.map((d) => d.name)).toEqual([`${base}_a`, `${base}_b`]);
    const refused = await api('GET', '/v1/datasets?prefix=Robert%27)%3B--');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('prefix');
  });
});

import { api, authHeaders, query, removeAllDestinations, uniqueName, uploadCsv, waitForRun } from '../helpers';
import { testStack, workerPid } from '../stack-env';
import { FULL, percentile, requestRun, rssKb, scale, sleep, table } from './helpers';

/**
 * Many run requests over many small datasets at once, on loopback: every run ends
 * succeeded and whole, the worker's memory stays bounded (its RSS sampled every
 * second), and the api keeps answering `GET /v1/runs/:id` (p50 and p99 under load
 * against idle are printed for docs/reliability.md).
 *
 * The requests are not forced, as a scheduler or a person clicking "Run now" again
 * would send them: a request for a dataset that already has a queued run is answered
 * with that run, so each dataset has at most one run running and one queued.
 *
 * Scale: RELAYBOARD_FAULTS=full (pnpm test:faults) sends 500 requests over 50
 * datasets; CI sends 100 over 10 (dbt takes 5-15 s a run on 2 shared cores).
 */

const DATASETS = scale(10, 50);
const REQUESTS = scale(100, 500);
/** POSTs in flight at once. */
const PARALLEL = 25;
const ROWS = 200;
/** The whole load must be done within this (2 cores shared with other work; dbt takes seconds a run). */
const DEADLINE_MS = scale(15, 120) * 60_000;
/** A `GET /v1/runs/:id` slower than this counts as the api not answering. */
const GET_TIMEOUT_MS = 10_000;
/** The worker's resident memory may grow by at most this over the load (it was ~150 MB at rest when measured). */
const RSS_GROWTH_BOUND_KB = 512 * 1024;

const csv = (seed: number) =>
  `id,name,city\n${Array.from({ length: ROWS }, (_, i) => `${i + 1},name ${seed}-${i + 1},city ${i % 9}`).join('\n')}\n`;

/** One timed GET of the run; null when it failed or took longer than GET_TIMEOUT_MS. */
async function timedGet(runId: string): Promise<number | null> {
  const started = performance.now();
  try {
    const res = await fetch(`${testStack().apiUrl}/v1/runs/${runId}`, {
      headers: authHeaders(),
      signal: AbortSignal.timeout(GET_TIMEOUT_MS),
    });
    await res.arrayBuffer();
    return res.status === 200 ? performance.now() - started : null;
  } catch {
    return null;
  }
}

const ms = (v: number) => `${v.toFixed(1)} ms`;

describe(`${REQUESTS} run requests over ${DATASETS} datasets at once (${FULL ? 'full' : 'CI'} scale)`, () => {
  const names = Array.from({ length: DATASETS }, (_, i) => uniqueName(`load${i}`));
  const route = `/services/T11/${names[0]}/load`;
  let destinationId: string;
  let probeRunId: string;

  beforeAll(async () => {
    // Only this suite's destination: other suites' (slow or failing ones too) would get every run.
    await removeAllDestinations();
    const created = await api('POST', '/v1/destinations/slack', {
      webhookUrl: `${testStack().slackUrl}${route}`,
      name: route,
      datasets: names,
    });
    expect(created.status).toBe(201);
    destinationId = created.body.id as string;
    for (const [i, name] of names.entries()) expect((await uploadCsv(name, csv(i))).status).toBe(201);
    // A finished run whose reads are timed idle and under load.
    const probe = await waitForRun(await requestRun(names[0]));
    expect(probe.status).toBe('succeeded');
    probeRunId = probe.id;
  }, 300_000);

  afterAll(() => api('DELETE', `/v1/destinations/${destinationId}`));

  it(
    'ends every run succeeded and whole, with the worker bounded in memory and the api answering',
    async () => {
      // Idle: nothing else running (after a few reads that warm the api up).
      for (let i = 0; i < 20; i++) await timedGet(probeRunId);
      const idle: number[] = [];
      for (let i = 0; i < 200; i++) idle.push((await timedGet(probeRunId))!);
      expect(idle.every((t) => t !== null)).toBe(true);
      process.stdout.write(
        `[faults/load] GET /v1/runs/:id idle: p50 ${ms(percentile(idle, 50))}, p99 ${ms(percentile(idle, 99))}\n`,
      );

      const pid = workerPid()!;
      expect(pid).toBeGreaterThan(0);
      const rss: number[] = [rssKb(pid)!];
      const sampler = setInterval(() => {
        const kb = rssKb(pid);
        if (kb !== null) rss.push(kb);
      }, 1_000);

      // Reads under load: one after another, for as long as runs are going.
      let loading = true;
      const loaded: (number | null)[] = [];
      const reader = (async () => {
        while (loading) {
          loaded.push(await timedGet(probeRunId));
          await sleep(50);
        }
      })();

      const startedAt = Date.now();
      const ids: string[] = [];
      const postMs: number[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < REQUESTS) {
            const i = next++;
            const t = performance.now();
            ids.push(await requestRun(names[i % DATASETS]));
            postMs.push(performance.now() - t);
          }
        }),
      );
      const requestedMs = Date.now() - startedAt;
      const distinct = [...new Set(ids)];

      // Every run ends, within the deadline (read from PostgreSQL: polling the api would be load of its own).
      let statuses: { id: string; status: string; started_at: Date | null; finished_at: Date | null }[];
      let reported = Date.now();
      for (;;) {
        statuses = await query(`select id, status, started_at, finished_at from relayboard.runs where id = any($1)`, [
          distinct,
        ]);
        const ended = statuses.filter((r) => ['succeeded', 'failed', 'canceled'].includes(r.status));
        if (ended.length === statuses.length) break;
        if (Date.now() - startedAt > DEADLINE_MS) break;
        if (Date.now() - reported > 60_000) {
          // Progress as it goes (jest prints console.log only at the end), for a long run at full scale.
          reported = Date.now();
          const answered = loaded.filter((t): t is number => t !== null);
          process.stdout.write(
            `[faults/load] ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${ended.length} of ${statuses.length} runs ended (${ended.filter((r) => r.status !== 'succeeded').length} not succeeded); GET under load p50 ${ms(percentile(answered, 50))} p99 ${ms(percentile(answered, 99))} (${loaded.length - answered.length} failed); worker RSS first ${(rss[0] / 1024).toFixed(0)} MB, peak ${(Math.max(...rss) / 1024).toFixed(0)} MB\n`,
          );
        }
        await sleep(2_000);
      }
      const doneMs = Date.now() - startedAt;
      loading = false;
      await reader;
      clearInterval(sampler);

      const peak = Math.max(...rss);
      const durations = statuses
        .filter((r) => r.started_at && r.finished_at)
        .map((r) => r.finished_at!.getTime() - r.started_at!.getTime());
      const answered = loaded.filter((t): t is number => t !== null);
      console.log(
        `[faults/load] ${REQUESTS} requests over ${DATASETS} datasets (${FULL ? 'RELAYBOARD_FAULTS=full' : 'CI scale'}, not forced): ${distinct.length} runs; requests sent in ${(requestedMs / 1000).toFixed(1)} s (POST p50 ${ms(percentile(postMs, 50))}, p99 ${ms(percentile(postMs, 99))}); all ended ${(doneMs / 1000).toFixed(1)} s after the first request\n${table(
          ['measure', 'value'],
          [
            [
              'GET /v1/runs/:id idle p50 / p99',
              `${ms(percentile(idle, 50))} / ${ms(percentile(idle, 99))} (${idle.length} requests)`,
            ],
            [
              'GET /v1/runs/:id under load p50 / p99',
              `${ms(percentile(answered, 50))} / ${ms(percentile(answered, 99))} (${loaded.length} requests, ${loaded.length - answered.length} failed or over ${GET_TIMEOUT_MS} ms)`,
            ],
            [
              'worker RSS first / peak',
              `${(rss[0] / 1024).toFixed(0)} MB / ${(peak / 1024).toFixed(0)} MB (${rss.length} samples)`,
            ],
            [
              'run duration p50 / p99 / max (start to end, waits for its dataset included)',
              `${(percentile(durations, 50) / 1000).toFixed(1)} s / ${(percentile(durations, 99) / 1000).toFixed(1)} s / ${(Math.max(...durations) / 1000).toFixed(1)} s`,
            ],
            ['throughput', `${((distinct.length / doneMs) * 60_000).toFixed(1)} runs a minute`],
          ],
        )}`,
      );

      // Every request got a run; requests for a dataset with a queued run shared it, so there are fewer runs than requests.
      expect(ids).toHaveLength(REQUESTS);
      expect(distinct.length).toBeGreaterThanOrEqual(DATASETS);
      expect(distinct.length).toBeLessThan(REQUESTS);
      expect(statuses).toHaveLength(distinct.length);
      expect(statuses.filter((r) => r.status !== 'succeeded')).toEqual([]);
      // Whole: every dataset's table has its rows, every run posted its digest once.
      for (const name of names)
        expect(await query(`select count(*)::int as n from warehouse."${name}"`)).toEqual([{ n: ROWS }]);
      const received = (await (await fetch(`${testStack().slackUrl}/_received`)).json()) as {
        path: string;
        body: unknown;
      }[];
      const perRun = new Map<string, number>();
      const ours = new Set(distinct);
      for (const m of received.filter((m) => m.path === route)) {
        const id = /runs\/([0-9a-f-]{36})/.exec(JSON.stringify(m.body))?.[1];
        if (id && ours.has(id)) perRun.set(id, (perRun.get(id) ?? 0) + 1);
      }
      expect(distinct.filter((id) => perRun.get(id) !== 1)).toEqual([]);
      // The same worker the whole time (it never died), its memory bounded.
      expect(workerPid()).toBe(pid);
      expect(peak - rss[0]).toBeLessThan(RSS_GROWTH_BOUND_KB);
      // The api answered every read under load.
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((t) => t === null)).toHaveLength(0);
    },
    DEADLINE_MS + 120_000,
  );
});

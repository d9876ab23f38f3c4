import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STEP_NAMES, type Run } from '@relayboard/contracts';
import { api, query, removeAllDestinations, runDataset, uniqueName, uploadCsv } from './helpers';
import { testStack } from './stack-env';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  types: Map<string, string>;
  samples: Sample[];
  ms: number;
}

/** GET /metrics, parsed from Prometheus' text format (no auth: it is outside /v1). */
async function scrape(): Promise<Scrape> {
  const started = Date.now();
  const res = await fetch(`${testStack().apiUrl}/metrics`);
  const text = await res.text();
  const ms = Date.now() - started;
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { types, samples, ms };
}

/** The one sample of name whose labels are exactly these. */
function value(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const found = s.samples.filter(
    (x) =>
      x.name === name &&
      JSON.stringify(Object.entries(x.labels).sort()) === JSON.stringify(Object.entries(labels).sort()),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
  return found[0].value;
}

const delta = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) =>
  value(after, name, labels) - value(before, name, labels);

/** Runs of earlier suites still going would move the counters too: wait until none is queued or running. */
async function quiet(): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const [{ n }] = await query<{ n: string }>(
      `select count(*) as n from relayboard.runs where status in ('queued', 'running')`,
    );
    if (n === '0') return;
    if (Date.now() > deadline) throw new Error(`${n} run(s) still queued or running after 180 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const GOOD_ROWS = 300;
/** 300 rows and one ragged record: rejected (under REJECT_MAX_SHARE), the rest loaded. */
function csv(): string {
  const lines = ['id,name,amount'];
  for (let id = 1; id <= GOOD_ROWS; id++) lines.push(`${id},name ${id},${id}.5`);
  lines.splice(50, 0, '999,ragged,1,extra');
  return `${lines.join('\n')}\n`;
}

describe('GET /metrics', () => {
  const name = uniqueName('metrics');
  const route = `/services/T7/${name}/metrics`;
  let destinationId: string;
  let before: Scrape;
  let after: Scrape;
  let run: Run;

  beforeAll(async () => {
    await removeAllDestinations();
    const created = await api('POST', '/v1/destinations/slack', {
      webhookUrl: `${testStack().slackUrl}${route}`,
      name: route,
      datasets: [name],
    });
    expect(created.status).toBe(201);
    destinationId = created.body.id;
    expect((await uploadCsv(name, csv())).status).toBe(201);
    await quiet();
    before = await scrape();
    run = await runDataset(name);
    after = await scrape();
  });

  afterAll(async () => {
    if (destinationId) await api('DELETE', `/v1/destinations/${destinationId}`);
  });

  it('exposes every named series with its type, and the api process metrics', () => {
    const expected: Record<string, string> = {
      relayboard_runs_total: 'counter',
      relayboard_step_duration_seconds: 'histogram',
      relayboard_rows_loaded_total: 'counter',
      relayboard_rejected_rows_total: 'counter',
      relayboard_queue_jobs: 'gauge',
      relayboard_oldest_queued_seconds: 'gauge',
      relayboard_slack_deliveries_total: 'counter',
      relayboard_dbt_duration_seconds: 'histogram',
      relayboard_api_process_cpu_seconds_total: 'counter',
      relayboard_api_process_resident_memory_bytes: 'gauge',
    };
    for (const s of [before, after]) {
      expect(Object.fromEntries(Object.keys(expected).map((n) => [n, s.types.get(n)]))).toEqual(expected);
      for (const status of ['succeeded', 'failed', 'canceled'])
        expect(value(s, 'relayboard_runs_total', { status })).toBeGreaterThanOrEqual(0);
      for (const outcome of ['sent', 'failed', 'skipped', 'suppressed', 'unknown'])
        expect(value(s, 'relayboard_slack_deliveries_total', { outcome })).toBeGreaterThanOrEqual(0);
      for (const step of STEP_NAMES) {
        // Cumulative buckets: +Inf holds every observation, as _count does.
        expect(value(s, 'relayboard_step_duration_seconds_bucket', { step, le: '+Inf' })).toBe(
          value(s, 'relayboard_step_duration_seconds_count', { step }),
        );
      }
      expect(value(s, 'relayboard_dbt_duration_seconds_bucket', { le: '+Inf' })).toBe(
        value(s, 'relayboard_dbt_duration_seconds_count'),
      );
      expect(value(s, 'relayboard_oldest_queued_seconds')).toBeGreaterThanOrEqual(0);
      expect(
        s.samples
          .filter((x) => x.name === 'relayboard_queue_jobs')
          .map((x) => x.labels.state)
          .sort(),
      ).toEqual(['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children'].sort());
      expect(value(s, 'relayboard_metrics_source_up', { source: 'postgres' })).toBe(1);
      expect(value(s, 'relayboard_metrics_source_up', { source: 'redis' })).toBe(1);
    }
  });

  it('moves by what one run did: its outcome, rows, rejects, steps, dbt build and delivery', () => {
    expect(run.status).toBe('succeeded');
    const stage = run.steps.find((s) => s.name === 'stage')!;
    const transform = run.steps.find((s) => s.name === 'transform')!;
    expect(stage.metrics).toMatchObject({ rows: GOOD_ROWS, rejects: 1 });
    expect(delta(before, after, 'relayboard_runs_total', { status: 'succeeded' })).toBe(1);
    expect(delta(before, after, 'relayboard_runs_total', { status: 'failed' })).toBe(0);
    expect(delta(before, after, 'relayboard_rows_loaded_total')).toBe(GOOD_ROWS);
    expect(delta(before, after, 'relayboard_rejected_rows_total')).toBe(1);
    for (const step of STEP_NAMES)
      expect([step, delta(before, after, 'relayboard_step_duration_seconds_count', { step })]).toEqual([step, 1]);
    const stageSeconds = (Date.parse(stage.finishedAt!) - Date.parse(stage.startedAt!)) / 1000;
    expect(delta(before, after, 'relayboard_step_duration_seconds_sum', { step: 'stage' })).toBeCloseTo(
      stageSeconds,
      2,
    );
    expect(delta(before, after, 'relayboard_dbt_duration_seconds_count')).toBe(1);
    expect(typeof transform.metrics.dbtMs).toBe('number');
    expect(delta(before, after, 'relayboard_dbt_duration_seconds_sum')).toBeCloseTo(
      Number(transform.metrics.dbtMs) / 1000,
      3,
    );
    expect(delta(before, after, 'relayboard_slack_deliveries_total', { outcome: 'sent' })).toBe(1);
    expect(delta(before, after, 'relayboard_slack_deliveries_total', { outcome: 'failed' })).toBe(0);
    expect(delta(before, after, 'relayboard_queue_jobs', { state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'relayboard_queue_jobs', { state: 'active' })).toBe(0);
  });

  it('keeps counting the runs of a deleted dataset, and a scrape stays cheap with many runs', async () => {
    const many = uniqueName('metrics_many');
    expect((await uploadCsv(many, csv())).status).toBe(201);
    const RUNS = 2_000;
    await query(
      `insert into relayboard.runs (dataset_id, status, trigger, error, created_at, started_at, finished_at)
       select d.id, 'failed', 'test', 'failed on purpose by a test', now(), now(), now() from relayboard.datasets d, generate_series(1, $2) where d.name = $1`,
      [many, RUNS],
    );
    const inserted = await scrape();
    expect(delta(after, inserted, 'relayboard_runs_total', { status: 'failed' })).toBe(RUNS);
    // For docs/operations.md: a scrape reads the totals tables, whatever the number of runs.
    const [{ n }] = await query<{ n: string }>(`select count(*) as n from relayboard.runs`);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await scrape()).ms);
    process.stdout.write(`[metrics] GET /metrics with ${n} runs in the database: ${times.join(', ')} ms\n`);

    expect((await api('DELETE', `/v1/datasets/${many}`)).status).toBe(204);
    expect((await api('DELETE', `/v1/datasets/${name}`)).status).toBe(204);
    expect(await query(`select 1 from relayboard.runs where id = $1`, [run.id])).toEqual([]);
    const deleted = await scrape();
    for (const [metric, labels] of [
      ['relayboard_runs_total', { status: 'failed' }],
      ['relayboard_runs_total', { status: 'succeeded' }],
      ['relayboard_rows_loaded_total', {}],
      ['relayboard_slack_deliveries_total', { outcome: 'sent' }],
      ['relayboard_step_duration_seconds_count', { step: 'stage' }],
    ] as const) {
      expect([metric, labels, delta(inserted, deleted, metric, labels)]).toEqual([metric, labels, 0]);
    }
  });

  it("puts an observation on a bucket's bound into that bucket (Prometheus' le), and past the last into +Inf", async () => {
    const probe = `test_probe_${Date.now()}`;
    try {
      for (const v of [0.05, 0.0500001, 99_999])
        await query(`select relayboard.metric_observe($1, '', $2)`, [probe, v]);
      const [row] = await query<{ bounds: number[]; bucket_counts: string[]; count: string; sum: number }>(
        `select * from relayboard.metric_histograms where metric = $1`,
        [probe],
      );
      expect(row.bounds[0]).toBe(0.05);
      expect(row.bucket_counts.map(Number)).toEqual([1, 1, ...Array(row.bounds.length - 2).fill(0), 1]);
      expect(row.count).toBe('3');
      expect(row.sum).toBeCloseTo(99_999.1000001, 5);
    } finally {
      await query(`delete from relayboard.metric_histograms where metric = $1`, [probe]);
    }
  });

  it("writes the worker's and the api's logs as JSON lines; a run's lines carry its id, dataset and step", () => {
    const logDir = path.join(testStack().home, 'logs');
    const parse = (file: string) =>
      readFileSync(path.join(logDir, file), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            throw new Error(`${file} has a line that is not JSON: ${line}`);
          }
        });
    const worker = parse('worker.log');
    const api = parse('api.log');
    expect(worker.some((l) => String(l.msg).includes('worker ready'))).toBe(true);
    expect(api.some((l) => String(l.msg).includes('api listening'))).toBe(true);
    for (const line of [...worker, ...api])
      expect(typeof line.level === 'string' && typeof line.time === 'string' && typeof line.msg === 'string').toBe(
        true,
      );

    const ofRun = worker.filter((l) => l.runId === run.id);
    expect(ofRun.length).toBeGreaterThanOrEqual(STEP_NAMES.length * 2);
    for (const line of ofRun) {
      expect(line).toMatchObject({ service: 'worker', runId: run.id, dataset: name });
      expect('step' in line).toBe(true);
    }
    // Every line that names the run is one of its bound lines.
    expect(worker.filter((l) => String(l.msg).includes(run.id)).every((l) => l.runId === run.id)).toBe(true);
    for (const step of STEP_NAMES) {
      expect(ofRun.filter((l) => l.step === step).map((l) => l.msg)).toEqual(
        expect.arrayContaining([`run ${run.id} ${step} started`, `run ${run.id} ${step} succeeded`]),
      );
    }
    expect(ofRun.find((l) => l.step === null && String(l.msg).endsWith('succeeded'))).toBeDefined();
  });
});

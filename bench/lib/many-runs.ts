import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiCall } from './api.client';
import { writeOrdersCsv } from './orders.csv';
import { REPO_ROOT } from './workspace';

type Run = import('../../packages/contracts/dist/index').Run;

export interface ManyRunsOptions {
  runs: number;
  datasets: number;
  /** Worker processes taking the runs (the stack's own and workers-1 more, each with its own dbt project and temporary folder). */
  workers: number;
  /** WORKER_CONCURRENCY of each worker. */
  concurrency: number;
  apiUrl: string;
  filesUrl: string;
  filesDir: string;
  /** The stack's dbt project (copied for each extra worker, without generated files, as on another machine). */
  projectDir: string;
  /** The stack's app environment (what the stack's own worker runs with). */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface ManyRunsResult {
  runs: number;
  datasets: number;
  workers: number;
  concurrency: number;
  failed: number;
  /** First run's start to last run's end. */
  wallMs: number;
  /** Sum over the runs of their transform steps (dbt build, its locks and the work around it). */
  transformSumMs: number;
  /** Sum over the runs of start to end. */
  runSumMs: number;
  stageSumMs: number;
  dbtSumMs: number;
  medianTransformMs: number;
  parses: Record<string, number>;
  warmStarts: number;
  byWorker: Record<string, number>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const stepMs = (run: Run, name: string) => {
  const step = run.steps.find((s) => s.name === name);
  return step?.startedAt && step.finishedAt ? Date.parse(step.finishedAt) - Date.parse(step.startedAt) : 0;
};

/** A worker beside the stack's, as on a second machine: its own copy of the dbt project and its own temporary folder. */
async function startWorker(o: ManyRunsOptions, label: string): Promise<{ child: ChildProcess; cleanup: () => void }> {
  const projectDir = mkdtempSync(path.join(os.tmpdir(), `rb-bench-${label}-dbt-`));
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), `rb-bench-${label}-tmp-`));
  cpSync(o.projectDir, projectDir, {
    recursive: true,
    filter: (source) => {
      const rel = path.relative(o.projectDir, source);
      return !['target', 'logs', 'dbt_packages', path.join('models', 'relayboard')].some(
        (skip) => rel === skip || rel.startsWith(`${skip}${path.sep}`),
      );
    },
  });
  const output: string[] = [];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps', 'worker', 'dist', 'main.js')], {
    env: { ...o.env, DBT_PROJECT_DIR: projectDir, TMPDIR: tmpDir, WORKER_CONCURRENCY: String(o.concurrency) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Ctrl-C of the benchmark stops the stack; this worker goes with it.
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('worker ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`bench worker ${label} exited with ${code}: ${output.join('')}`)));
  });
  return {
    child,
    cleanup: () => {
      child.kill('SIGKILL');
      rmSync(projectDir, { recursive: true, force: true });
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/**
 * Issue #13's installation-scale figure: `runs` runs over `datasets` datasets
 * (each a small order feed of its own row count, registered over REST), all
 * requested at once and taken by `workers` workers. The first run of each
 * dataset stages its first version and writes its dbt files; later ones are
 * forced runs of the same file. Reports the wall time against the sum of the
 * runs' transform steps: what parallel runs share (less than 1/slots of the sum
 * when they overlap well) or repeat.
 */
export async function manyRuns(o: ManyRunsOptions): Promise<ManyRunsResult> {
  const names = Array.from({ length: o.datasets }, (_, i) => `bench_many_${String(i + 1).padStart(4, '0')}`);
  for (const [i, name] of names.entries()) {
    writeOrdersCsv(path.join(o.filesDir, `${name}.csv`), 200 + i * 7);
    await apiCall(o.apiUrl, 'POST', '/v1/datasets/csv', { name, csvUrl: `${o.filesUrl}/${name}.csv` });
  }
  o.log(`many runs: ${o.datasets} datasets registered; starting ${o.workers - 1} more worker(s)`);
  const extra = [];
  for (let w = 2; w <= o.workers; w++) extra.push(await startWorker(o, `w${w}`));
  try {
    const requestedAt = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < o.runs; i++) {
      const { runId } = await apiCall<{ runId: string }>(o.apiUrl, 'POST', '/v1/pipelines/run', {
        datasetName: names[i % o.datasets],
        force: true,
      });
      ids.push(runId);
    }
    o.log(
      `many runs: ${o.runs} runs requested in ${((Date.now() - requestedAt) / 1000).toFixed(1)} s; waiting for all`,
    );
    const done = new Map<string, Run>();
    let lastReport = Date.now();
    while (done.size < ids.length) {
      for (const id of ids) {
        if (done.has(id)) continue;
        const run = await apiCall<Run>(o.apiUrl, 'GET', `/v1/runs/${id}`);
        if (['succeeded', 'failed', 'canceled'].includes(run.status)) done.set(id, run);
      }
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        o.log(`many runs: ${done.size}/${ids.length} ended`);
      }
      if (done.size < ids.length) await new Promise((r) => setTimeout(r, 1_000));
    }
    const runs = ids.map((id) => done.get(id)!);
    const started = Math.min(...runs.map((r) => Date.parse(r.startedAt ?? r.createdAt)));
    const ended = Math.max(...runs.map((r) => Date.parse(r.finishedAt!)));
    const transforms = runs.map((r) => stepMs(r, 'transform'));
    const parses: Record<string, number> = {};
    let warmStarts = 0;
    const byWorker: Record<string, number> = {};
    for (const r of runs) {
      const transform = r.steps.find((s) => s.name === 'transform');
      const mode = String(transform?.metrics.parse ?? 'none');
      parses[mode] = (parses[mode] ?? 0) + 1;
      const worker = r.events.find((e) => /^attempt \d+ started/.test(e.message))?.data?.worker;
      byWorker[String(worker ?? '?')] = (byWorker[String(worker ?? '?')] ?? 0) + 1;
      if (r.events.some((e) => e.data && e.data.warmStart === true)) warmStarts++;
    }
    return {
      runs: runs.length,
      datasets: o.datasets,
      workers: o.workers,
      concurrency: o.concurrency,
      failed: runs.filter((r) => r.status !== 'succeeded').length,
      wallMs: ended - started,
      transformSumMs: transforms.reduce((a, b) => a + b, 0),
      runSumMs: runs.reduce((sum, r) => sum + (Date.parse(r.finishedAt!) - Date.parse(r.startedAt ?? r.createdAt)), 0),
      stageSumMs: runs.reduce((sum, r) => sum + stepMs(r, 'stage'), 0),
      dbtSumMs: runs.reduce(
        (sum, r) => sum + Number(r.steps.find((s) => s.name === 'transform')?.metrics.dbtMs ?? 0),
        0,
      ),
      medianTransformMs: median(transforms),
      parses,
      warmStarts,
      byWorker,
    };
  } finally {
    for (const w of extra) w.cleanup();
  }
}

import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { apiCall, runToEnd, useApiToken } from './api.client';
import type { GeneratedCsv } from './csv.generator';
import { copyDbtProject, REPO_ROOT, requireBuilt } from './workspace';

type Devstack = typeof import('../../packages/devstack/dist/index');
type Run = import('../../packages/contracts/dist/index').Run;

/** One run of a dataset over REST, from its start to its end, with where its time went. */
export interface WholeRunOutcome {
  ok: boolean;
  error?: string;
  /** Run start to run end (the run's own timestamps). */
  wholeSeconds: number;
  /** The run's stage step. */
  stageSeconds: number;
  /** Seconds of each step, by name. */
  steps: Record<string, number>;
  /** dbt's parse (first line to "Found N models"), when it said. */
  parseSeconds: number | null;
  /** dbt build itself (dbtMs metric of the transform step). */
  dbtSeconds: number | null;
  /** Each dbt node's execution time in seconds, by name, in the order dbt ran them. */
  nodes: { name: string; kind: string; seconds: number; startOffset: number | null }[];
  rows: number | null;
  /** The transform step's events, seconds after the step started: what happened before and after dbt's nodes. */
  transformEvents: { at: number; message: string }[];
}

const secondsBetween = (from: string | null, to: string | null) =>
  from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : NaN;

function outcomeOf(run: Run): WholeRunOutcome {
  const steps = Object.fromEntries(run.steps.map((s) => [s.name, secondsBetween(s.startedAt, s.finishedAt)]));
  const transform = run.steps.find((s) => s.name === 'transform');
  const metric = (name: string) => {
    const value = transform?.metrics[name];
    return typeof value === 'number' ? value / 1000 : null;
  };
  return {
    ok: run.status === 'succeeded',
    error: run.status === 'succeeded' ? undefined : `run ${run.id} ${run.status}: ${run.error}`,
    wholeSeconds: secondsBetween(run.startedAt, run.finishedAt),
    stageSeconds: steps.stage ?? NaN,
    steps,
    parseSeconds: metric('parseMs'),
    dbtSeconds: metric('dbtMs'),
    // When dbt started each node, in seconds after the transform step started: shows which ran side by side.
    nodes: (run.nodes ?? []).map((n) => ({
      name: n.name,
      kind: n.kind,
      seconds: n.executionTime,
      startOffset: n.startedAt && transform?.startedAt ? secondsBetween(transform.startedAt, n.startedAt) : null,
    })),
    rows: run.rows,
    transformEvents: run.events
      .filter((e) => e.step === 'transform' && transform?.startedAt)
      .map((e) => ({ at: secondsBetween(transform!.startedAt, e.createdAt), message: e.message.slice(0, 160) })),
  };
}

export interface WholeRunStack {
  /** Registers the file as a dataset (once) and runs it to its end over REST. */
  run(dataset: string, csv: GeneratedCsv): Promise<WholeRunOutcome>;
  stop(): Promise<void>;
}

/**
 * A whole Relayboard stack of the benchmark's own (PostgreSQL, Redis, S3, api,
 * worker; no board) under `home`, with a copy of dbt/ as its project and the CSV
 * folder served by its file server: runs go through the api, the queue and the
 * worker exactly as a person's do. Ports: PostgreSQL portBase, Redis +1, api +2,
 * Slack stand-in +4, files +5, S3 +10..+21.
 */
export async function startWholeRunStack(
  home: string,
  csvDir: string,
  portBase: number,
  log: (line: string) => void,
): Promise<WholeRunStack> {
  const devstack = requireBuilt<Devstack>('packages/devstack/dist/index.js');
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o755);
  const projectDir = copyDbtProject(path.join(home, 'dbt'));
  // The file server serves one folder; the CSVs are linked into it rather than copied.
  const filesDir = path.join(home, 'files');
  mkdirSync(filesDir);
  const p = portBase;
  log(`starting a whole stack (api, worker, PostgreSQL, Redis, S3) on ports ${p}..${p + 21}`);
  const stack = await devstack.startStack({
    repoRoot: REPO_ROOT,
    home,
    ports: devstack.portsFrom(p),
    web: false,
    filesDir,
    extraEnv: { DBT_PROJECT_DIR: projectDir, WORKER_CONCURRENCY: '1' },
    log: (line) => log(`  stack: ${line}`),
  });
  useApiToken(stack.adminToken);
  const registered = new Set<string>();
  return {
    async run(dataset, csv) {
      if (!registered.has(dataset)) {
        const name = path.basename(csv.file);
        rmSync(path.join(filesDir, name), { force: true });
        symlinkSync(csv.file, path.join(filesDir, name));
        await apiCall(stack.apiUrl, 'POST', '/v1/datasets/csv', { name: dataset, csvUrl: `${stack.filesUrl}/${name}` });
        registered.add(dataset);
      }
      const run = await runToEnd(stack.apiUrl, dataset);
      return outcomeOf(await apiCall<Run>(stack.apiUrl, 'GET', `/v1/runs/${run.id}`));
    },
    async stop() {
      await stack.stop();
    },
  };
}

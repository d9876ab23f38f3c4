import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killRunningChildren, runTimed } from './lib/child.runner';
import { Client } from 'pg';
import { apiCall, runToEnd, useApiToken } from './lib/api.client';
import { seedDatasets } from './lib/datasets.seed';
import { manyRuns } from './lib/many-runs';
import { parseNumberOptions } from './lib/number-options';
import { writeOrdersCsv } from './lib/orders.csv';
import { copyDbtProject, REPO_ROOT, requireBuilt, staleBuilds } from './lib/workspace';

type Devstack = typeof import('../packages/devstack/dist/index');
type Config = typeof import('../packages/config/dist/index');
type Run = import('../packages/contracts/dist/index').Run;

const USAGE = `Usage: pnpm bench:dbt [options]

  --rows N         rows of the generated CSV (default 1000)
  --datasets N[,N...]
                   datasets registered while the run is measured, in rounds (default 1):
                   the benchmark's own dataset plus N-1 small ones of varied schemas
  --runs N         timed runs of each measurement; medians are reported (default 3)
  --many-runs N    instead of the rounds above: N runs over --many-datasets datasets, all
                   requested at once and taken by --workers workers; reports the wall time
                   against the sum of the runs' transform steps (issue #13; default 0: off)
  --many-datasets N  datasets of --many-runs (default 100)
  --workers N      worker processes of --many-runs (default 2)
  --worker-concurrency N
                   WORKER_CONCURRENCY of each of them (default 1)
  --port-base N    the benchmark's stack: PostgreSQL on N, Redis N+1, api N+2, files N+5,
                   S3 N+10..N+21 (default 35000)
  --help           this text
`;

const DATASET = 'bench_dbt';
const log = (line: string) => console.log(`bench: ${line}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** --datasets 1,100,1000: taken out of the command line before the whole-number options are read. */
function datasetCounts(): number[] {
  const at = process.argv.findIndex((a) => a === '--datasets' || a.startsWith('--datasets='));
  if (at < 0) return [1];
  const arg = process.argv[at];
  const text = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : process.argv[at + 1];
  process.argv.splice(at, arg.includes('=') ? 1 : 2);
  const counts = String(text ?? '')
    .split(',')
    .map(Number);
  if (!counts.length || counts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--datasets takes whole numbers of at least 1, comma-separated; got "${text}"\n\n${USAGE}`);
  return [...new Set(counts)].sort((a, b) => a - b);
}

/** Resident memory of a process, current and peak (VmRSS, VmHWM), in MB; 0 when it is gone. */
function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** The pids of a process's descendants (dbt-guard and dbt, while a build runs). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Samples the worker's and its children's resident memory every 200 ms until stopped; the peaks in MB. */
function watchMemory(workerPid: number): () => { worker: number; dbt: number } {
  let dbt = 0;
  const timer = setInterval(() => {
    const sum = descendants(workerPid).reduce((total, pid) => total + memoryOf(pid).rss, 0);
    dbt = Math.max(dbt, sum);
  }, 200);
  return () => {
    clearInterval(timer);
    return { worker: memoryOf(workerPid).peak, dbt };
  };
}

function options() {
  const datasets = datasetCounts();
  const o = parseNumberOptions(USAGE, {
    rows: { default: 1000, min: 1 },
    runs: { default: 3, min: 1 },
    'port-base': { default: 35000, min: 1024 },
    'many-runs': { default: 0, min: 0 },
    'many-datasets': { default: 100, min: 1 },
    workers: { default: 2, min: 1 },
    'worker-concurrency': { default: 1, min: 1 },
  });
  return {
    rows: o.rows,
    runs: o.runs,
    portBase: o['port-base'],
    datasets,
    manyRuns: o['many-runs'],
    manyDatasets: o['many-datasets'],
    workers: o.workers,
    workerConcurrency: o['worker-concurrency'],
  };
}

async function runPipeline(apiUrl: string): Promise<Run> {
  const run = await runToEnd(apiUrl, DATASET);
  if (run.status !== 'succeeded') throw new Error(`run ${run.id} ${run.status}: ${run.error}`);
  return run;
}

/** The transform step's dbt parse time in ms (its parseMs metric), or null. */
const parseMsOf = (metrics: Run['steps'][number]['metrics']) =>
  typeof metrics.parseMs === 'number' ? metrics.parseMs : null;

const stepMs = (run: Run, name: string) => {
  const step = run.steps.find((s) => s.name === name)!;
  return Date.parse(step.finishedAt!) - Date.parse(step.startedAt!);
};

async function main(): Promise<void> {
  const args = options();
  const stale = staleBuilds(['packages/devstack', 'packages/config', 'apps/api', 'apps/worker']);
  if (stale.length)
    log(`warning: ${stale.join(', ')} changed since the last build; run \`pnpm build:ts\` to measure the current code`);
  const devstack = requireBuilt<Devstack>('packages/devstack/dist/index.js');
  const { dbtEnvironment, loadConfig } = requireBuilt<Config>('packages/config/dist/index.js');

  const home = mkdtempSync(path.join(os.tmpdir(), 'relayboard-bench-dbt-'));
  // PostgreSQL runs as the postgres OS user when we are root; it must be able to enter the folder.
  chmodSync(home, 0o755);
  const projectDir = copyDbtProject(path.join(home, 'dbt'));
  const filesDir = path.join(home, 'files');
  mkdirSync(filesDir);
  writeOrdersCsv(path.join(filesDir, 'orders.csv'), args.rows);

  const p = args.portBase;
  const stack = await devstack.startStack({
    repoRoot: REPO_ROOT,
    home,
    ports: devstack.portsFrom(p),
    web: false,
    filesDir,
    extraEnv: {
      DBT_PROJECT_DIR: projectDir,
      WORKER_CONCURRENCY: String(args.manyRuns ? args.workerConcurrency : 1),
    },
    log,
  });
  useApiToken(stack.adminToken);
  const stop = async () => {
    killRunningChildren();
    await stack.stop();
    rmSync(home, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    if (args.manyRuns) {
      await reportManyRuns(args, stack, filesDir, projectDir);
      return;
    }
    const config = loadConfig(stack.env);
    // As `./relayboard dbt` does: the datasets the worker generated models for.
    const generatedDatasets = () =>
      readdirSync(path.join(projectDir, 'models', 'relayboard'), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .join(',');
    const dbt = (dbtArgs: string[]) =>
      runTimed(config.dbt.bin, [...dbtArgs, '--project-dir', projectDir, '--profiles-dir', projectDir], {
        cwd: projectDir,
        env: { ...dbtEnvironment(config, stack.env), RELAYBOARD_DATASETS: generatedDatasets() },
      }).then((r) => {
        if (r.code !== 0) throw new Error(`dbt ${dbtArgs.join(' ')} failed:\n${r.output}`);
        return r.seconds * 1000;
      });
    const byHand = ['build', '--select', `source:staging.${DATASET}+`];
    const workerPid = stack.processes.find((p) => p.name === 'worker')!.child.pid!;
    const pg = new Client({ connectionString: config.databaseUrl });
    await pg.connect();

    await apiCall(stack.apiUrl, 'POST', '/v1/datasets/csv', { name: DATASET, csvUrl: `${stack.filesUrl}/orders.csv` });
    log(`warming up: one pipeline run and one dbt build by hand (${args.rows} rows)`);
    await runPipeline(stack.apiUrl);
    await dbt(byHand);

    interface Round {
      datasets: number;
      seedS: number;
      firstRun: { totalMs: number; parse: string; parseMs: number | null };
      pipeline: number;
      stage: number;
      hand: number;
      parseMs: number | null;
      parseModes: string[];
      workerMb: number;
      dbtMb: number;
      full: number;
      partial: number;
    }
    const rounds: Round[] = [];
    let registered = 1;
    for (const count of args.datasets) {
      const seedStarted = Date.now();
      await seedDatasets(pg, DATASET, registered, count - 1);
      registered = count;
      const seedS = (Date.now() - seedStarted) / 1000;
      // The first run after datasets were added writes their files and parses them.
      const first = await runPipeline(stack.apiUrl);
      const firstTransform = first.steps.find((s) => s.name === 'transform')!;
      const firstRun = {
        totalMs: Date.parse(firstTransform.finishedAt!) - Date.parse(first.startedAt!),
        parse: String(firstTransform.metrics.parse ?? '?'),
        parseMs: parseMsOf(firstTransform.metrics),
      };
      log(
        `${count} dataset(s) registered in ${seedS.toFixed(1)} s; first run after: ${seconds(firstRun.totalMs)} (dbt parse ${firstRun.parse}${firstRun.parseMs === null ? '' : ` ${seconds(firstRun.parseMs)}`})`,
      );
      await dbt(byHand);

      const pipeline: number[] = [];
      const stages: number[] = [];
      const hands: number[] = [];
      const parseMs: number[] = [];
      const parseModes: string[] = [];
      let workerMb = 0;
      let dbtMb = 0;
      for (let i = 1; i <= args.runs; i++) {
        const stopWatch = watchMemory(workerPid);
        const run = await runPipeline(stack.apiUrl);
        const memory = stopWatch();
        workerMb = Math.max(workerMb, memory.worker);
        dbtMb = Math.max(dbtMb, memory.dbt);
        const transform = run.steps.find((s) => s.name === 'transform')!;
        const total = Date.parse(transform.finishedAt!) - Date.parse(run.startedAt!);
        const stage = stepMs(run, 'stage');
        const hand = await dbt(byHand);
        pipeline.push(total);
        stages.push(stage);
        hands.push(hand);
        const ms = parseMsOf(transform.metrics);
        if (ms !== null) parseMs.push(ms);
        parseModes.push(String(transform.metrics.parse ?? '?'));
        log(
          `${count} dataset(s), run ${i}/${args.runs}: run start to transform done ${seconds(total)}; stage ${seconds(stage)} + dbt build by hand ${seconds(hand)} = ${seconds(stage + hand)} (${(total / (stage + hand)).toFixed(2)}x); dbt parse in the run: ${transform.metrics.parse ?? '?'} ${ms === null ? '' : seconds(ms)}; worker peak ${memory.worker.toFixed(0)} MB, dbt ${memory.dbt.toFixed(0)} MB`,
        );
      }

      const parseTarget = path.join(home, 'parse-target');
      const full: number[] = [];
      const partial: number[] = [];
      await dbt(['parse', '--target-path', parseTarget]);
      for (let i = 1; i <= args.runs; i++) {
        full.push(await dbt(['parse', '--no-partial-parse', '--target-path', parseTarget]));
        partial.push(await dbt(['parse', '--target-path', parseTarget]));
      }
      rounds.push({
        datasets: count,
        seedS,
        firstRun,
        pipeline: median(pipeline),
        stage: median(stages),
        hand: median(hands),
        parseMs: parseMs.length ? median(parseMs) : null,
        parseModes,
        workerMb,
        dbtMb,
        full: median(full),
        partial: median(partial),
      });
    }
    await pg.end();

    const base = rounds[0];
    const row = (label: string, cell: (r: Round) => string) => `| ${label} | ${rounds.map(cell).join(' | ')} |`;
    console.log(`
dbt benchmark: ${args.rows}-row CSV, medians of ${args.runs} run(s), ${os.availableParallelism()} CPUs

| measurement | ${rounds.map((r) => `${r.datasets} dataset(s)`).join(' | ')} |
|---|${rounds.map(() => '---|').join('')}
${row('run start to transform done (api + queue + worker)', (r) => seconds(r.pipeline))}
${row('stage step + the same `dbt build --select` by hand', (r) => seconds(r.stage + r.hand))}
${row('orchestration ratio (run / stage + by hand)', (r) => `${(r.pipeline / (r.stage + r.hand)).toFixed(2)}x`)}
${row(`run start to transform done / its ${base.datasets}-dataset figure`, (r) => `${(r.pipeline / base.pipeline).toFixed(2)}x`)}
${row("dbt's parse in the run (mode of each timed run)", (r) => `${r.parseMs === null ? '?' : seconds(r.parseMs)} (${r.parseModes.join(', ')})`)}
${row('first run after the datasets were added', (r) => `${seconds(r.firstRun.totalMs)} (parse ${r.firstRun.parse}${r.firstRun.parseMs === null ? '' : ` ${seconds(r.firstRun.parseMs)}`})`)}
${row('worker peak RSS (VmHWM)', (r) => `${r.workerMb.toFixed(0)} MB`)}
${row("dbt's peak RSS during a run (dbt-guard + dbt)", (r) => `${r.dbtMb.toFixed(0)} MB`)}
${row('`dbt parse` of the whole project by hand, full (`--no-partial-parse`)', (r) => seconds(r.full))}
${row('`dbt parse` of the whole project by hand, partial (nothing changed)', (r) => seconds(r.partial))}
`);
    const ratio = base.pipeline / (base.stage + base.hand);
    console.log(
      `target: with ${base.datasets} dataset(s), run start to transform done at most 1.3x stage + dbt by hand: ${ratio <= 1.3 ? 'PASS' : 'MISS'} (${ratio.toFixed(2)}x)`,
    );
    for (const r of rounds.slice(1)) {
      const growth = r.pipeline / base.pipeline;
      console.log(
        `target: with ${r.datasets} datasets, at most 1.5x the ${base.datasets}-dataset figure: ${growth <= 1.5 ? 'PASS' : 'MISS'} (${growth.toFixed(2)}x); worker memory at most 500 MB: ${r.workerMb <= 500 ? 'PASS' : 'MISS'} (${r.workerMb.toFixed(0)} MB)`,
      );
    }
  } finally {
    await stop();
  }
}

async function reportManyRuns(
  args: ReturnType<typeof options>,
  stack: { apiUrl: string; filesUrl: string; env: NodeJS.ProcessEnv },
  filesDir: string,
  projectDir: string,
): Promise<void> {
  const r = await manyRuns({
    runs: args.manyRuns,
    datasets: args.manyDatasets,
    workers: args.workers,
    concurrency: args.workerConcurrency,
    apiUrl: stack.apiUrl,
    filesUrl: stack.filesUrl,
    filesDir,
    projectDir,
    env: stack.env,
    log,
  });
  const slots = r.workers * r.concurrency;
  console.log(`
Many runs: ${r.runs} runs over ${r.datasets} datasets (order feeds of 200 to ${200 + (r.datasets - 1) * 7} rows), requested at once; ${r.workers} worker(s) x ${r.concurrency} slot(s); ${os.availableParallelism()} CPUs

| measurement | value |
|---|---|
| wall time, first run's start to last run's end | ${seconds(r.wallMs)} |
| sum of the runs' transform steps | ${seconds(r.transformSumMs)} |
| wall / sum of transforms | ${(r.wallMs / r.transformSumMs).toFixed(2)}x (1/${slots} = ${(1 / slots).toFixed(2)}x if ${slots} slots overlapped perfectly and nothing else took time) |
| sum of the runs' dbt builds (dbtMs) / of their stage steps | ${seconds(r.dbtSumMs)} / ${seconds(r.stageSumMs)} |
| sum of the runs, start to end (each run's own wall time, waits included) | ${seconds(r.runSumMs)} |
| median transform step | ${seconds(r.medianTransformMs)} |
| dbt parse modes | ${Object.entries(r.parses)
    .map(([mode, n]) => `${mode} ${n}`)
    .join(', ')} |
| builds in a dbt started ahead (DBT_WARM_START) | ${r.warmStarts} of ${r.runs} |
| runs per worker | ${Object.values(r.byWorker).join(', ')} |
| runs that did not succeed | ${r.failed} |
`);
  if (r.failed) throw new Error(`${r.failed} of the ${r.runs} runs did not succeed`);
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});

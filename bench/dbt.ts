import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killRunningChildren, runTimed } from './lib/child.runner';
import { apiCall, runToEnd, useApiToken } from './lib/api.client';
import { parseNumberOptions } from './lib/number-options';
import { writeOrdersCsv } from './lib/orders.csv';
import { REPO_ROOT, requireBuilt, staleBuilds } from './lib/workspace';

type Devstack = typeof import('../packages/devstack/dist/index');
type Config = typeof import('../packages/config/dist/index');
type Run = import('../packages/contracts/dist/index').Run;

const USAGE = `Usage: pnpm bench:dbt [options]

  --rows N         rows of the generated CSV (default 1000)
  --runs N         timed runs of each measurement; medians are reported (default 3)
  --port-base N    the benchmark's stack: PostgreSQL on N, Redis N+1, api N+2, files N+5,
                   S3 N+10..N+21 (default 35000)
  --help           this text
`;

const DATASET = 'bench_dbt';
const log = (line: string) => console.log(`bench: ${line}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function options() {
  const o = parseNumberOptions(USAGE, {
    rows: { default: 1000, min: 1 },
    runs: { default: 3, min: 1 },
    'port-base': { default: 35000, min: 1024 },
  });
  return { rows: o.rows, runs: o.runs, portBase: o['port-base'] };
}

async function runPipeline(apiUrl: string): Promise<Run> {
  const run = await runToEnd(apiUrl, DATASET);
  if (run.status !== 'succeeded') throw new Error(`run ${run.id} ${run.status}: ${run.error}`);
  return run;
}

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
  const projectDir = path.join(home, 'dbt');
  const skip = new Set(
    ['target', 'logs', '.user.yml', path.join('models', 'relayboard')].map((p) => path.join(REPO_ROOT, 'dbt', p)),
  );
  cpSync(path.join(REPO_ROOT, 'dbt'), projectDir, { recursive: true, filter: (source) => !skip.has(source) });
  const filesDir = path.join(home, 'files');
  mkdirSync(filesDir);
  writeOrdersCsv(path.join(filesDir, 'orders.csv'), args.rows);

  const p = args.portBase;
  const stack = await devstack.startStack({
    repoRoot: REPO_ROOT,
    home,
    ports: { postgres: p, redis: p + 1, api: p + 2, web: p + 3, slack: p + 4, files: p + 5, s3: p + 10 },
    web: false,
    filesDir,
    extraEnv: { DBT_PROJECT_DIR: projectDir, WORKER_CONCURRENCY: '1' },
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
    const config = loadConfig(stack.env);
    const dbtEnv = { ...dbtEnvironment(config, stack.env), RELAYBOARD_DATASETS: DATASET };
    const dbt = (dbtArgs: string[]) =>
      runTimed(config.dbt.bin, [...dbtArgs, '--project-dir', projectDir, '--profiles-dir', projectDir], {
        cwd: projectDir,
        env: dbtEnv,
      }).then((r) => {
        if (r.code !== 0) throw new Error(`dbt ${dbtArgs.join(' ')} failed:\n${r.output}`);
        return r.seconds * 1000;
      });
    const byHand = ['build', '--select', `source:staging.${DATASET}+`];

    await apiCall(stack.apiUrl, 'POST', '/v1/datasets/csv', { name: DATASET, csvUrl: `${stack.filesUrl}/orders.csv` });
    log(`warming up: one pipeline run and one dbt build by hand (${args.rows} rows)`);
    await runPipeline(stack.apiUrl);
    await dbt(byHand);

    const pipeline: number[] = [];
    const reference: number[] = [];
    for (let i = 1; i <= args.runs; i++) {
      const run = await runPipeline(stack.apiUrl);
      const transform = run.steps.find((s) => s.name === 'transform')!;
      const total = Date.parse(transform.finishedAt!) - Date.parse(run.startedAt!);
      const stage = stepMs(run, 'stage');
      const hand = await dbt(byHand);
      pipeline.push(total);
      reference.push(stage + hand);
      log(
        `run ${i}/${args.runs}: run start to transform done ${seconds(total)}; stage ${seconds(stage)} + dbt build by hand ${seconds(hand)} = ${seconds(stage + hand)} (${(total / (stage + hand)).toFixed(2)}x); dbt parse in the run: ${transform.metrics.parse ?? '?'}`,
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

    const ratio = median(pipeline) / median(reference);
    const parseRatio = median(partial) / median(full);
    console.log(`
dbt benchmark: ${args.rows}-row CSV, medians of ${args.runs} run(s), ${os.availableParallelism()} CPUs

| measurement | median |
|---|---|
| run start to transform done (api + queue + worker) | ${seconds(median(pipeline))} |
| stage step + the same \`dbt build --select\` by hand | ${seconds(median(reference))} |
| orchestration ratio | ${ratio.toFixed(2)}x |
| \`dbt parse\`, full (\`--no-partial-parse\`) | ${seconds(median(full))} |
| \`dbt parse\`, partial (nothing changed) | ${seconds(median(partial))} |
| partial / full parse | ${parseRatio.toFixed(2)}x |

target: run start to transform done at most 1.3x stage + dbt by hand: ${ratio <= 1.3 ? 'PASS' : 'MISS'} (${ratio.toFixed(2)}x)`);
  } finally {
    await stop();
  }
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});

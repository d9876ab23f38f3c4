import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { apiCall, authHeaders, runToEnd, useApiToken } from './lib/api.client';
import { cloneTemplate, type SeedPlan } from './lib/board.seed';
import { parseNumberOptions } from './lib/number-options';
import { writeOrdersCsv } from './lib/orders.csv';
import { REPO_ROOT, requireBuilt, staleBuilds } from './lib/workspace';

type Devstack = typeof import('../packages/devstack/dist/index');
type Config = typeof import('../packages/config/dist/index');
type Run = import('../packages/contracts/dist/index').Run;

const USAGE = `Usage: pnpm bench:board [options]

  --datasets N     datasets in the large installation (default 500)
  --runs N         runs in the large installation, spread evenly over the datasets (default 10000)
  --samples N      timed requests of each api read (default 200); board pages get a quarter of that
  --port-base N    the benchmark's stack: PostgreSQL on N, Redis N+1, api N+2, board N+3,
                   Slack stand-in N+4, files N+5, S3 N+10..N+21 (default 37000)
  --help           this text
`;

const TEMPLATE = 'bench_board_template';
const log = (line: string) => console.log(`bench: ${line}`);

function options() {
  const o = parseNumberOptions(USAGE, {
    datasets: { default: 500, min: 2 },
    runs: { default: 10000, min: 2 },
    samples: { default: 200, min: 4 },
    'port-base': { default: 37000, min: 1024 },
  });
  return { datasets: o.datasets, runs: o.runs, samples: o.samples, portBase: o['port-base'] };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

interface Timing {
  p50: number;
  p99: number;
  /** Bytes of the last answer, and for board pages the run rows it held. */
  bytes: number;
  runRows: number | null;
}

/** Times `samples` sequential GETs, each to the path `pathFor(i)` gives; the first few warm caches and are not counted. */
async function time(
  baseUrl: string,
  samples: number,
  pathFor: (i: number) => string,
  countRuns: boolean,
): Promise<Timing> {
  const warmup = Math.min(5, Math.ceil(samples / 10));
  const ms: number[] = [];
  let bytes = 0;
  let runRows: number | null = null;
  for (let i = 0; i < samples + warmup; i++) {
    const route = pathFor(i);
    const started = performance.now();
    const res = await fetch(`${baseUrl}${route}`, {
      headers: { accept: countRuns ? 'text/html' : 'application/json', ...authHeaders() },
    });
    // The whole answer: a board page streams its slower sections after the first bytes.
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET ${route} answered ${res.status}: ${body.slice(0, 300)}`);
    if (i >= warmup) ms.push(elapsed);
    bytes = Buffer.byteLength(body);
    if (countRuns) runRows = new Set(body.match(/href="\/runs\/[0-9a-f-]{36}"/g) ?? []).size;
  }
  ms.sort((a, b) => a - b);
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), bytes, runRows };
}

interface Subjects {
  datasets: string[];
  runs: string[];
  failedRuns: string[];
}

async function subjects(pg: Client): Promise<Subjects> {
  const datasets = (await pg.query<{ name: string }>('select name from relayboard.datasets order by name')).rows.map(
    (r) => r.name,
  );
  const runs = (
    await pg.query<{ id: string }>(
      "select id from relayboard.runs where status = 'succeeded' order by random() limit 500",
    )
  ).rows.map((r) => r.id);
  const failedRuns = (
    await pg.query<{ id: string }>("select id from relayboard.runs where status = 'failed' order by random() limit 500")
  ).rows.map((r) => r.id);
  return { datasets, runs, failedRuns };
}

type Read = { label: string; kind: 'api' | 'board'; path: (s: Subjects, i: number) => string };

const pick = <T>(list: T[], i: number) => list[i % list.length];

const READS: Read[] = [
  { label: 'GET /v1/runs?limit=50', kind: 'api', path: () => '/v1/runs?limit=50' },
  { label: 'GET /v1/runs?status=failed&limit=50', kind: 'api', path: () => '/v1/runs?status=failed&limit=50' },
  {
    label: 'GET /v1/runs?datasetName=…&limit=50',
    kind: 'api',
    path: (s, i) => `/v1/runs?datasetName=${pick(s.datasets, i)}&limit=50`,
  },
  { label: 'GET /v1/datasets?limit=100', kind: 'api', path: () => '/v1/datasets?limit=100' },
  { label: 'GET /v1/datasets/:name', kind: 'api', path: (s, i) => `/v1/datasets/${pick(s.datasets, i)}` },
  {
    label: 'GET /v1/datasets/:name/versions',
    kind: 'api',
    path: (s, i) => `/v1/datasets/${pick(s.datasets, i)}/versions?limit=20`,
  },
  {
    label: 'GET /v1/datasets/:name/profile',
    kind: 'api',
    path: (s, i) => `/v1/datasets/${pick(s.datasets, i)}/profile`,
  },
  { label: 'GET /v1/datasets/:name/checks', kind: 'api', path: (s, i) => `/v1/datasets/${pick(s.datasets, i)}/checks` },
  {
    label: 'GET /v1/datasets/:name/lineage',
    kind: 'api',
    path: (s, i) => `/v1/datasets/${pick(s.datasets, i)}/lineage`,
  },
  { label: 'GET /v1/runs/:id', kind: 'api', path: (s, i) => `/v1/runs/${pick(s.runs, i)}` },
  { label: 'GET /v1/runs/:id (failed run)', kind: 'api', path: (s, i) => `/v1/runs/${pick(s.failedRuns, i)}` },
  { label: 'GET /v1/runs/:id/digest', kind: 'api', path: (s, i) => `/v1/runs/${pick(s.runs, i)}/digest` },
  { label: 'board /', kind: 'board', path: () => '/' },
  { label: 'board /?status=failed', kind: 'board', path: () => '/?status=failed' },
  { label: 'board /datasets', kind: 'board', path: () => '/datasets' },
  { label: 'board /datasets/:name', kind: 'board', path: (s, i) => `/datasets/${pick(s.datasets, i)}` },
  { label: 'board /runs/:id', kind: 'board', path: (s, i) => `/runs/${pick(s.runs, i)}` },
  { label: 'board /runs/:id (failed run)', kind: 'board', path: (s, i) => `/runs/${pick(s.failedRuns, i)}` },
];

async function measure(
  stack: { apiUrl: string; webUrl: string },
  pg: Client,
  samples: number,
): Promise<Map<string, Timing>> {
  const s = await subjects(pg);
  const results = new Map<string, Timing>();
  for (const read of READS) {
    const board = read.kind === 'board';
    results.set(
      read.label,
      await time(
        board ? stack.webUrl : stack.apiUrl,
        board ? Math.max(4, Math.floor(samples / 4)) : samples,
        (i) => read.path(s, i),
        board,
      ),
    );
  }
  return results;
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

async function counts(pg: Client) {
  const { rows } = await pg.query<{ datasets: string; runs: string; events: string; nodes: string }>(
    `select (select count(*) from relayboard.datasets) as datasets, (select count(*) from relayboard.runs) as runs,
            (select count(*) from relayboard.run_events) as events, (select count(*) from relayboard.run_node_results) as nodes`,
  );
  return {
    datasets: Number(rows[0].datasets),
    runs: Number(rows[0].runs),
    events: Number(rows[0].events),
    nodes: Number(rows[0].nodes),
  };
}

async function main(): Promise<void> {
  const args = options();
  const stale = staleBuilds(['packages/devstack', 'packages/config', 'packages/contracts', 'apps/api', 'apps/worker']);
  if (stale.length)
    log(`warning: ${stale.join(', ')} changed since the last build; run \`pnpm build\` to measure the current code`);
  if (!existsSync(path.join(REPO_ROOT, 'apps/web/.next/BUILD_ID')))
    throw new Error('the board is not built: run `pnpm build` (or `pnpm --filter @relayboard/web run build`) first');
  const devstack = requireBuilt<Devstack>('packages/devstack/dist/index.js');
  const { loadConfig } = requireBuilt<Config>('packages/config/dist/index.js');

  const home = mkdtempSync(path.join(os.tmpdir(), 'relayboard-bench-board-'));
  chmodSync(home, 0o755);
  const filesDir = path.join(home, 'files');
  mkdirSync(filesDir);
  writeOrdersCsv(path.join(filesDir, 'orders.csv'), 500);

  const p = args.portBase;
  const stack = await devstack.startStack({
    repoRoot: REPO_ROOT,
    home,
    ports: devstack.portsFrom(p),
    web: true,
    filesDir,
    extraEnv: { WORKER_CONCURRENCY: '1' },
    log,
  });
  useApiToken(stack.adminToken);
  const pg = new Client({ connectionString: loadConfig(stack.env).databaseUrl });
  const stop = async () => {
    await pg.end().catch(() => undefined);
    await stack.stop();
    rmSync(home, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    await pg.connect();
    const api = <T>(method: string, route: string, body?: unknown) => apiCall<T>(stack.apiUrl, method, route, body);

    // The template: real runs of one dataset (two succeeded, one failed by a check), with checks, a digest and a delivery each.
    log('making the template: one dataset, three real runs');
    await api('POST', '/v1/destinations/slack', {
      name: 'bench',
      webhookUrl: `${stack.slack.url}/services/T000/B000/bench`,
    });
    await api('POST', '/v1/datasets/csv', { name: TEMPLATE, csvUrl: `${stack.filesUrl}/orders.csv` });
    await api('POST', `/v1/datasets/${TEMPLATE}/checks`, { kind: 'not_null', column: 'order_id' });
    const templates: Run[] = [await runToEnd(stack.apiUrl, TEMPLATE)];
    const failing = await api<{ id: string }>('POST', `/v1/datasets/${TEMPLATE}/checks`, {
      kind: 'accepted_values',
      column: 'status',
      values: ['placed', 'shipped'],
    });
    templates.push(await runToEnd(stack.apiUrl, TEMPLATE));
    await api('DELETE', `/v1/datasets/${TEMPLATE}/checks/${failing.id}`);
    templates.push(await runToEnd(stack.apiUrl, TEMPLATE));
    const statuses = templates.map((r) => r.status).join(', ');
    if (templates.map((r) => r.status).join() !== 'succeeded,failed,succeeded')
      throw new Error(`the template runs ended ${statuses}; expected succeeded, failed, succeeded`);

    const small = await counts(pg);
    log(`measuring the small installation: ${small.datasets} dataset, ${small.runs} runs`);
    const before = await measure(stack, pg, args.samples);

    const plan: SeedPlan = {
      template: TEMPLATE,
      datasets: args.datasets - 1,
      runs: args.runs - small.runs,
      runPattern: [templates[0].id, templates[2].id, templates[0].id, templates[2].id, templates[1].id],
    };
    log(`seeding ${plan.datasets} datasets and ${plan.runs} runs cloned from the template (every fifth run failed)`);
    const seeded = performance.now();
    await cloneTemplate(pg, plan);
    log(`seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const large = await counts(pg);
    log(
      `measuring the large installation: ${large.datasets} datasets, ${large.runs} runs, ${large.events} events, ${large.nodes} dbt node results`,
    );
    const after = await measure(stack, pg, args.samples);

    const lines = READS.map((read) => {
      const a = before.get(read.label)!;
      const b = after.get(read.label)!;
      const rows = b.runRows === null ? '' : ` ${a.runRows} / ${b.runRows}`;
      return `| ${read.label} | ${ms(a.p50)} / ${ms(a.p99)} | ${ms(b.p50)} / ${ms(b.p99)} | ${(b.p50 / a.p50).toFixed(2)}x | ${kib(a.bytes)} / ${kib(b.bytes)} |${rows} |`;
    });
    console.log(`
board benchmark: ${os.availableParallelism()} CPUs; ${args.samples} sequential requests per api read, ${Math.max(4, Math.floor(args.samples / 4))} per board page (whole answer, streamed sections included)
reference: the small installation (${small.datasets} dataset, ${small.runs} runs); large: ${large.datasets} datasets, ${large.runs} runs, ${large.events} events, ${large.nodes} dbt node results

| read | small p50 / p99 ms | large p50 / p99 ms | large / small p50 | answer size small / large | run links small / large |
|---|---|---|---|---|---|
${lines.join('\n')}`);
  } finally {
    await stop();
  }
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});

#!/usr/bin/env node
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Dataset, Run, RunAccepted, RunSummary } from '@relayboard/contracts';
import { ApiClient, ApiError } from './client';
import { resolveConnection, stackHome } from './connection';
import { followRun } from './follow';
import { bytes, count, duration, stepLine, table } from './format';

interface GlobalOptions {
  apiUrl?: string;
  token?: string;
  json?: boolean;
}

const out = process.stdout;
// Piped into head or less that quit: stop quietly, as other command-line tools do.
out.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');
const print = (line = ''): void => {
  out.write(`${line}\n`);
};

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of 1 or more');
  return n;
}

const program = new Command('relayboard')
  .description('Relayboard from a terminal: datasets, runs and tokens over the REST api')
  .addOption(
    new Option(
      '--api-url <url>',
      "the api (default: RELAYBOARD_API_URL, the local stack's .relayboard/api-url, http://127.0.0.1:4000)",
    ),
  )
  .addOption(
    new Option(
      '--token <token>',
      "an api token (default: RELAYBOARD_TOKEN, the local stack's .relayboard/admin-token)",
    ),
  )
  .option('--json', "print the api's JSON instead of text")
  .showHelpAfterError();

function client(): ApiClient {
  const flags = program.opts<GlobalOptions>();
  return new ApiClient(resolveConnection({ flags, env: process.env, home: stackHome(process.env) }));
}

const json = () => program.opts<GlobalOptions>().json === true;
const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null);
const tookOf = (from: string | null, to: string | null) =>
  from && to ? duration(Date.parse(to) - Date.parse(from)) : null;

// --- datasets ---------------------------------------------------------------

const datasets = program.command('datasets').description('register, list and show datasets');

datasets
  .command('add')
  .description('register a CSV by URL (--url) or upload a file (--file; a new version if the dataset exists)')
  .argument('<name>', 'the dataset name (lowercase letters, digits and _)')
  .option('--url <csvUrl>', 'where the api downloads the CSV from')
  .option('--file <path>', 'a CSV (or .csv.gz) file to upload')
  .action(async (name: string, options: { url?: string; file?: string }) => {
    if (!options.url === !options.file) throw new UsageError('give exactly one of --url <csvUrl> or --file <path>');
    const api = client();
    let res: { status: number; body: Dataset };
    if (options.url) {
      res = await api.request<Dataset>('POST', '/v1/datasets/csv', { body: { name, csvUrl: options.url } });
    } else {
      const file = path.resolve(options.file!);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
      const form = new FormData();
      form.append('file', await openAsBlob(file), path.basename(file));
      res = await api.request<Dataset>('POST', `/v1/datasets/${encodeURIComponent(name)}/upload`, { form });
    }
    if (json()) return print(JSON.stringify(res.body, null, 2));
    const version = res.body.currentVersion;
    print(
      `${res.status === 201 ? 'registered' : 'new version of'} dataset ${res.body.name}${version ? `: ${bytes(version.sizeBytes)}, sha256 ${version.sha256.slice(0, 12)}` : ''}`,
    );
    print(`run it with: relayboard run ${res.body.name} --wait`);
  });

datasets
  .command('list')
  .description('datasets by name, with their last run')
  .option('--prefix <prefix>', 'only names that start with it')
  .option('--limit <n>', 'at most this many (1-500)', positiveInt, 100)
  .action(async (options: { prefix?: string; limit: number }) => {
    const query = new URLSearchParams({ limit: String(options.limit) });
    if (options.prefix) query.set('prefix', options.prefix);
    const { body } = await client().request<{ datasets: Dataset[]; nextCursor: string | null }>(
      'GET',
      `/v1/datasets?${query}`,
    );
    if (json()) return print(JSON.stringify(body, null, 2));
    if (body.datasets.length === 0)
      return print(
        options.prefix
          ? `no dataset name starts with ${options.prefix}`
          : 'no datasets yet: add one with relayboard datasets add <name> --url <csvUrl>',
      );
    print(
      table(
        ['NAME', 'SOURCE', 'ROWS', 'SIZE', 'LAST RUN', 'STATUS', 'FINISHED'],
        body.datasets.map((d) => [
          d.name,
          d.sourceType === 'url' ? d.sourceUrl : 'upload',
          d.currentVersion?.rows ?? null,
          d.currentVersion ? bytes(d.currentVersion.sizeBytes) : null,
          d.lastRun?.id ?? null,
          d.lastRun?.status ?? null,
          when(d.lastRun?.finishedAt),
        ]),
      ),
    );
    if (body.nextCursor) print(`(more: raise --limit or narrow with --prefix)`);
  });

datasets
  .command('show')
  .description('a dataset: its source, current version, columns and last run')
  .argument('<name>')
  .action(async (name: string) => {
    const { body: d } = await client().request<Dataset>('GET', `/v1/datasets/${encodeURIComponent(name)}`);
    if (json()) return print(JSON.stringify(d, null, 2));
    print(`dataset ${d.name}`);
    print(`  source     ${d.sourceType === 'url' ? d.sourceUrl : 'uploaded file'}`);
    print(`  created    ${when(d.createdAt)}`);
    const v = d.currentVersion;
    if (v) {
      print(
        `  version    ${v.id} (${bytes(v.sizeBytes)}, sha256 ${v.sha256.slice(0, 12)}${v.rows !== null ? `, ${count(v.rows)} rows` : ''})`,
      );
      if (v.columns?.length)
        print(
          indent(
            table(
              ['COLUMN', 'TYPE'],
              v.columns.map((c) => [c.name, c.type]),
            ),
          ),
        );
    }
    if (d.dbtDisabled)
      print(`  dbt        out of the project since ${when(d.dbtDisabled.at)}: ${d.dbtDisabled.reason}`);
    print(
      d.lastRun
        ? `  last run   ${d.lastRun.id} ${d.lastRun.status}${d.lastRun.finishedAt ? ` at ${when(d.lastRun.finishedAt)}` : ''}`
        : '  last run   none yet',
    );
  });

// --- run ---------------------------------------------------------------------

program
  .command('run')
  .description('start a run of a dataset; with --wait follow it to the end (exit 0 only when it succeeded)')
  .argument('<dataset>')
  .option('--refresh', 'download a URL dataset again first')
  .option('--force', 'a new run even when one of the dataset is already queued')
  .option('--wait', 'follow the run: staging progress (bytes and rows), each step as it finishes, the outcome')
  .action(async (dataset: string, options: { refresh?: boolean; force?: boolean; wait?: boolean }) => {
    const api = client();
    const { body } = await api.request<RunAccepted>('POST', '/v1/pipelines/run', {
      body: { datasetName: dataset, ...(options.refresh && { refresh: true }), ...(options.force && { force: true }) },
    });
    if (!options.wait) {
      if (json()) return print(JSON.stringify(body, null, 2));
      print(
        `run ${body.runId} of ${dataset} ${body.existing ? 'was already queued' : 'queued'}; follow it with relayboard runs show ${body.runId}`,
      );
      return;
    }
    if (!json()) print(`run ${body.runId} of ${dataset} ${body.existing ? 'was already queued' : 'queued'}`);
    const run = await followRun(api, body.runId, { out: json() ? (process.stderr as NodeJS.WriteStream) : out });
    if (json()) print(JSON.stringify(run, null, 2));
    if (run.status !== 'succeeded') process.exitCode = 1;
  });

// --- runs --------------------------------------------------------------------

const runs = program.command('runs').description('list and show runs');

runs
  .command('list')
  .description('runs, newest first')
  .option('--dataset <name>', "only this dataset's runs")
  .option('--status <status>', 'only runs with this status (queued, running, succeeded, failed, canceled, skipped)')
  .option('--limit <n>', 'at most this many (1-200)', positiveInt, 20)
  .action(async (options: { dataset?: string; status?: string; limit: number }) => {
    const query = new URLSearchParams({ limit: String(options.limit) });
    if (options.dataset) query.set('datasetName', options.dataset);
    if (options.status) query.set('status', options.status);
    const { body } = await client().request<{ runs: RunSummary[] }>('GET', `/v1/runs?${query}`);
    if (json()) return print(JSON.stringify(body, null, 2));
    if (body.runs.length === 0) return print('no runs match');
    print(
      table(
        ['RUN', 'DATASET', 'STATUS', 'TRIGGER', 'ROWS', 'DIGEST', 'CREATED', 'TOOK'],
        body.runs.map((r) => [
          r.id,
          r.datasetName,
          r.status,
          r.trigger,
          r.rows,
          r.deliveryStatus,
          when(r.createdAt),
          tookOf(r.startedAt, r.finishedAt),
        ]),
      ),
    );
  });

runs
  .command('show')
  .description('a run: its status, steps, error and digest')
  .argument('<id>')
  .action(async (id: string) => {
    const { body: r } = await client().request<Run>('GET', `/v1/runs/${encodeURIComponent(id)}`);
    if (json()) return print(JSON.stringify(r, null, 2));
    print(`run ${r.id} of ${r.datasetName}: ${r.status}${r.error ? `: ${r.error}` : ''}`);
    print(
      `  trigger ${r.trigger}, created ${when(r.createdAt)}${r.finishedAt ? `, took ${tookOf(r.startedAt, r.finishedAt)}` : ''}${r.rows !== null ? `, ${count(r.rows)} rows` : ''}`,
    );
    if (r.waitingFor) print(`  waiting: ${r.waitingFor.reason}`);
    for (const step of r.steps) print(stepLine(step, { deliveryStatus: r.deliveryStatus }));
    for (const d of r.deliveries)
      print(
        `  digest to ${d.destinationName ?? d.destinationId}: ${d.status}${d.error ? ` (${d.error})` : d.skipReason ? ` (${d.skipReason})` : ''}`,
      );
  });

// --- tokens ------------------------------------------------------------------

interface TokenView {
  id: string;
  name: string;
  scope: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  prefix?: string;
  status?: string;
  token?: string;
}

const tokens = program.command('tokens').description('api tokens (an admin token is needed)');

tokens
  .command('create')
  .description('create a token; its secret is printed once')
  .requiredOption('--name <name>', 'what the token is for (shown in the audit log)')
  .addOption(new Option('--scope <scope>', 'what it may do').choices(['read', 'write', 'admin']).default('read'))
  .option('--expires-in-days <days>', 'it stops working after this many days', positiveInt)
  .action(async (options: { name: string; scope: string; expiresInDays?: number }) => {
    const expiresAt = options.expiresInDays
      ? new Date(Date.now() + options.expiresInDays * 86_400_000).toISOString()
      : undefined;
    const { body } = await client().request<TokenView>('POST', '/v1/tokens', {
      body: { name: options.name, scope: options.scope, ...(expiresAt && { expiresAt }) },
    });
    if (json()) return print(JSON.stringify(body, null, 2));
    print(
      `token ${body.id} (${body.name}, ${body.scope}${body.expiresAt ? `, expires ${when(body.expiresAt)}` : ''}):`,
    );
    print(body.token ?? '');
    print('keep it now: it is shown only once (the api stores a hash of it)');
  });

tokens
  .command('list')
  .description('tokens, without their secrets')
  .action(async () => {
    const { body } = await client().request<{ tokens: TokenView[] }>('GET', '/v1/tokens');
    if (json()) return print(JSON.stringify(body, null, 2));
    print(
      table(
        ['ID', 'NAME', 'SCOPE', 'STATUS', 'PREFIX', 'CREATED', 'EXPIRES', 'LAST USED'],
        body.tokens.map((t) => [
          t.id,
          t.name,
          t.scope,
          t.status,
          t.prefix,
          when(t.createdAt),
          when(t.expiresAt),
          when(t.lastUsedAt),
        ]),
      ),
    );
  });

tokens
  .command('revoke')
  .description('revoke a token: it is refused from now on')
  .argument('<id>')
  .action(async (id: string) => {
    await client().request('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
    if (json()) return print(JSON.stringify({ id, revoked: true }));
    print(`token ${id} revoked`);
  });

class UsageError extends Error {}

program.parseAsync(process.argv).catch((error: Error) => {
  process.stderr.write(`relayboard: ${error.message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
  if (!(error instanceof ApiError) && !(error instanceof UsageError) && process.env.RELAYBOARD_DEBUG)
    process.stderr.write(`${error.stack}\n`);
});

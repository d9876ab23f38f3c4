import { Client } from 'pg';
import type { Run, StagedColumnDto } from '@relayboard/contracts';
import { PipelineQueue } from '@relayboard/queue';
import { testStack } from './stack-env';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export async function api<T = any>(method: string, route: string, body?: unknown, raw?: string): Promise<ApiResponse<T>> {
  const res = await fetch(`${testStack().apiUrl}${route}`, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : undefined,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function waitForRun(runId: string, timeoutMs = 180_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<Run>('GET', `/v1/runs/${runId}`);
    if (['succeeded', 'failed', 'canceled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function slackMessages(): Promise<{ path: string; body: { text: string; blocks: unknown[] } }[]> {
  const res = await fetch(`${testStack().slackUrl}/_received`);
  return (await res.json()) as { path: string; body: { text: string; blocks: unknown[] } }[];
}

export async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: testStack().databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export function fixtureUrl(name: string): string {
  return `${testStack().filesUrl}/${name}`;
}

/** Dataset names unique to one test run, so reruns against a kept stack never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/**
 * Rewrites the columns recorded for the dataset's current version, then runs the
 * pipeline from transform on: the run is recorded with fetch and stage done (as
 * after an attempt that died in transform) and handed to the queue, so dbt builds
 * from these columns.
 */
export async function transformWithColumns(name: string, edit: (columns: StagedColumnDto[]) => StagedColumnDto[]): Promise<Run> {
  const [dataset] = await query<{ id: string; version_id: string; columns: StagedColumnDto[] }>(
    `select d.id, v.id as version_id, v.columns from relayboard.datasets d join relayboard.dataset_versions v on v.id = d.current_version_id where d.name = $1`,
    [name],
  );
  await query(`update relayboard.dataset_versions set columns = $1 where id = $2`, [JSON.stringify(edit(dataset.columns)), dataset.version_id]);
  const [created] = await query<{ id: string }>(
    `insert into relayboard.runs (dataset_id, dataset_version_id, status, trigger) values ($1, $2, 'queued', 'test') returning id`,
    [dataset.id, dataset.version_id],
  );
  await query(
    `insert into relayboard.run_steps (run_id, name, position, status) values
       ($1, 'fetch', 0, 'succeeded'), ($1, 'stage', 1, 'succeeded'), ($1, 'transform', 2, 'pending'), ($1, 'deliver', 3, 'pending')`,
    [created.id],
  );
  const queue = new PipelineQueue(testStack().redisUrl, 1);
  try {
    await queue.enqueueRun(created.id);
  } finally {
    await queue.close();
  }
  return waitForRun(created.id);
}

/** Uploads a CSV body as a new dataset (or a new version of one) over the multipart route. */
export async function uploadCsv(name: string, csv: string | Buffer, filename = 'data.csv'): Promise<ApiResponse> {
  const form = new FormData();
  form.append('file', new Blob([csv]), filename);
  const res = await fetch(`${testStack().apiUrl}/v1/datasets/${name}/upload`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

/** Registers a fixture by URL and runs it once; returns the finished run. */
export async function registerAndRun(name: string, fixture: string): Promise<Run> {
  const created = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl(fixture) });
  if (created.status !== 201) throw new Error(`registering ${name} answered ${created.status}: ${JSON.stringify(created.body)}`);
  return runDataset(name);
}

/** Triggers a run of the dataset and waits for it to end. */
export async function runDataset(name: string): Promise<Run> {
  const { status, body } = await api('POST', '/v1/pipelines/run', { datasetName: name });
  if (status !== 202) throw new Error(`POST /v1/pipelines/run for ${name} answered ${status}: ${JSON.stringify(body)}`);
  return waitForRun(body.runId as string);
}

/**
 * Deletes every destination. A destination routed to every dataset gets the
 * runs of every later suite, so suites that add failing or slow ones, or that
 * count a run's deliveries, clear them.
 */
export async function removeAllDestinations(): Promise<void> {
  const { body } = await api<{ destinations: { id: string }[] }>('GET', '/v1/destinations');
  for (const d of body.destinations) await api('DELETE', `/v1/destinations/${d.id}`);
}

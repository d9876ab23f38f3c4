import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import {
  BOARD_SESSION_COOKIE,
  runSummarySchema,
  type Run,
  type RunStatus,
  type RunSummary,
  type StagedColumnDto,
} from '@relayboard/contracts';
import { PipelineQueue } from '@relayboard/queue';
import { testStack } from './stack-env';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** The Authorization header of the stack's admin token, which every request of the tests carries unless a test means otherwise. */
export function authHeaders(token: string = testStack().adminToken): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The Cookie header of a board session signed in with the admin token, for fetches of board pages and route handlers. */
export function boardSessionHeaders(token: string = testStack().adminToken): Record<string, string> {
  return { cookie: `${BOARD_SESSION_COOKIE}=${token}` };
}

export async function api<T = any>(
  method: string,
  route: string,
  body?: unknown,
  raw?: string,
): Promise<ApiResponse<T>> {
  return apiAs(testStack().adminToken, method, route, body, raw);
}

/** Like api() with another token (null: none at all). */
export async function apiAs<T = any>(
  token: string | null,
  method: string,
  route: string,
  body?: unknown,
  raw?: string,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = token === null ? {} : authHeaders(token);
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${testStack().apiUrl}${route}`, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function waitForRun(runId: string, timeoutMs = 180_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<Run>('GET', `/v1/runs/${runId}`);
    if (['succeeded', 'failed', 'canceled', 'skipped'].includes(body.status)) return body;
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
export async function transformWithColumns(
  name: string,
  edit: (columns: StagedColumnDto[]) => StagedColumnDto[],
): Promise<Run> {
  const [dataset] = await query<{ id: string; version_id: string; columns: StagedColumnDto[] }>(
    `select d.id, v.id as version_id, v.columns from relayboard.datasets d join relayboard.dataset_versions v on v.id = d.current_version_id where d.name = $1`,
    [name],
  );
  await query(`update relayboard.dataset_versions set columns = $1 where id = $2`, [
    JSON.stringify(edit(dataset.columns)),
    dataset.version_id,
  ]);
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
  const res = await fetch(`${testStack().apiUrl}/v1/datasets/${name}/upload`, {
    method: 'POST',
    body: form,
    headers: authHeaders(),
  });
  return { status: res.status, body: await res.json() };
}

/** Registers a fixture by URL and runs it once; returns the finished run. */
export async function registerAndRun(name: string, fixture: string): Promise<Run> {
  const created = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl(fixture) });
  if (created.status !== 201)
    throw new Error(`registering ${name} answered ${created.status}: ${JSON.stringify(created.body)}`);
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

/** Where browser tests leave what a person looks at afterwards (git-ignored). */
export const SCREENSHOT_DIR = path.join(__dirname, '..', 'test-artifacts', 'screenshots');

export const BROWSER_VIEWPORTS = { laptop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;

/**
 * Debian's Chromium driven by playwright-core (which downloads no browser), with a fresh
 * profile that is removed on close. The flags keep it off the network except for the board.
 */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: BROWSER_VIEWPORTS.laptop,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Signs the browser in to the board with the stack's admin token, as the sign-in form does:
 * the board's httpOnly session cookie (test/board-auth.e2e-spec.ts goes through the form itself).
 */
export async function signInBoard(context: BrowserContext, token: string = testStack().adminToken): Promise<void> {
  await context.addCookies([
    { name: BOARD_SESSION_COOKIE, value: token, url: testStack().webUrl!, httpOnly: true, sameSite: 'Lax' },
  ]);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core inside the page; returns the serious and critical violations, readable in a failed expectation. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{
            violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * A page of the board in Debian's Chromium (30 s default timeout) that records into
 * `pageErrors` every script error and every console error, but those `expected`
 * matches (the 4xx answers a test asks for, which Chromium logs).
 */
export async function openBoardPage(
  pageErrors: string[],
  expected?: RegExp,
): Promise<{ page: Page; close(): Promise<void> }> {
  if (!testStack().webUrl)
    throw new Error('the test stack has no board: build it with pnpm --filter @relayboard/web run build');
  const browser = await launchBrowser();
  await signInBoard(browser.context);
  const page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected?.test(message.text()))
      pageErrors.push(`${page.url()}: ${message.text()}`);
  });
  return { page, close: () => browser.close() };
}

/** Checks the page as a person finds it with axe-core at laptop and phone widths (layout changes can hide labels or shrink contrast), and saves how it looks at both. */
export async function inspectPage(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  await screenshotBothWidths(page, name);
  await page.setViewportSize(BROWSER_VIEWPORTS.phone);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await page.setViewportSize(BROWSER_VIEWPORTS.laptop);
}

/** Full-page screenshots at laptop and phone widths, `<name>-laptop.png` and `<name>-phone.png`. */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [label, viewport] of Object.entries(BROWSER_VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(BROWSER_VIEWPORTS.laptop);
}

/**
 * Writes finished runs of a dataset straight into the metadata database, as a worker
 * leaves them, `minutesAgo` each (oldest last given): cheap pages of runs for list tests,
 * which no worker picks up. Returns their ids in the given order.
 */
export async function insertFinishedRuns(
  datasetName: string,
  runs: { status: 'succeeded' | 'failed' | 'canceled'; minutesAgo: number }[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const run of runs) {
    const [row] = await query<{ id: string }>(
      `insert into relayboard.runs (dataset_id, status, trigger, error, created_at, started_at, finished_at)
       select id, $2, 'test', case when $2 = 'failed' then 'failed on purpose by a test' end,
              now() - make_interval(mins => $3), now() - make_interval(mins => $3), now() - make_interval(mins => $3) + interval '3 seconds'
       from relayboard.datasets where name = $1 returning id`,
      [datasetName, run.status, run.minutesAgo],
    );
    if (!row) throw new Error(`no dataset named ${datasetName}`);
    ids.push(row.id);
  }
  return ids;
}

export interface OpenStream {
  status: number;
  type: string | null;
  runs: RunSummary[];
  /** Resolves once a message matches (rejects when the stream ends first or the deadline passes). */
  waitFor(match: (run: RunSummary) => boolean, timeoutMs?: number): Promise<RunSummary>;
  close(): void;
}

/** Opens a server-sent event stream of run changes and collects its `run` messages as they come. */
export async function openRunChanges(query: string): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await fetch(`${testStack().apiUrl}/v1/runs/events${query}`, {
    headers: { accept: 'text/event-stream', ...authHeaders() },
    signal: abort.signal,
  });
  const runs: RunSummary[] = [];
  const waiters: { match: (run: RunSummary) => boolean; resolve(run: RunSummary): void }[] = [];
  let ended = false;
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const lines = buffer.slice(0, end).split('\n');
            buffer = buffer.slice(end + 2);
            if (!lines.includes('event: run')) continue;
            const run = runSummarySchema.parse(JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice(6)));
            runs.push(run);
            for (const waiter of waiters.filter((w) => w.match(run))) waiter.resolve(run);
          }
        }
      } catch {
        // Aborted by close().
      }
      ended = true;
    })();
  }
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    runs,
    waitFor(match, timeoutMs = 120_000) {
      const seen = runs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching run message in ${timeoutMs} ms${ended ? ' (the stream ended)' : ''}; got ${JSON.stringify(runs)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ match, resolve: (run) => (clearTimeout(timer), resolve(run)) });
      });
    },
    close: () => abort.abort(),
  };
}

/** The statuses a stream showed for one run, each once, in order. */
export function statusesOf(stream: OpenStream, runId: string): RunStatus[] {
  return stream.runs
    .filter((run) => run.id === runId)
    .map((run) => run.status)
    .filter((status, i, all) => all[i - 1] !== status);
}

/**
 * People's models in the test stack's dbt project (models/marts) for one suite:
 * write and remove them by name; removeAll (in afterAll) removes what is left.
 */
export function peoplesModels(): {
  write(name: string, sql: string): void;
  remove(name: string): void;
  removeAll(): void;
} {
  const written = new Set<string>();
  const fileOf = (name: string) => path.join(testStack().dbtProjectDir, 'models', 'marts', `${name}.sql`);
  return {
    write(name, sql) {
      writeFileSync(fileOf(name), sql);
      written.add(fileOf(name));
    },
    remove(name) {
      rmSync(fileOf(name), { force: true });
      written.delete(fileOf(name));
    },
    removeAll() {
      for (const file of written) rmSync(file, { force: true });
      written.clear();
    },
  };
}

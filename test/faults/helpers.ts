import { readdirSync, readFileSync } from 'node:fs';
import type { Run, StepName } from '@relayboard/contracts';
import { api, query } from '../helpers';
import { testStack, workerPid } from '../stack-env';

/**
 * What the fault specs (test/faults/*.e2e-spec.ts) and test/crash-safety.e2e-spec.ts
 * share: finding the stack's worker and its dbt, killing it, waiting for things, and
 * checking that a run ended whole.
 */

/** `pnpm test:faults` sets RELAYBOARD_FAULTS=full: the suite at the issue's scale; CI runs a smaller one. */
export const FULL = process.env.RELAYBOARD_FAULTS === 'full';

/** The CI figure, or the full one under RELAYBOARD_FAULTS=full. */
export const scale = (ci: number, full: number): number => (FULL ? full : ci);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes (dbt and its guard) whose command line names the run's dbt work folder. */
export function dbtProcessesOf(runId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(`relayboard-dbt/runs/${runId}/`)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** SIGKILLs the stack's current worker; the stack (restartApps) starts another. */
export function killWorker(): { killed: number; killedAt: number } {
  const killed = workerPid();
  if (!killed) throw new Error('the test stack has no worker running to kill');
  process.kill(killed, 'SIGKILL');
  return { killed, killedAt: Date.now() };
}

/** Waits until the stack runs a worker other than `killed`; returns its pid. */
export function nextWorker(killed: number, timeoutMs = 60_000): Promise<number> {
  return until(
    'a new worker started by the stack',
    () => {
      const pid = workerPid();
      return pid !== null && pid !== killed && isAlive(pid) ? pid : null;
    },
    timeoutMs,
  );
}

/** When the step started again (its "<step> started" event) after `since`. */
export async function stepStartedAfter(
  runId: string,
  step: StepName,
  since: number,
  timeoutMs = 90_000,
): Promise<Date> {
  const [row] = await until(
    `${step} of run ${runId} starting again`,
    async () => {
      const rows = await query<{ at: Date }>(
        `select created_at as at from relayboard.run_events where run_id = $1 and step = $2 and message = $3 and created_at > to_timestamp($4 / 1000.0) order by id limit 1`,
        [runId, step, `${step} started`, since],
      );
      return rows.length ? rows : null;
    },
    timeoutMs,
    200,
  );
  return row.at;
}

/** The run's step status as the worker recorded it. */
export async function stepStatus(runId: string, step: StepName): Promise<string | undefined> {
  return (
    await query<{ status: string }>(`select status from relayboard.run_steps where run_id = $1 and name = $2`, [
      runId,
      step,
    ])
  )[0]?.status;
}

/** Times a worker started the run (relayboard.runs.attempts). */
export const attempts = async (runId: string) =>
  (await query<{ attempts: number }>('select attempts from relayboard.runs where id = $1', [runId]))[0].attempts;

interface Posted {
  path: string;
  body: unknown;
}

/** Everything the Slack stand-in took that names the run. */
export async function postsOf(runId: string): Promise<Posted[]> {
  return ((await (await fetch(`${testStack().slackUrl}/_received`)).json()) as Posted[]).filter((m) =>
    JSON.stringify(m.body).includes(runId),
  );
}

/** The posts of the run to one route. */
export const posts = async (route: string, runId: string) => (await postsOf(runId)).filter((m) => m.path === route);

/** Load tables of the dataset left in staging (a load cut off and never cleaned up). */
export const loadTables = async (dataset: string) =>
  (
    await query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'staging' and position($1 in tablename) = 1`,
      [`${dataset}__load_`],
    )
  ).map((r) => r.tablename);

/**
 * The run ended whole: succeeded, every step succeeded, `rows` rows staged and in
 * warehouse.<name>, the digest posted once to `route` and once to every other
 * destination it went to (each `sent`, or `unknown` for those in `unknownDeliveries`),
 * no load table and no dbt process of the run left.
 */
export async function expectWhole(
  run: Run,
  name: string,
  route: string,
  rows: number,
  options: { unknownDeliveries?: string[] } = {},
): Promise<void> {
  expect(run.status).toBe('succeeded');
  expect(run.error).toBeNull();
  expect(run.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect(run.steps.find((s) => s.name === 'stage')!.metrics.rows).toBe(rows);
  const [{ count }] = await query<{ count: string }>(`select count(*) from warehouse."${name}"`);
  expect(Number(count)).toBe(rows);
  expect(await posts(route, run.id)).toHaveLength(1);
  // Every destination (other suites' catch-all ones too) got the run's digest exactly once: sent, or
  // (a worker killed while Slack was answering) recorded as maybe delivered and not posted again.
  // Destinations routed to other datasets record the run as skipped and get nothing.
  const unknown = new Set(options.unknownDeliveries ?? []);
  const routed = run.deliveries.filter((d) => d.status !== 'skipped' || unknown.has(d.destinationId));
  expect(routed.length).toBeGreaterThanOrEqual(1);
  expect(routed.map((d) => [d.destinationId, d.status])).toEqual(
    routed.map((d) => [d.destinationId, unknown.has(d.destinationId) ? 'unknown' : 'sent']),
  );
  const perPath = new Map<string, number>();
  for (const m of await postsOf(run.id)) perPath.set(m.path, (perPath.get(m.path) ?? 0) + 1);
  expect([...perPath.values()]).toEqual(routed.map(() => 1));
  expect(await loadTables(name)).toEqual([]);
  expect(dbtProcessesOf(run.id)).toEqual([]);
}

/**
 * Asks for a run of the dataset; returns the run's id. Without `force` it may be a run
 * already queued for the dataset (POST /v1/pipelines/run answers that one, 200).
 */
export async function requestRun(
  datasetName: string,
  extra: { refresh?: boolean; force?: boolean } = {},
): Promise<string> {
  const body = { datasetName, ...extra };
  const res = await api('POST', '/v1/pipelines/run', body);
  if (res.status !== 202 && res.status !== 200)
    throw new Error(`POST /v1/pipelines/run for ${datasetName} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.runId as string;
}

/** Resident memory of a process in kB (VmRSS in /proc/<pid>/status); null once it is gone. */
export function rssKb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A fixed-width table for the console, for the figures in docs/reliability.md. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

import { isUuid, STEP_NAMES, type RunStatus, type RunStep, type RunSummary } from '@relayboard/contracts';

export interface RunFilters {
  status?: string;
  datasetName?: string;
}

type SearchParams = Record<string, string | string[] | undefined>;

function firstValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * The filter form submits every field, so "All" arrives as an empty string; only
 * non-empty values filter. Values are not validated here: the api owns the rules and
 * its 400 says what is wrong.
 */
export function parseRunFilters(searchParams: SearchParams): RunFilters {
  const filters: RunFilters = {};
  const status = firstValue(searchParams.status);
  const datasetName = firstValue(searchParams.datasetName)?.trim();
  if (status) filters.status = status;
  if (datasetName) filters.datasetName = datasetName;
  return filters;
}

/** Which page of the filtered runs: the first, the one older than `cursor`, or the one newer than `before`. */
export interface RunPage {
  cursor?: string;
  before?: string;
  /** Runs per page; the board's default when absent. */
  limit?: string;
}

/** Like the filters, passed on as they are: the api says what is wrong with a bad cursor or limit. */
export function parseRunPage(searchParams: SearchParams): RunPage {
  const page: RunPage = {};
  const cursor = firstValue(searchParams.cursor);
  const before = firstValue(searchParams.before);
  const limit = firstValue(searchParams.limit);
  if (cursor) page.cursor = cursor;
  else if (before) page.before = before;
  if (limit) page.limit = limit;
  return page;
}

/** The runs list's URL for these filters and page; empty values are left out. */
export function runsHref(filters: RunFilters, page: RunPage = {}): string {
  const query = new URLSearchParams();
  if (filters.datasetName) query.set('datasetName', filters.datasetName);
  if (filters.status) query.set('status', filters.status);
  if (page.limit) query.set('limit', page.limit);
  if (page.cursor) query.set('cursor', page.cursor);
  if (page.before) query.set('before', page.before);
  const search = query.toString();
  return search ? `/?${search}` : '/';
}

export function isFirstPage(page: RunPage): boolean {
  return page.cursor === undefined && page.before === undefined;
}

/** A run's place in the list, newest first: positive when `a` comes before (is newer than) `b`. */
export function compareRunsNewestFirst(
  a: Pick<RunSummary, 'createdAt' | 'id'>,
  b: Pick<RunSummary, 'createdAt' | 'id'>,
): number {
  const byTime = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (byTime !== 0) return byTime;
  return a.id === b.id ? 0 : a.id > b.id ? 1 : -1;
}

export function matchesRunFilters(run: Pick<RunSummary, 'datasetName' | 'status'>, filters: RunFilters): boolean {
  return (
    (!filters.datasetName || run.datasetName === filters.datasetName) &&
    (!filters.status || run.status === filters.status)
  );
}

export function hasFilters(filters: RunFilters): boolean {
  return filters.status !== undefined || filters.datasetName !== undefined;
}

export function isInProgress(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** Run ids are Postgres UUIDs; anything else cannot name a run, so the board need not ask. */
export function isRunId(value: string): boolean {
  return isUuid(value);
}

/**
 * One entry per pipeline step, in pipeline order. A step the api has not recorded yet
 * (a run still waiting for a worker) shows as pending rather than missing.
 */
export function pipelineSteps(steps: readonly RunStep[]): RunStep[] {
  return STEP_NAMES.map(
    (name) =>
      steps.find((step) => step.name === name) ?? {
        name,
        status: 'pending',
        startedAt: null,
        finishedAt: null,
        metrics: {},
        error: null,
      },
  );
}

import { STEP_NAMES, type RunStatus, type RunStep } from '@relayboard/contracts';

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
  const datasetName = firstValue(searchParams.datasetName);
  if (status) filters.status = status;
  if (datasetName) filters.datasetName = datasetName;
  return filters;
}

export function hasFilters(filters: RunFilters): boolean {
  return filters.status !== undefined || filters.datasetName !== undefined;
}

export function isInProgress(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run ids are Postgres UUIDs; anything else cannot name a run, so the board need not ask. */
export function isRunId(value: string): boolean {
  return UUID_PATTERN.test(value);
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

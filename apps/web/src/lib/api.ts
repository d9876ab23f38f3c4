import 'server-only';
import { loadConfig } from '@relayboard/config';
import {
  checkListSchema,
  columnOverridesSchema,
  datasetLineageSchema,
  datasetListSchema,
  datasetProfileSchema,
  datasetSchema,
  datasetVersionListSchema,
  destinationListSchema,
  errorResponseSchema,
  runDigestSchema,
  runListSchema,
  runRejectsSchema,
  runSchema,
  type Check,
  type ColumnOverrides,
  type Dataset,
  type DatasetLineage,
  type DatasetList,
  type DatasetProfile,
  type DatasetVersionList,
  type Destination,
  type Run,
  type RunDigest,
  type RunList,
  type RunRejects,
  type RunSummary,
} from '@relayboard/contracts';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { authorizationFor, sessionToken } from './session';
import { ApiResponseError, ApiUnreachableError, UNEXPECTED_RESPONSE } from './api-problems';
import type { RunFilters, RunPage } from './runs';

export {
  ApiResponseError,
  ApiUnreachableError,
  isApiProblem,
  UNEXPECTED_RESPONSE,
  type ApiProblem,
} from './api-problems';

// A hung api must not hang the board: past this, the api counts as not answering.
const REQUEST_TIMEOUT_MS = 10_000;

export const RUNS_PAGE_SIZE = 50;

export const DATASETS_PAGE_SIZE = 50;

let configuredApiUrl: string | undefined;

/**
 * Read at run time (not baked into the build) through the one config loader, so one build
 * can be pointed at any api by its environment and a bad API_URL is reported like every
 * other process's settings.
 */
export function apiBaseUrl(): string {
  configuredApiUrl ??= loadConfig().api.url.replace(/\/+$/, '');
  return configuredApiUrl;
}

function describeFetchFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause) return String(cause.code);
  return error instanceof Error ? error.message : String(error);
}

async function getJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  const baseUrl = apiBaseUrl();
  const token = await sessionToken();
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      cache: 'no-store',
      headers: { accept: 'application/json', ...authorizationFor(token) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    throw new ApiUnreachableError(baseUrl, describeFetchFailure(error));
  }

  // The session's token stopped working since the page was asked for (revoked, expired): sign in again.
  if (response.status === 401) redirect('/sign-in?reason=expired');
  if (!response.ok) {
    const apiError = errorResponseSchema.safeParse(body);
    if (apiError.success) {
      const { code, message, details } = apiError.data.error;
      throw new ApiResponseError(response.status, code, message, details);
    }
    throw new ApiResponseError(
      response.status,
      UNEXPECTED_RESPONSE,
      `GET ${path} answered HTTP ${response.status} without a Relayboard error body`,
    );
  }

  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiResponseError(
      response.status,
      UNEXPECTED_RESPONSE,
      `GET ${path} answered with a body that does not match the shared contract`,
      z.prettifyError(parsed.error),
    );
  }
  return parsed.data;
}

/** One page of runs with the cursors of the pages either side. */
export async function listRuns(filters: RunFilters, page: RunPage = {}): Promise<RunList> {
  const query = new URLSearchParams({ limit: page.limit ?? String(RUNS_PAGE_SIZE) });
  if (filters.status) query.set('status', filters.status);
  if (filters.datasetName) query.set('datasetName', filters.datasetName);
  if (page.cursor) query.set('cursor', page.cursor);
  if (page.before) query.set('before', page.before);
  return getJson(`/v1/runs?${query}`, runListSchema);
}

/** `null` when the api does not know the run, so the page can answer 404. */
export async function getRun(id: string): Promise<Run | null> {
  try {
    return await getJson(`/v1/runs/${encodeURIComponent(id)}`, runSchema);
  } catch (error) {
    if (error instanceof ApiResponseError && error.status === 404) return null;
    throw error;
  }
}

export async function listDatasetsPage(cursor?: string): Promise<DatasetList> {
  const query = new URLSearchParams({ limit: String(DATASETS_PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  return getJson(`/v1/datasets?${query}`, datasetListSchema);
}

/** `null` when the api does not know the dataset, so the page can answer 404. */
export async function getDataset(name: string): Promise<Dataset | null> {
  try {
    return await getJson(`/v1/datasets/${encodeURIComponent(name)}`, datasetSchema);
  } catch (error) {
    if (error instanceof ApiResponseError && error.status === 404) return null;
    throw error;
  }
}

/** The newest versions; `nextCursor` says whether there are older ones. */
export async function listDatasetVersions(name: string, limit: number): Promise<DatasetVersionList> {
  return getJson(
    `/v1/datasets/${encodeURIComponent(name)}/versions?${new URLSearchParams({ limit: String(limit) })}`,
    datasetVersionListSchema,
  );
}

export async function getDatasetProfile(name: string): Promise<DatasetProfile> {
  return getJson(`/v1/datasets/${encodeURIComponent(name)}/profile`, datasetProfileSchema);
}

/** The dataset's column overrides, which its next run applies. */
export async function getColumnOverrides(name: string): Promise<ColumnOverrides> {
  return getJson(`/v1/datasets/${encodeURIComponent(name)}/column-overrides`, columnOverridesSchema);
}

export async function listDatasetRuns(name: string, limit: number): Promise<RunSummary[]> {
  const query = new URLSearchParams({ datasetName: name, limit: String(limit) });
  const { runs } = await getJson(`/v1/runs?${query}`, runListSchema);
  return runs;
}

export async function getRunDigest(id: string): Promise<RunDigest> {
  return getJson(`/v1/runs/${encodeURIComponent(id)}/digest`, runDigestSchema);
}

export const RUN_REJECTS_PAGE_SIZE = 20;

/** One page of the run's rejected rows, by line number, after `cursor`. */
export async function getRunRejects(id: string, cursor?: string): Promise<RunRejects> {
  const query = new URLSearchParams({ limit: String(RUN_REJECTS_PAGE_SIZE) });
  if (cursor) query.set('cursor', cursor);
  return getJson(`/v1/runs/${encodeURIComponent(id)}/rejects?${query}`, runRejectsSchema);
}

export async function listDatasetChecks(name: string): Promise<Check[]> {
  const { checks } = await getJson(`/v1/datasets/${encodeURIComponent(name)}/checks`, checkListSchema);
  return checks;
}

export async function getDatasetLineage(name: string): Promise<DatasetLineage> {
  return getJson(`/v1/datasets/${encodeURIComponent(name)}/lineage`, datasetLineageSchema);
}

export async function listDestinations(): Promise<Destination[]> {
  const { destinations } = await getJson('/v1/destinations', destinationListSchema);
  return destinations;
}

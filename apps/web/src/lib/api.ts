import 'server-only';
import {
  datasetListSchema,
  errorResponseSchema,
  runListSchema,
  runSchema,
  type Dataset,
  type Run,
  type RunSummary,
} from '@relayboard/contracts';
import { z } from 'zod';
import type { RunFilters } from './runs';

const DEFAULT_API_URL = 'http://127.0.0.1:4000';

// A hung api must not hang the board: past this, the api counts as not answering.
const REQUEST_TIMEOUT_MS = 10_000;

export const RUNS_PAGE_SIZE = 50;

/** The code for answers that are not a Relayboard error body or break the shared contract. */
export const UNEXPECTED_RESPONSE = 'unexpected_response';

/** Read per request, so one build can be pointed at any api by its environment. */
export function apiBaseUrl(): string {
  const configured = process.env.API_URL?.trim() || DEFAULT_API_URL;
  if (!/^https?:\/\/[^/]/i.test(configured)) {
    throw new Error(`API_URL must be an absolute http(s) URL such as ${DEFAULT_API_URL}; got "${configured}"`);
  }
  return configured.replace(/\/+$/, '');
}

/**
 * No answer at all: connection refused, DNS failure or timeout. The low-level failure is
 * kept as text rather than as `cause`, because Next 16's dev server cannot print an
 * error caused by undici's ("frame.join is not a function").
 */
export class ApiUnreachableError extends Error {
  constructor(
    readonly apiUrl: string,
    readonly reason: string,
  ) {
    super(`The Relayboard api at ${apiUrl} is not answering (${reason})`);
    this.name = 'ApiUnreachableError';
  }
}

function describeFetchFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause) return String(cause.code);
  return error instanceof Error ? error.message : String(error);
}

/** An answer the board cannot use: an api error, or a body outside the shared contract. */
export class ApiResponseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiResponseError';
  }
}

export type ApiProblem = ApiUnreachableError | ApiResponseError;

export function isApiProblem(error: unknown): error is ApiProblem {
  return error instanceof ApiUnreachableError || error instanceof ApiResponseError;
}

async function getJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  const baseUrl = apiBaseUrl();
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    throw new ApiUnreachableError(baseUrl, describeFetchFailure(error));
  }

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

export async function listRuns(filters: RunFilters): Promise<RunSummary[]> {
  const query = new URLSearchParams({ limit: String(RUNS_PAGE_SIZE) });
  if (filters.status) query.set('status', filters.status);
  if (filters.datasetName) query.set('datasetName', filters.datasetName);
  const { runs } = await getJson(`/v1/runs?${query}`, runListSchema);
  return runs;
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

/** The first page of datasets by name (the api's largest), for the runs filter. */
export async function listDatasets(): Promise<Dataset[]> {
  const { datasets } = await getJson('/v1/datasets?limit=500', datasetListSchema);
  return datasets;
}

type Run = import('../../packages/contracts/dist/index').Run;

let apiToken: string | null = null;

/** The token every later call sends (the benchmark stack's admin token, `stack.adminToken`). */
export function useApiToken(token: string | null): void {
  apiToken = token;
}

/** The headers that authenticate a request: the token for the api, and the board's session cookie for board pages. */
export function authHeaders(): Record<string, string> {
  return apiToken ? { authorization: `Bearer ${apiToken}`, cookie: `relayboard_session=${apiToken}` } : {};
}

/** One call to the benchmark stack's api; a 4xx or 5xx throws with the api's message. */
export async function apiCall<T>(baseUrl: string, method: string, route: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(), ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`${baseUrl}${route}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  const json = (text ? JSON.parse(text) : {}) as T & { error?: { message: string } };
  if (res.status >= 400) throw new Error(`${method} ${route} answered ${res.status}: ${json.error?.message}`);
  return json;
}

/** Triggers a run of the dataset and waits until it has ended, whatever its status. */
export async function runToEnd(apiUrl: string, datasetName: string): Promise<Run> {
  const { runId } = await apiCall<{ runId: string }>(apiUrl, 'POST', '/v1/pipelines/run', { datasetName });
  for (;;) {
    const run = await apiCall<Run>(apiUrl, 'GET', `/v1/runs/${runId}`);
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'canceled') return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

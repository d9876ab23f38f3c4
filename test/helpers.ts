import { Client } from 'pg';
import type { Run } from '@relayboard/contracts';
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

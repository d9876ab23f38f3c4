import type { Connection } from './connection';

/** An answer of the api in its one error shape, or a connection that failed, said so a person can act on it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** A thin client of the REST api: JSON in and out, the token as a bearer, errors as ApiError. */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  get apiUrl(): string {
    return this.connection.apiUrl;
  }

  async request<T>(
    method: string,
    route: string,
    options: { body?: unknown; form?: FormData; ok?: number[] } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.connection.token) headers.authorization = `Bearer ${this.connection.token}`;
    let body: string | FormData | undefined;
    if (options.form) body = options.form;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.connection.apiUrl}${route}`, { method, headers, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(
        `cannot reach the api at ${this.connection.apiUrl} (from ${this.connection.apiUrlFrom}): ${cause?.code ?? cause?.message ?? (error as Error).message}; start the stack with ./relayboard up, or pass --api-url`,
        null,
        null,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    const ok = options.ok ?? [200, 201, 202, 204];
    if (!ok.includes(res.status)) {
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      let message = `${method} ${route} answered ${res.status}${error?.code ? ` ${error.code}` : ''}: ${error?.message ?? (typeof parsed === 'string' ? parsed.slice(0, 300) : JSON.stringify(parsed))}`;
      if (res.status === 401)
        message += this.connection.token
          ? ` (the token from ${this.connection.tokenFrom} was refused: create another with ./relayboard tokens create, or sign in again)`
          : ' (no token: pass --token, set RELAYBOARD_TOKEN, or run against the local stack, which keeps its admin token in .relayboard/admin-token)';
      throw new ApiError(message, res.status, error?.code ?? null);
    }
    return { status: res.status, body: parsed as T };
  }
}

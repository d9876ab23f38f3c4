// Free of server-only code, so the board's client components show api problems with the same notice.

/** The code for answers that are not a Relayboard error body or break the shared contract. */
export const UNEXPECTED_RESPONSE = 'unexpected_response';

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

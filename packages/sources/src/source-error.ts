import { ErrorCode } from '@relayboard/contracts';

/**
 * Why a CSV could not be taken in, with the api's error code so the api answers
 * with the right status and the worker can tell a retry from a lost cause.
 */
export class SourceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SourceError';
  }

  /** A dropped connection, a stall or a 5xx may pass; a refused address, a 404, bytes that are not a CSV or an endless body will not. */
  get transient(): boolean {
    if (this.code === ErrorCode.SourceUnreachable || this.code === ErrorCode.DependencyUnavailable) return true;
    // A server slow to answer may recover; a body still running at the whole fetch's deadline will run as long next time.
    if (this.code === ErrorCode.SourceTimeout) return this.details?.setting !== 'FETCH_DEADLINE_MS';
    return this.code === ErrorCode.SourceHttpError && Number(this.details?.status) >= 500;
  }
}

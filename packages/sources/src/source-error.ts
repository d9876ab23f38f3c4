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

  /** A dropped connection, a stall or a 5xx may pass; a refused address or a 404 will not. */
  get transient(): boolean {
    if (this.code === ErrorCode.SourceUnreachable || this.code === ErrorCode.DependencyUnavailable) return true;
    return this.code === ErrorCode.SourceHttpError && Number(this.details?.status) >= 500;
  }
}

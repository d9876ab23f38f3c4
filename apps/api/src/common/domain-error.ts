import { ErrorCode } from '@relayboard/contracts';

/** The api's one exception type: a code from the shared enum, a message a person can act on, optional details. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** 404 for a dataset name the request names and no dataset has, with how to register it. */
export function datasetNotFound(name: string): DomainError {
  return new DomainError(
    ErrorCode.DatasetNotFound,
    `no dataset named "${name}"; register it with POST /v1/datasets/csv or POST /v1/datasets/${name}/upload`,
  );
}

/** HTTP status for each code: the only place that maps domain errors to HTTP. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.UrlNotAllowed]: 400,
  [ErrorCode.WebhookHostNotAllowed]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.TokenNotFound]: 404,
  [ErrorCode.DatasetNotFound]: 404,
  [ErrorCode.RunNotFound]: 404,
  [ErrorCode.CheckNotFound]: 404,
  [ErrorCode.ScheduleNotFound]: 404,
  [ErrorCode.DestinationNotFound]: 404,
  [ErrorCode.DatasetExists]: 409,
  [ErrorCode.CheckExists]: 409,
  [ErrorCode.DestinationExists]: 409,
  [ErrorCode.DatasetBusy]: 409,
  [ErrorCode.DatasetHasDependents]: 409,
  [ErrorCode.RunNotRetryable]: 409,
  [ErrorCode.RunNotCancelable]: 409,
  [ErrorCode.IdempotencyKeyInvalid]: 400,
  [ErrorCode.IdempotencyKeyReused]: 422,
  [ErrorCode.SourceTooLarge]: 413,
  [ErrorCode.SourceUnreachable]: 422,
  [ErrorCode.SourceHttpError]: 422,
  [ErrorCode.SourceEmpty]: 422,
  [ErrorCode.SourceInvalid]: 422,
  [ErrorCode.NotCsv]: 422,
  [ErrorCode.SourceTimeout]: 422,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.DependencyUnavailable]: 503,
  [ErrorCode.Internal]: 500,
};

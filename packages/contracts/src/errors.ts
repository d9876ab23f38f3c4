import { z } from 'zod';

export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  NotFound = 'not_found',
  DatasetExists = 'dataset_exists',
  DatasetNotFound = 'dataset_not_found',
  DatasetBusy = 'dataset_busy',
  DatasetHasDependents = 'dataset_has_dependents',
  RunNotFound = 'run_not_found',
  /** Retry asked of a run that is queued, running or succeeded (only failed and canceled runs are retried). */
  RunNotRetryable = 'run_not_retryable',
  /** Cancel asked of a run that already ended. */
  RunNotCancelable = 'run_not_cancelable',
  /** An Idempotency-Key header that is empty, too long or has characters outside visible ASCII. */
  IdempotencyKeyInvalid = 'idempotency_key_invalid',
  /** An Idempotency-Key used before with another request body. */
  IdempotencyKeyReused = 'idempotency_key_reused',
  /** The dataset has no schedule (PUT /v1/datasets/:name/schedule creates one). */
  ScheduleNotFound = 'schedule_not_found',
  CheckNotFound = 'check_not_found',
  CheckExists = 'check_exists',
  DestinationNotFound = 'destination_not_found',
  DestinationExists = 'destination_exists',
  UrlNotAllowed = 'url_not_allowed',
  SourceUnreachable = 'source_unreachable',
  SourceHttpError = 'source_http_error',
  SourceTooLarge = 'source_too_large',
  SourceEmpty = 'source_empty',
  SourceInvalid = 'source_invalid',
  /** The bytes are plainly not text (an image, an archive, a PDF, an executable), by their magic bytes. */
  NotCsv = 'not_csv',
  /** A source that did not answer in time, or whose whole body took longer than the fetch deadline. */
  SourceTimeout = 'source_timeout',
  /** A JSON request body larger than API_JSON_BODY_LIMIT. */
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  WebhookHostNotAllowed = 'webhook_host_not_allowed',
  /** No api token, or one that is forged, revoked or expired. */
  Unauthorized = 'unauthorized',
  /** A valid token whose scope is too small for the route. */
  Forbidden = 'forbidden',
  TokenNotFound = 'token_not_found',
  DependencyUnavailable = 'dependency_unavailable',
  Internal = 'internal_error',
}

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

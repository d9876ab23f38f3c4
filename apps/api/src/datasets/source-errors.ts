import { SourceError } from '@relayboard/sources';
import { DomainError } from '../common/domain-error';

/** The sources package speaks in the shared error codes; the api answers them as its own errors. */
export function asDomainError(error: unknown): unknown {
  return error instanceof SourceError ? new DomainError(error.code, error.message, error.details) : error;
}

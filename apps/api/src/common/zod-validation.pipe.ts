import { PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { ErrorCode } from '@relayboard/contracts';
import { DomainError } from './domain-error';

/** Validates a body or query with a shared contract schema; the message names each failing field. */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly schema: ZodType<T>,
    private readonly what: 'body' | 'query' | 'path' = 'body',
  ) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => ({
      field: issue.path.join('.') || this.what,
      message:
        issue.code === 'invalid_type' && issue.input === undefined
          ? 'is required'
          : // A record key that breaks its rule: zod says only "Invalid key in record"; the rule is in the key's own issues.
            issue.code === 'invalid_key' && issue.issues.length
            ? issue.issues.map((inner) => inner.message).join('; ')
            : issue.message,
    }));
    const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    throw new DomainError(ErrorCode.ValidationFailed, `invalid request ${this.what}: ${message}`, { issues });
  }
}

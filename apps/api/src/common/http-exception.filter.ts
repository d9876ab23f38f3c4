import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, type ErrorResponse } from '@relayboard/contracts';
import { DomainError, HTTP_STATUS_BY_CODE } from './domain-error';

/** Turns every error into `{ error: { code, message, details? } }` with the right status. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorResponse } {
    if (exception instanceof DomainError) {
      const error = { code: exception.code, message: exception.message, ...(exception.details === undefined ? {} : { details: exception.details }) };
      return { status: HTTP_STATUS_BY_CODE[exception.code], body: { error } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // The express adapter wraps body-parser's SyntaxError for malformed JSON in a 400.
      if (exception.cause instanceof SyntaxError) {
        return { status: 400, body: { error: { code: ErrorCode.ValidationFailed, message: `request body is not valid JSON: ${exception.cause.message}` } } };
      }
      const code = status === 404 ? ErrorCode.NotFound : status < 500 ? ErrorCode.ValidationFailed : ErrorCode.Internal;
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? [response.message].flat().join('; ')
          : exception.message;
      return { status, body: { error: { code, message } } };
    }
    return { status: 500, body: { error: { code: ErrorCode.Internal, message: 'internal error; see the api log for details' } } };
  }
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode, type ErrorResponse } from '@relayboard/contracts';
import { DomainError, HTTP_STATUS_BY_CODE } from './domain-error';

/** What body-parser's errors (http-errors) carry besides their status. */
interface BodyParserError {
  type?: string;
  limit?: number;
  length?: number;
  charset?: string;
  encoding?: string;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
};

/**
 * Turns every error into `{ error: { code, message, details? } }` with the right
 * status: domain errors, Nest's HttpExceptions (unknown routes included), the
 * body parser's errors (malformed JSON, a body past API_JSON_BODY_LIMIT, an
 * unsupported charset) and anything else thrown (500, logged, no internals).
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  constructor(private readonly jsonBodyLimit?: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toResponse(exception);
    if (status >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (res.headersSent) {
      // A stream (server-sent events) that fails after its headers can only be ended.
      res.end();
      return;
    }
    res.status(status).json(body);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorResponse } {
    if (exception instanceof DomainError) {
      const error = {
        code: exception.code,
        message: exception.message,
        ...(exception.details === undefined ? {} : { details: exception.details }),
      };
      return { status: HTTP_STATUS_BY_CODE[exception.code], body: { error } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // The express adapter wraps body-parser's SyntaxError for malformed JSON in a 400.
      if (exception.cause instanceof SyntaxError) {
        return {
          status: 400,
          body: {
            error: {
              code: ErrorCode.ValidationFailed,
              message: `request body is not valid JSON: ${exception.cause.message}`,
            },
          },
        };
      }
      const parser = this.bodyParserError(exception.cause);
      if (parser) return parser;
      const code = CODE_BY_STATUS[status] ?? (status < 500 ? ErrorCode.ValidationFailed : ErrorCode.Internal);
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? [response.message].flat().join('; ')
          : exception.message;
      return {
        status,
        body: {
          error: {
            code,
            message: status === 404 ? `${message}: no such route (the README's REST section lists them)` : message,
          },
        },
      };
    }
    return {
      status: 500,
      body: { error: { code: ErrorCode.Internal, message: 'internal error; see the api log for details' } },
    };
  }

  private bodyParserError(cause: unknown): { status: number; body: ErrorResponse } | null {
    if (typeof cause !== 'object' || cause === null) return null;
    const error = cause as BodyParserError;
    switch (error.type) {
      case 'entity.too.large': {
        const limit = error.limit ?? this.jsonBodyLimit;
        const size = error.length ? `${error.length} bytes, ` : '';
        return {
          status: 413,
          body: {
            error: {
              code: ErrorCode.PayloadTooLarge,
              message: `the JSON body is ${size}more than API_JSON_BODY_LIMIT (${limit} bytes); send a smaller body, or raise the setting (CSV files go to POST /v1/datasets/:name/upload, which has no such limit)`,
              details: { limitBytes: limit, setting: 'API_JSON_BODY_LIMIT' },
            },
          },
        };
      }
      case 'charset.unsupported':
        return {
          status: 415,
          body: {
            error: {
              code: ErrorCode.UnsupportedMediaType,
              message: `a JSON body must be UTF-8, not charset "${error.charset}"`,
            },
          },
        };
      case 'encoding.unsupported':
        return {
          status: 415,
          body: {
            error: {
              code: ErrorCode.UnsupportedMediaType,
              message: `a JSON body may be sent plain, gzip or deflate, not Content-Encoding "${error.encoding}"`,
            },
          },
        };
      case 'request.aborted':
        return {
          status: 400,
          body: {
            error: { code: ErrorCode.ValidationFailed, message: 'the request body was cut off before it ended' },
          },
        };
      default:
        return null;
    }
  }
}

import { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorCode } from '@relayboard/contracts';
import { DomainError } from './domain-error';

/** Nest's metadata of a handler's parameters (`@nestjs/common` ROUTE_ARGS_METADATA), keyed `${RouteParamtypes}:${index}`. */
const ROUTE_ARGS_METADATA = '__routeArguments__';
const REQUEST = 0;
const QUERY = 4;

/**
 * Routes validate their query with a strict contract schema (`@Query(new ZodValidationPipe(...))`);
 * a route without one takes no query parameters, so `GET /v1/runs/:id?verbose=1` is refused
 * like an unknown body field instead of being silently ignored. A handler that reads the raw
 * request (`@Req()`) reads its own query and is left alone.
 */
export class NoUnknownQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const names = Object.keys(req.query ?? {});
    if (names.length === 0) return true;
    const args: Record<string, unknown> =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {};
    const types = Object.keys(args).map((key) => Number(key.split(':')[0]));
    if (types.includes(QUERY) || types.includes(REQUEST)) return true;
    throw new DomainError(
      ErrorCode.ValidationFailed,
      `invalid request query: unknown field(s) ${names.join(', ')}; ${req.method} ${req.path} takes no query parameters`,
    );
  }
}

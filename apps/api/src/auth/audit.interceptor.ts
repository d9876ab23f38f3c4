import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from './auth.guard';
import { AuditService } from './audit.service';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The thing a change was made to: the route's :id or :name, else the id the answer names (a new dataset, run, token). */
function targetOf(req: AuthenticatedRequest, body: unknown): string | null {
  const params = req.params ?? {};
  const fromParams = params.id ?? params.name;
  if (typeof fromParams === 'string') return fromParams;
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    for (const key of ['id', 'runId', 'name']) if (typeof record[key] === 'string') return record[key] as string;
  }
  return null;
}

/**
 * Records every change that succeeded on `/v1` (POST, PUT, PATCH, DELETE): who (the token), what
 * (method, route, target), when and from where. Written before the answer leaves, so an admin who
 * reads GET /v1/audit after a change sees it; a change the api refused is not a change and is not recorded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('audit');

  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!CHANGES.has(req.method) || !req.path.startsWith('/v1/')) return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      mergeMap(async (body: unknown) => {
        const token = req.apiToken ?? null;
        const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
        try {
          await this.audit.record({
            token_id: token?.id ?? null,
            token_name: token?.name ?? null,
            method: req.method,
            route,
            path: req.originalUrl.split('?')[0],
            target_id: targetOf(req, body),
            status: res.statusCode,
            remote_address: req.ip ?? req.socket.remoteAddress ?? null,
          });
        } catch (error) {
          // The change is made: failing its answer would only make the client repeat it. Said loudly instead.
          this.logger.error(`could not record ${req.method} ${route} by ${token ? `token ${token.name} (${token.id})` : 'no token'} in the audit log: ${(error as Error).message}`);
        }
        return body;
      }),
    );
  }
}

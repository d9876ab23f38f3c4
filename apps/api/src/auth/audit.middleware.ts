import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedRequest } from './auth.guard';
import type { AuditService } from './audit.service';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The thing a change was made to: the route's :id or :name, else the id the answer names (a new dataset, run, token). */
function targetOf(req: Request, body: unknown): string | null {
  const params = req.params ?? {};
  const fromParams = params.id ?? params.name;
  if (typeof fromParams === 'string') return fromParams;
  let parsed: unknown;
  try {
    parsed = typeof body === 'string' || Buffer.isBuffer(body) ? JSON.parse(body.toString()) : null;
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  for (const key of ['id', 'runId', 'name']) if (typeof record[key] === 'string') return record[key] as string;
  return null;
}

/**
 * Records every change that succeeded on `/v1` (POST, PUT, PATCH, DELETE): who (the token AuthGuard
 * found), what (method, route, target), when and from where. The entry is written before the answer
 * ends, so an admin reading GET /v1/audit right after a change sees it; a refused change (4xx, 5xx)
 * is not a change and is not recorded.
 *
 * A middleware that holds back `res.end` rather than a Nest interceptor: any global interceptor makes
 * Nest run server-sent-event handlers lazily, which turns their 404s into error events inside a 200 stream.
 */
export function auditChanges(audit: AuditService): (req: Request, res: Response, next: NextFunction) => void {
  const logger = new Logger('audit');
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0];
    if (!CHANGES.has(req.method) || !path.startsWith('/v1/')) return next();
    const end = res.end;
    let held = false;
    res.end = function (this: Response, ...args: unknown[]) {
      if (held || res.statusCode >= 400) return (end as (...a: unknown[]) => Response).apply(this, args);
      held = true;
      const token = (req as AuthenticatedRequest).apiToken ?? null;
      const route = (req.route as { path?: string } | undefined)?.path ?? path;
      audit
        .record({
          token_id: token?.id ?? null,
          token_name: token?.name ?? null,
          method: req.method,
          route,
          path,
          target_id: targetOf(req, args[0]),
          status: res.statusCode,
          remote_address: req.ip ?? req.socket.remoteAddress ?? null,
        })
        // The change is made: failing its answer would only make the client repeat it. Said loudly instead.
        .catch((error: Error) =>
          logger.error(
            `could not record ${req.method} ${route} by ${token ? `token "${token.name}" (${token.id})` : 'no token'} in the audit log: ${error.message}`,
          ),
        )
        .finally(() => (end as (...a: unknown[]) => Response).apply(this, args));
      return this;
    } as Response['end'];
    next();
  };
}

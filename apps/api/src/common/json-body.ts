import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '@relayboard/contracts';
import { DomainError } from './domain-error';

/** The one route whose body is not JSON: a multipart CSV upload, read by UploadReader. */
const UPLOAD_ROUTE = /^\/v1\/datasets\/[^/]+\/upload\/?$/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Every other route that takes a body takes JSON: a body sent as anything else
 * (a form, text, a file) is answered 415 before it is read, instead of being
 * ignored and failing validation with a confusing "is required". A request
 * without Content-Type passes: proxies (the board's among them) send an empty
 * chunked body with bodiless POSTs and DELETEs, and a route that needs a body
 * says which fields are missing.
 */
export function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  const type = req.headers['content-type'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!type || !hasBody || UPLOAD_ROUTE.test(req.path) || JSON_TYPE.test(type)) return next();
  next(
    new DomainError(
      ErrorCode.UnsupportedMediaType,
      `${req.method} ${req.path} takes a JSON body, not "${type}"; send it with Content-Type: application/json`,
    ),
  );
}

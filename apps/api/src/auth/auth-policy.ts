import { createHash, randomBytes } from 'node:crypto';
import { ErrorCode, TOKEN_PREFIX, TOKEN_SCOPES, type TokenScope } from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';

/**
 * Routes outside `/v1` that answer without a token: probes (/health, /ready), Prometheus (/metrics)
 * and the api's own documentation (/openapi.json, /docs). Every other route needs one: a new
 * public route is added here, on purpose, never by forgetting a decorator.
 */
export const PUBLIC_PATHS: readonly string[] = ['/health', '/ready', '/metrics', '/openapi.json', '/docs'];

export function isPublicPath(path: string): boolean {
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return PUBLIC_PATHS.some((open) => normalized === open || (open === '/docs' && normalized.startsWith('/docs/')));
}

/** admin implies write implies read. */
export function scopeAllows(granted: TokenScope, needed: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(granted) >= TOKEN_SCOPES.indexOf(needed);
}

/** Reads (GET, HEAD, OPTIONS) need `read`, every change `write`, unless the route asks for more (tokens and audit: `admin`) or less. */
export function requiredScope(method: string, routeScope?: TokenScope): TokenScope {
  if (routeScope) return routeScope;
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'read' : 'write';
}

// rb_ + 32 random bytes in base64url (43 characters).
const TOKEN_SHAPE = /^rb_[A-Za-z0-9_-]{43}$/;

export type ParsedAuthorization =
  { kind: 'missing' } | { kind: 'malformed'; reason: string } | { kind: 'token'; token: string };

/** The token of an `Authorization: Bearer <token>` header, or why there is none. */
export function parseAuthorization(header: string | string[] | undefined): ParsedAuthorization {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return { kind: 'missing' };
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match) return { kind: 'malformed', reason: 'the Authorization header must be "Bearer <token>"' };
  if (!TOKEN_SHAPE.test(match[1]))
    return {
      kind: 'malformed',
      reason: `the bearer token is not a Relayboard api token (they start with ${TOKEN_PREFIX} and are 46 characters long)`,
    };
  return { kind: 'token', token: match[1] };
}

/** A new token's secret: high-entropy, so a fast hash (SHA-256) is as safe to store as a slow one, and it can be looked up by that hash. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What the first characters of a token show in lists ("rb_AbCd…"). */
export function tokenPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 4);
}

/** The token a request was made with, as the guard found it (null with AUTH=off). */
export interface RequestToken {
  id: string;
  name: string;
  scope: TokenScope;
}

export type TokenLookup =
  | { kind: 'valid'; token: RequestToken }
  | { kind: 'unknown' }
  | { kind: 'revoked'; name: string; at: Date }
  | { kind: 'expired'; name: string; at: Date };

const HOW_TO_GET_ONE =
  'send "Authorization: Bearer <token>"; the local stack writes an admin token to .relayboard/admin-token, and an admin creates more with POST /v1/tokens';

export interface AccessRequest {
  authEnabled: boolean;
  method: string;
  path: string;
  authorization: string | string[] | undefined;
  /** The scope the route asks for (tokens and audit: admin), when not the method's. */
  routeScope?: TokenScope;
  lookup(token: string): Promise<TokenLookup>;
}

/**
 * Whether a request may reach its route: the token it carries (null when none is
 * needed: a public path, or AUTH=off), or a 401 / 403 DomainError that says what is
 * wrong and how to put it right.
 */
export async function authorize(request: AccessRequest): Promise<RequestToken | null> {
  if (isPublicPath(request.path) || !request.authEnabled) return null;
  const needed = requiredScope(request.method, request.routeScope);
  const parsed = parseAuthorization(request.authorization);
  if (parsed.kind === 'missing')
    throw new DomainError(
      ErrorCode.Unauthorized,
      `${request.method} ${request.path} needs an api token: ${HOW_TO_GET_ONE}`,
      { reason: 'missing' },
    );
  if (parsed.kind === 'malformed')
    throw new DomainError(ErrorCode.Unauthorized, `${parsed.reason}; ${HOW_TO_GET_ONE}`, { reason: 'malformed' });
  const found = await request.lookup(parsed.token);
  switch (found.kind) {
    case 'unknown':
      throw new DomainError(
        ErrorCode.Unauthorized,
        `the api token is not one this api gave out (mistyped, or made for another installation); ${HOW_TO_GET_ONE}`,
        { reason: 'unknown' },
      );
    case 'revoked':
      throw new DomainError(
        ErrorCode.Unauthorized,
        `the api token "${found.name}" was revoked at ${found.at.toISOString()}; ask an admin for a new one (POST /v1/tokens)`,
        { reason: 'revoked' },
      );
    case 'expired':
      throw new DomainError(
        ErrorCode.Unauthorized,
        `the api token "${found.name}" expired at ${found.at.toISOString()}; ask an admin for a new one (POST /v1/tokens)`,
        { reason: 'expired' },
      );
  }
  if (!scopeAllows(found.token.scope, needed)) {
    throw new DomainError(
      ErrorCode.Forbidden,
      `${request.method} ${request.path} needs a token with scope ${needed}; the token "${found.token.name}" has scope ${found.token.scope} (an admin can create one with POST /v1/tokens)`,
      { requiredScope: needed, tokenScope: found.token.scope },
    );
  }
  return found.token;
}

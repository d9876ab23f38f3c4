import { z } from 'zod';
import { strictRequest } from './strict';

/** admin implies write implies read. */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export const tokenScopeSchema = z.enum(TOKEN_SCOPES, {
  error: () => `must be one of ${TOKEN_SCOPES.join(', ')} (admin implies write implies read)`,
});
export type TokenScope = z.infer<typeof tokenScopeSchema>;

/** Every token starts with this, so a leaked one is easy to recognise (secret scanners, logs). */
export const TOKEN_PREFIX = 'rb_';

/** The header every `/v1` request carries: `Authorization: Bearer rb_…`. */
export const AUTH_HEADER = 'authorization';

export const createTokenRequestSchema = strictRequest({
  name: z
    .string()
    .trim()
    .min(1, { message: 'must not be empty: say who or what uses the token' })
    .max(100, { message: 'must be at most 100 characters' }),
  scope: tokenScopeSchema,
  /** When the token stops working (ISO 8601 with a time zone); leave out for a token that does not expire. */
  expiresAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2027-01-31T00:00:00Z' })
    .refine((value) => Date.parse(value) > Date.now(), { message: 'must be in the future' })
    .optional(),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequestSchema>;

/** A token as listed: never its secret. */
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: tokenScopeSchema,
  /** The first characters of the token, to tell tokens apart. */
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** active, or why the token no longer works. */
  status: z.enum(['active', 'expired', 'revoked']),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

/** `POST /v1/tokens`: the only answer that carries the secret; it cannot be shown again. */
export const createdTokenSchema = apiTokenSchema.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof createdTokenSchema>;

export const tokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });
export type TokenList = z.infer<typeof tokenListSchema>;

/** `GET /v1/tokens/current`: the token the request was made with (any scope), e.g. for the board's sign-in. */
export const currentTokenSchema = z.object({
  auth: z.enum(['on', 'off']),
  token: apiTokenSchema.nullable(),
});
export type CurrentToken = z.infer<typeof currentTokenSchema>;

export const listAuditQuerySchema = strictRequest({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** nextCursor of the previous page: older entries. Leave out for the first page. */
  cursor: z.string().max(500).optional(),
});
export type ListAuditQuery = z.infer<typeof listAuditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  /** Who: null when the change was made with AUTH=off (or by the stack's bootstrap). */
  token: z.object({ id: z.string(), name: z.string() }).nullable(),
  method: z.string(),
  /** The route pattern, e.g. /v1/datasets/:name. */
  route: z.string(),
  path: z.string(),
  targetId: z.string().nullable(),
  status: z.number().int(),
  remoteAddress: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Newest first. */
export const auditListSchema = z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditList = z.infer<typeof auditListSchema>;

/** The board's session cookie (httpOnly, SameSite=Lax): it holds the api token the person signed in with. */
export const BOARD_SESSION_COOKIE = 'relayboard_session';

import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  isUuid,
  ErrorCode,
  type ApiToken,
  type CreatedToken,
  type CreateTokenRequest,
  type TokenScope,
} from '@relayboard/contracts';
import type { ApiTokenRow, Knex } from '@relayboard/db';
import { DomainError } from '../common/domain-error';
import { generateToken, hashToken, tokenPrefix, type RequestToken, type TokenLookup } from './auth-policy';
import { TokensRepository } from './tokens.repository';

/** last_used_at is written at most this often per token (and per process: the repository checks the stored time too). */
const LAST_USED_EVERY_MS = 60_000;

export function toApiToken(row: ApiTokenRow, now = new Date()): ApiToken {
  const status = row.revoked_at ? 'revoked' : row.expires_at && row.expires_at <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.token_prefix,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    status,
  };
}

@Injectable()
export class TokensService {
  private readonly logger = new Logger('tokens');
  private readonly lastTouched = new Map<string, number>();

  constructor(@Inject(TokensRepository) private readonly repository: TokensRepository) {}

  /** The only time the secret exists outside the caller: it is returned here and stored as its SHA-256. */
  async create(request: CreateTokenRequest, createdBy: RequestToken | null, trx?: Knex): Promise<CreatedToken> {
    const token = generateToken();
    const row = await this.repository.insert(
      {
        name: request.name,
        scope: request.scope,
        tokenHash: hashToken(token),
        tokenPrefix: tokenPrefix(token),
        expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
        createdByTokenId: createdBy?.id ?? null,
      },
      trx,
    );
    return { ...toApiToken(row), token };
  }

  async list(): Promise<ApiToken[]> {
    const now = new Date();
    return (await this.repository.list()).map((row) => toApiToken(row, now));
  }

  async get(id: string): Promise<ApiToken> {
    const row = isUuid(id) ? await this.repository.find(id) : null;
    if (!row) throw new DomainError(ErrorCode.TokenNotFound, `no api token with id ${id}; GET /v1/tokens lists them`);
    return toApiToken(row);
  }

  async revoke(id: string): Promise<ApiToken> {
    const row = isUuid(id) ? await this.repository.revoke(id) : null;
    if (!row) throw new DomainError(ErrorCode.TokenNotFound, `no api token with id ${id}; GET /v1/tokens lists them`);
    return toApiToken(row);
  }

  /** Finds the token by its hash and says whether it works; notes its use at most once a minute. */
  async authenticate(token: string): Promise<TokenLookup> {
    const row = await this.repository.findByHash(hashToken(token));
    if (!row) return { kind: 'unknown' };
    if (row.revoked_at) return { kind: 'revoked', name: row.name, at: row.revoked_at };
    if (row.expires_at && row.expires_at <= new Date()) return { kind: 'expired', name: row.name, at: row.expires_at };
    this.noteUse(row.id);
    return { kind: 'valid', token: { id: row.id, name: row.name, scope: row.scope as TokenScope } };
  }

  /** Creates a first admin token when no active one exists; `write` stores the secret (inside the transaction, so a failed write leaves no token). */
  async bootstrapAdmin(name: string, write: (token: CreatedToken) => void): Promise<CreatedToken | null> {
    return this.repository.withoutActiveAdmin(async (trx) => {
      const created = await this.create({ name, scope: 'admin' }, null, trx);
      write(created);
      return created;
    });
  }

  private noteUse(id: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < LAST_USED_EVERY_MS) return;
    this.lastTouched.set(id, now);
    // Off the request's path: a slow write never slows a request, and a failed one only loses a last-used time.
    this.repository
      .touchLastUsed(id)
      .catch((error: Error) => this.logger.warn(`could not note the use of api token ${id}: ${error.message}`));
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Tables, type ApiTokenRow, type Knex } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export interface NewToken {
  name: string;
  scope: ApiTokenRow['scope'];
  tokenHash: string;
  tokenPrefix: string;
  expiresAt: Date | null;
  createdByTokenId: string | null;
}

/** Serialises the bootstrap of the first admin token across api processes starting at once. */
const BOOTSTRAP_LOCK = 0x72620001;

@Injectable()
export class TokensRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async insert(token: NewToken, trx: Knex = this.knex): Promise<ApiTokenRow> {
    const [row] = await trx<ApiTokenRow>(Tables.apiTokens)
      .insert({
        name: token.name,
        scope: token.scope,
        token_hash: token.tokenHash,
        token_prefix: token.tokenPrefix,
        expires_at: token.expiresAt,
        created_by_token_id: token.createdByTokenId,
      })
      .returning('*');
    return row;
  }

  /** One index hit (token_hash is unique). */
  async findByHash(tokenHash: string): Promise<ApiTokenRow | null> {
    return (await this.knex<ApiTokenRow>(Tables.apiTokens).where({ token_hash: tokenHash }).first()) ?? null;
  }

  async find(id: string): Promise<ApiTokenRow | null> {
    return (await this.knex<ApiTokenRow>(Tables.apiTokens).where({ id }).first()) ?? null;
  }

  /** Newest first; revoked and expired ones too (they say so). */
  async list(): Promise<ApiTokenRow[]> {
    return this.knex<ApiTokenRow>(Tables.apiTokens).orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  }

  /** Revokes once: a second revoke keeps the first time. */
  async revoke(id: string): Promise<ApiTokenRow | null> {
    const [row] = await this.knex<ApiTokenRow>(Tables.apiTokens)
      .where({ id })
      .update({ revoked_at: this.knex.raw('coalesce(revoked_at, now())') as unknown as Date })
      .returning('*');
    return row ?? null;
  }

  /** Writes last_used_at only when the stored one is older than a minute (or unset), whichever process saw the token last. */
  async touchLastUsed(id: string): Promise<void> {
    await this.knex(Tables.apiTokens)
      .where({ id })
      .andWhere((q) => q.whereNull('last_used_at').orWhereRaw(`last_used_at < now() - interval '1 minute'`))
      .update({ last_used_at: this.knex.fn.now() });
  }

  /**
   * Runs `create` with the bootstrap lock held when no active admin token exists (none revoked or expired),
   * inside one transaction: `create` writes the token's file before the token is committed.
   */
  async withoutActiveAdmin<T>(create: (trx: Knex) => Promise<T>): Promise<T | null> {
    return this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [BOOTSTRAP_LOCK]);
      const admin = await trx(Tables.apiTokens)
        .where({ scope: 'admin' })
        .whereNull('revoked_at')
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', trx.fn.now()))
        .first('id');
      if (admin) return null;
      return create(trx);
    });
  }
}

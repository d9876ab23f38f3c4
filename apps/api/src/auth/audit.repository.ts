import { Inject, Injectable } from '@nestjs/common';
import { Tables, type AuditLogRow, type Knex } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export type NewAuditEntry = Omit<AuditLogRow, 'id' | 'at'>;

/** An entry's place in the newest-first order: `at` to the microsecond (a Date keeps only milliseconds) and the id. */
export type AuditRow = AuditLogRow & { at_key: string };

@Injectable()
export class AuditRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async insert(entry: NewAuditEntry): Promise<void> {
    await this.knex(Tables.auditLog).insert(entry);
  }

  /** Newest first, `limit` rows after the cursor's (at, id). */
  async list(limit: number, after: { atKey: string; id: string } | null): Promise<AuditRow[]> {
    const query = this.knex(Tables.auditLog)
      .select('*', this.knex.raw(`to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key`))
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (after) query.whereRaw('(at, id) < (?::timestamptz, ?::bigint)', [after.atKey, after.id]);
    return (await query) as AuditRow[];
  }
}

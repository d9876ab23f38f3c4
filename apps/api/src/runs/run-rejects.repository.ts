import { Inject, Injectable } from '@nestjs/common';
import { RAW_REJECT_CHARS } from '@relayboard/contracts';
import { quoteIdent, type Knex } from '@relayboard/db';
import { WAREHOUSE_KNEX } from '../core/tokens';

/** PostgreSQL's undefined_table: the table went between the look-up and the lock. */
const UNDEFINED_TABLE = '42P01';

/** A rejects read never waits long on a busy warehouse. */
const READ_TIMEOUT = '5s';

export interface RejectRow {
  line_number: string;
  reason: string;
  raw: string;
  raw_truncated: boolean;
}

export interface RejectsTableRead {
  /** The table's comment: the load (run) id stage-csv stamps on it, null on tables written before that. */
  loadId: string | null;
  total: number;
  /** `limit` rows after the given line number, by line number. */
  rows: RejectRow[];
}

/** Reads staging.<dataset>__rejects, which holds the dataset's latest load's rejected rows. */
@Injectable()
export class RunRejectsRepository {
  constructor(@Inject(WAREHOUSE_KNEX) private readonly warehouse: Knex) {}

  static tableOf(dataset: string): string {
    return `staging.${dataset}__rejects`;
  }

  /**
   * The table's stamp, count and one page in one read-only transaction that
   * holds the table (a share lock), so a load publishing meanwhile cannot swap
   * it between the stamp and the rows; null when there is no such table.
   */
  async read(dataset: string, afterLine: number | null, limit: number): Promise<RejectsTableRead | null> {
    const table = `${quoteIdent('staging')}.${quoteIdent(`${dataset}__rejects`)}`;
    try {
      return await this.warehouse.transaction(
        async (trx) => {
          await trx.raw(`set local statement_timeout = '${READ_TIMEOUT}'`);
          const { rows: found } = await trx.raw<{ rows: { oid: string | null }[] }>(
            'select to_regclass(?)::oid as oid',
            [table],
          );
          if (!found[0].oid) return null;
          await trx.raw(`lock table ${table} in access share mode`);
          const { rows: stamp } = await trx.raw<{ rows: { load_id: string | null; total: string }[] }>(
            `select obj_description(?::oid, 'pg_class') as load_id, (select count(*) from ${table}) as total`,
            [found[0].oid],
          );
          const { rows } = await trx.raw<{ rows: RejectRow[] }>(
            `select line_number, reason, left(raw, ${RAW_REJECT_CHARS}) as raw,
                    (char_length(raw) > ${RAW_REJECT_CHARS} or raw_bytes > octet_length(raw)) as raw_truncated
               from ${table}
              where line_number > ?
              order by line_number
              limit ?`,
            [afterLine ?? 0, limit],
          );
          return { loadId: stamp[0].load_id, total: Number(stamp[0].total), rows };
        },
        { readOnly: true },
      );
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return null;
      throw error;
    }
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DBT_DATA_TABLES, quoteIdent, type Knex } from '@relayboard/db';
import { WAREHOUSE_KNEX } from '../core/tokens';

/** PostgreSQL's dependent_objects_still_exist: another relation (a view of someone's) reads one of them. */
const DEPENDENT_OBJECTS = '2BP01';

/**
 * The warehouse relations Relayboard makes for a dataset: staging.<name> with its
 * rejects and leftover load tables, and the dbt models stg_<name>, <name> and
 * <name>__profile with dbt's temporary and backup copies. People's own models are
 * not among them, even when named like the dataset.
 */
function relationsOf(name: string): { staging: string[]; stagingPrefix: string; warehouse: string[] } {
  const models = [`stg_${name}`, name, `${name}__profile`];
  return {
    staging: [name, `${name}__rejects`],
    stagingPrefix: `${name}__load_`,
    warehouse: models.flatMap((m) => [m, `${m}__dbt_tmp`, `${m}__dbt_backup`]),
  };
}

/** The api's door to the warehouse for a deleted dataset: removes its relations and dbt data. */
@Injectable()
export class DatasetRelationsRepository {
  constructor(@Inject(WAREHOUSE_KNEX) private readonly warehouse: Knex) {}

  /**
   * Drops the dataset's relations and its rows in the dbt data tables, in one
   * transaction, without CASCADE: when another relation (a view someone made)
   * depends on one of them, nothing is dropped and PostgreSQL's words say which.
   */
  async drop(name: string): Promise<{ dropped: string[] } | { blockedBy: string }> {
    const wanted = relationsOf(name);
    try {
      return await this.warehouse.transaction(async (trx) => {
        const { rows } = await trx.raw<{ rows: { schema: string; name: string; kind: string }[] }>(
          `select n.nspname as schema, c.relname as name, c.relkind as kind
             from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'v', 'm', 'f')
              and ((n.nspname = 'staging' and (c.relname = any(?) or starts_with(c.relname, ?)))
                or (n.nspname = 'warehouse' and c.relname = any(?)))
            order by case when c.relkind in ('v', 'm') then 0 else 1 end, n.nspname desc, c.relname`,
          [wanted.staging, wanted.stagingPrefix, wanted.warehouse],
        );
        for (const r of rows) {
          const kind =
            r.kind === 'v' ? 'view' : r.kind === 'm' ? 'materialized view' : r.kind === 'f' ? 'foreign table' : 'table';
          await trx.raw(`drop ${kind} if exists ${quoteIdent(r.schema)}.${quoteIdent(r.name)}`);
        }
        for (const table of Object.values(DBT_DATA_TABLES)) {
          const { rows: exists } = await trx.raw<{ rows: { found: string | null }[] }>(
            'select to_regclass(?) as found',
            [table],
          );
          if (exists[0].found) await trx.raw(`delete from ${table} where dataset = ?`, [name]);
        }
        return { dropped: rows.map((r) => `${r.schema}.${r.name}`) };
      });
    } catch (error) {
      const pg = error as { code?: string; detail?: string; message: string };
      if (pg.code === DEPENDENT_OBJECTS)
        return { blockedBy: `${pg.message}${pg.detail ? ` (${pg.detail.replace(/\n/g, '; ')})` : ''}` };
      throw error;
    }
  }
}

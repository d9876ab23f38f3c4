import type { Pool } from 'pg';
import { DBT_DATA_TABLES, inTransaction, type StagedColumn } from '@relayboard/db';
import type { CheckInput } from './dbt-files';

/** Key of the advisory lock that serializes creating the tables across workers. */
const CREATE_LOCK = 0x52420002;

/**
 * The text that generated models need but that must never be written into a
 * file dbt renders: original headers and accepted values. It goes into the
 * warehouse with bound parameters, and the models read it as rows.
 */
export class DbtDataRepository {
  private ready: Promise<void> | null = null;

  constructor(private readonly warehouse: Pool) {}

  /** Ends the warehouse sessions with this application_name (a stopped dbt's): their statements stop and their transactions roll back. Returns how many. */
  async endSessions(applicationName: string): Promise<number> {
    const { rows } = await this.warehouse.query<{ ended: boolean }>(
      'select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [applicationName],
    );
    return rows.filter((r) => r.ended).length;
  }

  /** Creates the tables once per process (concurrent workers take turns). */
  ensureTables(): Promise<void> {
    this.ready ??= this.createTables().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private createTables(): Promise<void> {
    return inTransaction(this.warehouse, async (client) => {
      await client.query('select pg_advisory_xact_lock($1)', [CREATE_LOCK]);
      await client.query('create schema if not exists staging');
      await client.query(
        `create table if not exists ${DBT_DATA_TABLES.columns} (
           dataset text not null, position int not null, column_name text not null, original_name text not null, column_type text not null,
           primary key (dataset, column_name))`,
      );
      await client.query(
        `create table if not exists ${DBT_DATA_TABLES.checkValues} (
           check_id uuid not null, dataset text not null, position int not null, value text not null,
           primary key (check_id, position))`,
      );
      await client.query(
        `create index if not exists _rb_check_values_dataset on ${DBT_DATA_TABLES.checkValues} (dataset)`,
      );
    });
  }

  /** Replaces the dataset's rows with its current columns and checks' accepted values, in one transaction. */
  async write(dataset: string, columns: StagedColumn[], checks: CheckInput[]): Promise<void> {
    await this.ensureTables();
    const values = checks.flatMap((check) =>
      check.kind === 'accepted_values'
        ? (check.config.values ?? []).map((value, position) => ({ check: check.id, position, value }))
        : [],
    );
    await inTransaction(this.warehouse, async (client) => {
      await client.query(`delete from ${DBT_DATA_TABLES.columns} where dataset = $1`, [dataset]);
      await client.query(
        `insert into ${DBT_DATA_TABLES.columns} (dataset, position, column_name, original_name, column_type)
         select $1, * from unnest($2::int[], $3::text[], $4::text[], $5::text[])`,
        [
          dataset,
          columns.map((_, i) => i + 1),
          columns.map((c) => c.name),
          columns.map((c) => c.originalName),
          columns.map((c) => c.type),
        ],
      );
      await client.query(`delete from ${DBT_DATA_TABLES.checkValues} where dataset = $1`, [dataset]);
      await client.query(
        `insert into ${DBT_DATA_TABLES.checkValues} (check_id, dataset, position, value)
         select check_id, $1, position, value from unnest($2::uuid[], $3::int[], $4::text[]) as v(check_id, position, value)`,
        [dataset, values.map((v) => v.check), values.map((v) => v.position), values.map((v) => v.value)],
      );
    });
  }
}

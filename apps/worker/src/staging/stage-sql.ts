import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent, ROW_NUMBER_COLUMN, sqlString, type StagedColumn } from '@relayboard/db';
import { captureDependentViews, recreateViews, type RecreatedViews } from './dependent-views';

/**
 * The load's SQL: the schema and load tables it creates, the swap that
 * publishes them as staging.<dataset>, and the drops of tables a load leaves.
 */

export const STAGING_SCHEMA = 'staging';

export function qualified(table: string): string {
  return `${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(table)}`;
}

export async function createStagingSchema(client: PoolClient): Promise<void> {
  await client.query(`create schema if not exists ${quoteIdent(STAGING_SCHEMA)}`);
}

export async function createLoadTable(
  client: PoolClient,
  table: string,
  rowSequence: string,
  columns: StagedColumn[],
): Promise<void> {
  // UNLOGGED: staging can always be rebuilt from the object store, and skipping the WAL speeds COPY up.
  // The row number default names the sequence as text, so that each COPY connection draws from its own.
  await client.query(
    `create unlogged table ${table} (${quoteIdent(ROW_NUMBER_COLUMN)} bigint not null default nextval(${sqlString(`pg_temp.${rowSequence}`)}::text), ${columns.map((c) => `${quoteIdent(c.name)} text`).join(', ')})`,
  );
}

export async function createRejectsTable(client: PoolClient, rejectsTable: string, loadId: string): Promise<void> {
  await client.query(
    `create unlogged table ${rejectsTable} (line_number bigint not null, record_number bigint not null, reason text not null, raw text not null, raw_bytes bigint not null)`,
  );
  // Only the latest load's rejects are kept: the load id (the run's) says whose they are.
  await client.query(`comment on table ${rejectsTable} is ${sqlString(loadId)}`);
}

export async function copyRejects(
  client: PoolClient,
  rejectsTable: string,
  spooled: Readable,
  signal: AbortSignal | undefined,
): Promise<void> {
  await pipeline(
    spooled,
    client.query(
      copyFrom(
        `copy ${rejectsTable} (line_number, record_number, reason, raw, raw_bytes) from stdin with (format csv)`,
      ),
    ),
    signal ? { signal } : {},
  );
}

/** Swaps the load tables in as staging.<dataset> and staging.<dataset>__rejects, in one transaction. */
export async function publish(
  client: PoolClient,
  dataset: string,
  table: string,
  rejectsTable: string,
): Promise<RecreatedViews> {
  await client.query(`alter table ${table} alter column ${quoteIdent(ROW_NUMBER_COLUMN)} drop default`);
  await client.query('begin');
  // The views over the old table (dbt's stg_ view, people's views on it) are recreated over the new one in this
  // transaction, so readers never see them missing, and a transform that fails later leaves them in place.
  // A view that no longer fits the new columns is left for the transform's dbt build to rebuild.
  const dependents = await captureDependentViews(client, STAGING_SCHEMA, dataset);
  await client.query(`drop table if exists ${qualified(dataset)} cascade`);
  await client.query(`alter table ${table} rename to ${quoteIdent(dataset)}`);
  const views = await recreateViews(client, dependents);
  await client.query(`drop table if exists ${qualified(`${dataset}__rejects`)}`);
  await client.query(`alter table ${rejectsTable} rename to ${quoteIdent(`${dataset}__rejects`)}`);
  await client.query('commit');
  return views;
}

/** Load tables left by a worker that died mid-load (runs of one dataset never overlap). */
export async function dropOrphans(client: PoolClient, dataset: string): Promise<void> {
  const { rows } = await client.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = $1 and tablename like $2`,
    [STAGING_SCHEMA, `${dataset.replace(/_/g, '\\_')}\\_\\_load\\_%`],
  );
  for (const { tablename } of rows) await client.query(`drop table if exists ${qualified(tablename)}`);
}

/**
 * Drops this load's tables, over a fresh connection when the load's own was
 * cut (a terminated backend). False when the load's connection is unusable.
 */
export async function cleanUp(
  warehouse: Pool,
  client: PoolClient,
  clientError: Error | null,
  tables: string[],
): Promise<boolean> {
  const drop = `drop table if exists ${tables.join(', ')}`;
  if (clientError === null) {
    const done = await client
      .query('rollback')
      .then(() => client.query(drop))
      .then(() => true)
      .catch(() => false);
    if (done) return true;
  }
  await warehouse.query(drop).catch(() => undefined);
  return false;
}

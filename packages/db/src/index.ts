import knexFactory, { Knex } from 'knex';
import * as initial from './migrations/20261121000000_initial';
import * as datasetSources from './migrations/20261121010000_dataset_sources';
import * as dbtChecksLineage from './migrations/20261121030000_dbt_checks_lineage';
import * as datasetDbtState from './migrations/20261201000000_dataset_dbt_state';
import * as destinationsDeliveries from './migrations/20261201010000_destinations_deliveries';
import * as runNotifications from './migrations/20261201020000_run_notifications';
import * as runCreatedNotify from './migrations/20261201030000_run_created_notify';
import * as runControl from './migrations/20261202010000_run_control';
import * as runWaitingNodeTiming from './migrations/20261202020000_run_waiting_node_timing';
import * as datasetSchedules from './migrations/20261203020000_dataset_schedules';
import * as metricTotals from './migrations/20261203030000_metric_totals';
import * as apiTokens from './migrations/20261203010000_api_tokens';
import * as columnOverrides from './migrations/20261204010000_column_overrides';

export type { Knex } from 'knex';

export const METADATA_SCHEMA = 'relayboard';

/** Tables of the `relayboard` schema, named once so repositories never spell them. */
export const Tables = {
  datasets: `${METADATA_SCHEMA}.datasets`,
  datasetVersions: `${METADATA_SCHEMA}.dataset_versions`,
  destinations: `${METADATA_SCHEMA}.destinations`,
  runs: `${METADATA_SCHEMA}.runs`,
  runSteps: `${METADATA_SCHEMA}.run_steps`,
  runEvents: `${METADATA_SCHEMA}.run_events`,
  deliveries: `${METADATA_SCHEMA}.deliveries`,
  datasetChecks: `${METADATA_SCHEMA}.dataset_checks`,
  runNodeResults: `${METADATA_SCHEMA}.run_node_results`,
  datasetLineage: `${METADATA_SCHEMA}.dataset_lineage`,
  idempotencyKeys: `${METADATA_SCHEMA}.idempotency_keys`,
  datasetSchedules: `${METADATA_SCHEMA}.dataset_schedules`,
  metricCounters: `${METADATA_SCHEMA}.metric_counters`,
  metricHistograms: `${METADATA_SCHEMA}.metric_histograms`,
  apiTokens: `${METADATA_SCHEMA}.api_tokens`,
  auditLog: `${METADATA_SCHEMA}.audit_log`,
  datasetColumnOverrides: `${METADATA_SCHEMA}.dataset_column_overrides`,
} as const;

/**
 * Warehouse tables of source relayboard_meta (dbt/models/_relayboard_meta__sources.yml):
 * the text from files and requests that generated dbt models read as rows.
 */
export const DBT_DATA_TABLES = { columns: 'staging._rb_columns', checkValues: 'staging._rb_check_values' } as const;

/** The channel the metadata database notifies, with a run's id, when the run, a step or an event of it changes. */
export const RUN_CHANGES_CHANNEL = 'relayboard_run_changes';

/** Timeouts of a PostgreSQL connection (DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS). */
export interface PgTimeouts {
  /** Connecting, TLS and authentication included; a server that does not answer fails the connect after this. */
  connectMs: number;
  /** Longest statement (0: none). Set only on metadata connections: never on COPY or dbt work. */
  statementMs?: number;
}

/** A dead peer is noticed by TCP keepalive probes after about this long of silence. */
export const PG_KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/**
 * pg connection options for the timeouts: a connect timeout, TCP keepalive, and
 * with statementMs a server-side statement_timeout plus a client-side query
 * timeout a little above it (which fires when the server itself hangs).
 */
export function pgTimeoutOptions(timeouts: PgTimeouts): Record<string, number | boolean> {
  const options: Record<string, number | boolean> = {
    connectionTimeoutMillis: timeouts.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: PG_KEEPALIVE_INITIAL_DELAY_MS,
  };
  if (timeouts.statementMs) {
    options.statement_timeout = timeouts.statementMs;
    options.query_timeout = timeouts.statementMs + 5_000;
  }
  return options;
}

/** Where knex's own warnings go (a connection that ended, a deprecation): the app's logger, not the console. */
export interface KnexLog {
  warn(message: string): void;
  error(message: string): void;
}

export function createKnex(
  connectionString: string,
  pool: { min?: number; max?: number } = {},
  timeouts?: PgTimeouts,
  log?: KnexLog,
): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'relayboard', ...(timeouts && pgTimeoutOptions(timeouts)) },
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    ...(log && {
      log: {
        warn: (message: unknown) => log.warn(`knex: ${String(message)}`),
        error: (message: unknown) => log.error(`knex: ${String(message)}`),
        deprecate: (method: unknown, alternative: unknown) =>
          log.warn(`knex: ${String(method)} is deprecated, use ${String(alternative)}`),
        debug: () => undefined,
      },
    }),
  });
}

const KEY_CHECK_PLAINTEXT = 'relayboard secrets key check';

/**
 * Refuses a SECRETS_KEY other than the one the stored secrets were encrypted
 * with: the first start records a token under the key, every later start must
 * decrypt it. Call after migrating.
 */
export async function verifySecretsKey(
  knex: Knex,
  box: { encrypt(plain: string): string; decrypt(token: string): string },
): Promise<void> {
  await knex(`${METADATA_SCHEMA}.secrets_key_check`)
    .insert({ id: 1, token: box.encrypt(KEY_CHECK_PLAINTEXT) })
    .onConflict('id')
    .ignore();
  const row = await knex(`${METADATA_SCHEMA}.secrets_key_check`).where({ id: 1 }).first<{ token: string }>();
  if (box.decrypt(row.token) !== KEY_CHECK_PLAINTEXT)
    throw new Error('SECRETS_KEY does not match the key this database was set up with');
}

/**
 * Runs pending migrations. Knex takes a lock in the database, so the api and any
 * number of workers can call this at start without racing each other.
 */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  await knex.raw(`create schema if not exists ${METADATA_SCHEMA}`);
  const [, applied] = (await knex.migrate.latest({
    migrationSource: new StaticMigrationSource(),
    schemaName: METADATA_SCHEMA,
    tableName: 'knex_migrations',
  })) as [number, string[]];
  return applied;
}

/** Migrations are imported, not globbed, so they load the same from source (tests) and from dist. */
const migrations: Record<string, Knex.Migration> = {
  '20261121000000_initial': initial,
  '20261121010000_dataset_sources': datasetSources,
  '20261121030000_dbt_checks_lineage': dbtChecksLineage,
  '20261201000000_dataset_dbt_state': datasetDbtState,
  '20261201010000_destinations_deliveries': destinationsDeliveries,
  '20261201020000_run_notifications': runNotifications,
  '20261201030000_run_created_notify': runCreatedNotify,
  '20261202010000_run_control': runControl,
  '20261202020000_run_waiting_node_timing': runWaitingNodeTiming,
  '20261203020000_dataset_schedules': datasetSchedules,
  '20261203030000_metric_totals': metricTotals,
  '20261203010000_api_tokens': apiTokens,
  '20261204010000_column_overrides': columnOverrides,
};

class StaticMigrationSource implements Knex.MigrationSource<string> {
  getMigrations(): Promise<string[]> {
    return Promise.resolve(Object.keys(migrations).sort());
  }
  getMigrationName(name: string): string {
    return name;
  }
  getMigration(name: string): Promise<Knex.Migration> {
    return Promise.resolve(migrations[name]);
  }
}

export * from './dataset-locks';
export * from './model-build-locks';
export * from './pg-transaction';
export * from './rows';
export { DURATION_BUCKETS_SECONDS } from './migrations/20261203030000_metric_totals';
export * from './sql';
export * from './repositories/checks';
export * from './repositories/datasets';
export * from './repositories/deliveries';
export * from './repositories/runs';

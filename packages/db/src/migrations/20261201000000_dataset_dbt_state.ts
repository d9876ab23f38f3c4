import type { Knex } from 'knex';

const S = 'relayboard';

export async function up(knex: Knex): Promise<void> {
  // Set when a dataset's generated dbt files are taken out of the project so they cannot stop other datasets' runs.
  await knex.schema.withSchema(S).alterTable('datasets', (t) => {
    t.text('dbt_disabled_reason');
    t.timestamp('dbt_disabled_at', { useTz: true });
    t.uuid('dbt_disabled_by_run_id').references('id').inTable(`${S}.runs`).onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('datasets', (t) => {
    t.dropColumns('dbt_disabled_reason', 'dbt_disabled_at', 'dbt_disabled_by_run_id');
  });
}

import type { Knex } from 'knex';

const S = 'relayboard';

export async function up(knex: Knex): Promise<void> {
  // Set while a queued run waits for its dataset's lock (another run, or a delete, holds it); cleared when it starts.
  await knex.schema.withSchema(S).alterTable('runs', (t) => {
    t.uuid('waiting_for_run_id').references('id').inTable(`${S}.runs`).onDelete('SET NULL');
    t.text('waiting_reason');
    t.timestamp('waiting_since', { useTz: true });
  });
  // When dbt ran each node (run_results.json's execute timing): builds of one model never overlap, and this shows it.
  await knex.schema.withSchema(S).alterTable('run_node_results', (t) => {
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('run_node_results', (t) => {
    t.dropColumns('started_at', 'completed_at');
  });
  await knex.schema.withSchema(S).alterTable('runs', (t) => {
    t.dropColumns('waiting_for_run_id', 'waiting_reason', 'waiting_since');
  });
}

import type { Knex } from 'knex';

const S = 'relayboard';

/**
 * When dbt worked on each node of a run (the first `started_at` and last
 * `completed_at` of the node's timing in dbt's run_results.json), so builds of
 * one model by different runs can be compared: two builds of a shared mart
 * must never overlap.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('run_node_results', (t) => {
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('run_node_results', (t) => t.dropColumns('started_at', 'completed_at'));
}

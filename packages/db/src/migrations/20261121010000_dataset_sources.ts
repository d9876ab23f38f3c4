import type { Knex } from 'knex';

const S = 'relayboard';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('dataset_versions', (t) => {
    // A URL dataset may also receive uploads, so each version says where its bytes came from.
    t.text('source').notNullable().defaultTo('url').checkIn(['url', 'upload']);
    t.jsonb('dialect');
    t.jsonb('schema_changes');
    t.bigInteger('rejected_rows');
    // Set when a refresh run fetched this version, so a retried run reuses it instead of fetching again.
    t.uuid('fetched_by_run_id').references('id').inTable(`${S}.runs`).onDelete('SET NULL');
    t.index(['fetched_by_run_id']);
  });
  await knex.raw(
    `update ${S}.dataset_versions v set source = d.source_type from ${S}.datasets d where d.id = v.dataset_id`,
  );

  await knex.schema.withSchema(S).alterTable('runs', (t) => {
    t.boolean('refresh').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('runs', (t) => t.dropColumn('refresh'));
  await knex.schema.withSchema(S).alterTable('dataset_versions', (t) => {
    t.dropIndex(['fetched_by_run_id']);
    t.dropColumns('source', 'dialect', 'schema_changes', 'rejected_rows', 'fetched_by_run_id');
  });
}

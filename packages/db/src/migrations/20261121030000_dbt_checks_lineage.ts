import type { Knex } from 'knex';

const S = 'relayboard';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('dataset_checks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('dataset_id').notNullable().references('id').inTable(`${S}.datasets`).onDelete('CASCADE');
    // The dbt test's name; a dataset cannot declare the same check twice.
    t.text('name').notNullable();
    t.text('kind').notNullable().checkIn(['not_null', 'unique', 'accepted_values', 'relationships', 'row_count']);
    t.text('column_name');
    t.text('severity').notNullable().defaultTo('error').checkIn(['error', 'warn']);
    t.jsonb('config').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['dataset_id', 'name']);
  });

  await knex.schema.withSchema(S).createTable('run_node_results', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('run_id').notNullable().references('id').inTable(`${S}.runs`).onDelete('CASCADE');
    t.text('unique_id').notNullable();
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.text('status').notNullable();
    t.bigInteger('rows_affected');
    t.double('execution_time').notNullable().defaultTo(0);
    t.bigInteger('failures');
    t.text('message');
    // No foreign key: a check deleted later keeps its past results.
    t.uuid('check_id');
    t.unique(['run_id', 'unique_id']);
    t.index(['check_id', 'id']);
  });

  // The dataset's part of dbt's manifest, saved by the worker after each build, so the api never runs dbt.
  await knex.schema.withSchema(S).createTable('dataset_lineage', (t) => {
    t.uuid('dataset_id').primary().references('id').inTable(`${S}.datasets`).onDelete('CASCADE');
    t.uuid('run_id').references('id').inTable(`${S}.runs`).onDelete('SET NULL');
    t.jsonb('lineage').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['dataset_lineage', 'run_node_results', 'dataset_checks']) {
    await knex.schema.withSchema(S).dropTableIfExists(table);
  }
}

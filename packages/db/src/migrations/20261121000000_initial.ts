import type { Knex } from 'knex';

const S = 'relayboard';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('datasets', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable().unique();
    t.text('source_type').notNullable().checkIn(['url', 'upload']);
    t.text('source_url');
    t.uuid('current_version_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.withSchema(S).createTable('dataset_versions', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('dataset_id').notNullable().references('id').inTable(`${S}.datasets`).onDelete('CASCADE');
    t.text('sha256').notNullable();
    t.bigInteger('size_bytes').notNullable();
    t.text('object_key').notNullable();
    t.text('source_url');
    t.boolean('unchanged').notNullable().defaultTo(false);
    // Filled by the first run that stages this version: [{ name, originalName, type }].
    t.jsonb('columns');
    t.bigInteger('row_count');
    t.timestamp('fetched_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['dataset_id', 'fetched_at']);
  });

  await knex.schema.withSchema(S).alterTable('datasets', (t) => {
    t.foreign('current_version_id').references('id').inTable(`${S}.dataset_versions`).onDelete('SET NULL');
  });

  await knex.schema.withSchema(S).createTable('destinations', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('kind').notNullable().checkIn(['slack']);
    t.text('name').notNullable();
    t.text('webhook_url').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.withSchema(S).createTable('runs', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('dataset_id').notNullable().references('id').inTable(`${S}.datasets`).onDelete('CASCADE');
    t.uuid('dataset_version_id').references('id').inTable(`${S}.dataset_versions`);
    t.text('status').notNullable().checkIn(['queued', 'running', 'succeeded', 'failed', 'canceled']);
    t.text('trigger').notNullable().defaultTo('api');
    t.text('error');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['created_at']);
    t.index(['dataset_id', 'created_at']);
    t.index(['status']);
  });

  await knex.schema.withSchema(S).createTable('run_steps', (t) => {
    t.uuid('run_id').notNullable().references('id').inTable(`${S}.runs`).onDelete('CASCADE');
    t.text('name').notNullable().checkIn(['fetch', 'stage', 'transform', 'deliver']);
    t.smallint('position').notNullable();
    t.text('status').notNullable().checkIn(['pending', 'running', 'succeeded', 'failed', 'skipped']);
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.jsonb('metrics').notNullable().defaultTo('{}');
    t.text('error');
    t.primary(['run_id', 'name']);
  });

  await knex.schema.withSchema(S).createTable('run_events', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('run_id').notNullable().references('id').inTable(`${S}.runs`).onDelete('CASCADE');
    t.text('step');
    t.text('level').notNullable().checkIn(['info', 'warn', 'error']);
    t.text('message').notNullable();
    t.jsonb('data');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['run_id', 'id']);
  });

  await knex.schema.withSchema(S).createTable('deliveries', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('run_id').notNullable().references('id').inTable(`${S}.runs`).onDelete('CASCADE');
    t.uuid('destination_id').notNullable().references('id').inTable(`${S}.destinations`).onDelete('CASCADE');
    t.text('status').notNullable().checkIn(['sent', 'failed']);
    t.integer('response_status');
    t.text('error');
    t.timestamp('attempted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // One delivery per destination per run: a retried run never posts twice.
    t.unique(['run_id', 'destination_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['deliveries', 'run_events', 'run_steps', 'runs', 'destinations']) {
    await knex.schema.withSchema(S).dropTableIfExists(table);
  }
  await knex.schema.withSchema(S).alterTable('datasets', (t) => t.dropForeign(['current_version_id']));
  await knex.schema.withSchema(S).dropTableIfExists('dataset_versions');
  await knex.schema.withSchema(S).dropTableIfExists('datasets');
}

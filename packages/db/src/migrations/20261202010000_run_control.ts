import type { Knex } from 'knex';

const S = 'relayboard';

/** Replaces the check constraint on run_steps.status (whatever name knex gave it) with one allowing these statuses. */
async function stepStatuses(knex: Knex, statuses: string[]): Promise<void> {
  await knex.raw(`
    do $$ declare c text; begin
      for c in select conname from pg_constraint
                where conrelid = '${S}.run_steps'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%status%' loop
        execute format('alter table ${S}.run_steps drop constraint %I', c);
      end loop;
    end $$`);
  await knex.raw(
    `alter table ${S}.run_steps add constraint run_steps_status_check check (status in (${statuses.map((s) => `'${s}'`).join(', ')}))`,
  );
}

/**
 * Run control (issue #11): cancel requests that the worker running a run
 * polls, retries that resume a failed or canceled run (each retry is a new
 * generation of its digest deliveries), a `canceled` step status, and the
 * Idempotency-Key records of POST /v1/pipelines/run.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('runs', (t) => {
    // Set by POST /v1/runs/:id/cancel on a running run; its worker checks it every second.
    t.timestamp('cancel_requested_at', { useTz: true });
    t.text('cancel_reason');
    // 0 for the first outcome; each POST /v1/runs/:id/retry adds one, so the retried outcome is delivered once more.
    t.integer('retry_generation').notNullable().defaultTo(0);
  });
  // canceled: the step a cancel request stopped.
  await stepStatuses(knex, ['pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled']);

  await knex.schema.withSchema(S).alterTable('deliveries', (t) => {
    t.integer('generation').notNullable().defaultTo(0);
  });
  // One delivery per destination per outcome of a run: a resumed step never posts twice, a retried run posts its new outcome once.
  await knex.schema.withSchema(S).alterTable('deliveries', (t) => {
    t.dropUnique(['run_id', 'destination_id']);
    t.unique(['run_id', 'destination_id', 'generation']);
  });

  await knex.schema.withSchema(S).createTable('idempotency_keys', (t) => {
    // The endpoint the key belongs to ("POST /v1/pipelines/run"): one key means one thing per endpoint.
    t.text('scope').notNullable();
    t.text('key').notNullable();
    // sha256 of the request body as validated: the same key with another body is refused.
    t.text('fingerprint').notNullable();
    t.integer('response_status').notNullable();
    t.jsonb('response_body').notNullable();
    t.uuid('run_id').references('id').inTable(`${S}.runs`).onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['scope', 'key']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('idempotency_keys');
  await knex.schema.withSchema(S).alterTable('deliveries', (t) => {
    t.dropUnique(['run_id', 'destination_id', 'generation']);
  });
  await knex.raw(`delete from ${S}.deliveries where generation > 0`);
  await knex.schema.withSchema(S).alterTable('deliveries', (t) => {
    t.dropColumn('generation');
    t.unique(['run_id', 'destination_id']);
  });
  await knex.raw(`update ${S}.run_steps set status = 'failed' where status = 'canceled'`);
  await stepStatuses(knex, ['pending', 'running', 'succeeded', 'failed', 'skipped']);
  await knex.schema
    .withSchema(S)
    .alterTable('runs', (t) => t.dropColumns('cancel_requested_at', 'cancel_reason', 'retry_generation'));
}

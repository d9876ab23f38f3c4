import type { Knex } from 'knex';

const S = 'relayboard';

async function runStatuses(knex: Knex, statuses: string[]): Promise<void> {
  // The constraint's name was knex's choice: drop the check that lists the run statuses (delivery_status has its own check).
  await knex.raw(`
    do $$ declare c text; begin
      for c in select conname from pg_constraint
                where conrelid = '${S}.runs'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%''canceled''%' loop
        execute format('alter table ${S}.runs drop constraint %I', c);
      end loop;
    end $$`);
  await knex.raw(
    `alter table ${S}.runs add constraint runs_status_check check (status in (${statuses.map((s) => `'${s}'`).join(', ')}))`,
  );
}

/**
 * Schedules (issue #12): one cron schedule per dataset, kept here as the source
 * of truth (the api re-creates the BullMQ job schedulers from it when Redis lost
 * them), and the `skipped` run status of a scheduled run whose source did not change.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('dataset_schedules', (t) => {
    t.uuid('dataset_id').primary().references('id').inTable(`${S}.datasets`).onDelete('CASCADE');
    // Five fields, or six with seconds first, as cron-parser (BullMQ's parser) reads them.
    t.text('cron').notNullable();
    // IANA name, as Intl resolves it (e.g. Europe/Paris, UTC).
    t.text('timezone').notNullable();
    t.boolean('paused').notNullable().defaultTo(false);
    // Run even when the source is unchanged (URL datasets) or there is nothing to fetch (uploads).
    t.boolean('always_run').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await runStatuses(knex, ['queued', 'running', 'succeeded', 'failed', 'canceled', 'skipped']);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`update ${S}.runs set status = 'succeeded' where status = 'skipped'`);
  await runStatuses(knex, ['queued', 'running', 'succeeded', 'failed', 'canceled']);
  await knex.schema.withSchema(S).dropTableIfExists('dataset_schedules');
}

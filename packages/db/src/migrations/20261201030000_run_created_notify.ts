import type { Knex } from 'knex';

const S = 'relayboard';

/**
 * A new run notifies relayboard_run_changes too (its updates, steps and events
 * already do), so the api's stream of every run's changes shows a run the
 * moment it is queued, whoever inserted it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `create trigger runs_insert_notify after insert on ${S}.runs for each row execute function ${S}.notify_run_change()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop trigger if exists runs_insert_notify on ${S}.runs`);
}

import type { Knex } from 'knex';

const S = 'relayboard';

/**
 * Every change to a run, its steps or its events notifies channel
 * relayboard_run_changes with the run's id, so the api streams a run's events
 * the moment the worker writes them (PostgreSQL delivers at commit).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function ${S}.notify_run_change() returns trigger language plpgsql as $$
    begin
      -- Separate statements: PL/pgSQL plans each on first use, and runs rows have no run_id.
      if TG_TABLE_NAME = 'runs' then
        perform pg_notify('relayboard_run_changes', NEW.id::text);
      else
        perform pg_notify('relayboard_run_changes', NEW.run_id::text);
      end if;
      return NEW;
    end $$`);
  await knex.raw(
    `create trigger run_events_notify after insert on ${S}.run_events for each row execute function ${S}.notify_run_change()`,
  );
  await knex.raw(
    `create trigger run_steps_notify after update on ${S}.run_steps for each row execute function ${S}.notify_run_change()`,
  );
  await knex.raw(
    `create trigger runs_notify after update on ${S}.runs for each row execute function ${S}.notify_run_change()`,
  );
  // Keyset pagination of runs, newest first, with the id breaking ties.
  await knex.raw(`create index runs_created_at_id on ${S}.runs (created_at desc, id desc)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index if exists ${S}.runs_created_at_id`);
  await knex.raw(`drop trigger if exists run_events_notify on ${S}.run_events`);
  await knex.raw(`drop trigger if exists run_steps_notify on ${S}.run_steps`);
  await knex.raw(`drop trigger if exists runs_notify on ${S}.runs`);
  await knex.raw(`drop function if exists ${S}.notify_run_change()`);
}

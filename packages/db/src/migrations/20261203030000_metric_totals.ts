import type { Knex } from 'knex';

const S = 'relayboard';

/**
 * Upper bounds (seconds) of the duration histograms' buckets (relayboard_step_duration_seconds,
 * relayboard_dbt_duration_seconds); +Inf is the last bucket. A histogram row keeps the bounds it
 * was created with, so changing these later starts new rows only through a new migration.
 */
export const DURATION_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * Totals behind GET /metrics (issue #12). Triggers on runs, run_steps and deliveries add to them
 * as outcomes are recorded, whoever records them (a worker, the api's reconciler), so:
 * - the counters only go up: deleting a dataset deletes its runs but not what they added here;
 * - a scrape reads a few dozen rows, however many runs there are;
 * - every worker on every machine is counted without a scrape target of its own.
 * The totals start from the rows already there when this migration runs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table ${S}.metric_counters (
      metric text not null,
      label text not null default '',
      value double precision not null default 0,
      primary key (metric, label)
    );
    -- bucket_counts[i] counts observations in (bounds[i-1], bounds[i]]; the last element is the +Inf bucket.
    create table ${S}.metric_histograms (
      metric text not null,
      label text not null default '',
      bounds double precision[] not null,
      bucket_counts bigint[] not null,
      sum double precision not null default 0,
      count bigint not null default 0,
      primary key (metric, label)
    );

    create function ${S}.metric_add(p_metric text, p_label text, p_value double precision) returns void language sql as $$
      insert into ${S}.metric_counters (metric, label, value) values (p_metric, coalesce(p_label, ''), p_value)
      on conflict (metric, label) do update set value = ${S}.metric_counters.value + excluded.value
    $$;

    create function ${S}.metric_observe(p_metric text, p_label text, p_value double precision) returns void language plpgsql as $$
    declare
      b double precision[] := array[${DURATION_BUCKETS_SECONDS.join(', ')}]::double precision[];
      i int;
    begin
      insert into ${S}.metric_histograms (metric, label, bounds, bucket_counts)
      values (p_metric, coalesce(p_label, ''), b, array_fill(0::bigint, array[array_length(b, 1) + 1]))
      on conflict (metric, label) do nothing;
      -- The first bucket whose bound is >= the value (Prometheus' le), else +Inf.
      select h.bounds into b from ${S}.metric_histograms h where h.metric = p_metric and h.label = coalesce(p_label, '');
      select coalesce(min(n), array_length(b, 1) + 1) into i from unnest(b) with ordinality as u(bound, n) where p_value <= u.bound;
      update ${S}.metric_histograms
         set bucket_counts[i] = bucket_counts[i] + 1, sum = sum + p_value, count = count + 1
       where metric = p_metric and label = coalesce(p_label, '');
    end $$;

    -- A run that reaches an outcome (succeeded, failed, canceled, or any later status that is not queued or running).
    -- A retried run that ends again counts its new outcome too.
    create function ${S}.metric_run_outcome() returns trigger language plpgsql as $$
    begin
      if new.status not in ('queued', 'running') and (tg_op = 'INSERT' or old.status is distinct from new.status) then
        perform ${S}.metric_add('runs_total', new.status, 1);
      end if;
      return null;
    end $$;
    create trigger runs_metric_outcome after insert or update of status on ${S}.runs
      for each row execute function ${S}.metric_run_outcome();

    -- A step that ended after it started: its duration; a stage step's rows and rejects; a transform's dbt time.
    create function ${S}.metric_step_end() returns trigger language plpgsql as $$
    begin
      if new.status in ('succeeded', 'failed', 'canceled') and old.status is distinct from new.status then
        if new.started_at is not null and new.finished_at is not null then
          perform ${S}.metric_observe('step_duration_seconds', new.name, greatest(extract(epoch from new.finished_at - new.started_at), 0));
        end if;
        if new.name = 'stage' and new.status = 'succeeded' then
          perform ${S}.metric_add('rows_loaded_total', '', coalesce((new.metrics->>'rows')::double precision, 0));
        end if;
        if new.name = 'stage' and jsonb_typeof(new.metrics->'rejects') = 'number' then
          perform ${S}.metric_add('rejected_rows_total', '', (new.metrics->>'rejects')::double precision);
        end if;
        if new.name = 'transform' and jsonb_typeof(new.metrics->'dbtMs') = 'number' then
          perform ${S}.metric_observe('dbt_duration_seconds', '', (new.metrics->>'dbtMs')::double precision / 1000);
        end if;
      end if;
      return null;
    end $$;
    create trigger run_steps_metric_end after update of status on ${S}.run_steps
      for each row execute function ${S}.metric_step_end();

    -- A delivery's outcome as recorded (sent, failed, skipped, suppressed, unknown); 'sending' is not one.
    create function ${S}.metric_delivery_outcome() returns trigger language plpgsql as $$
    begin
      if new.status <> 'sending' and (tg_op = 'INSERT' or old.status is distinct from new.status) then
        perform ${S}.metric_add('slack_deliveries_total', new.status, 1);
      end if;
      return null;
    end $$;
    create trigger deliveries_metric_outcome after insert or update of status on ${S}.deliveries
      for each row execute function ${S}.metric_delivery_outcome();
  `);

  // What is already recorded: runs' outcomes, stage rows and rejects, deliveries. (Step and dbt durations start empty.)
  await knex.raw(`
    insert into ${S}.metric_counters (metric, label, value)
      select 'runs_total', status, count(*) from ${S}.runs where status not in ('queued', 'running') group by status;
    insert into ${S}.metric_counters (metric, label, value)
      select 'slack_deliveries_total', status, count(*) from ${S}.deliveries where status <> 'sending' group by status;
    insert into ${S}.metric_counters (metric, label, value)
      select 'rows_loaded_total', '', coalesce(sum((metrics->>'rows')::double precision), 0) from ${S}.run_steps
       where name = 'stage' and status = 'succeeded' and jsonb_typeof(metrics->'rows') = 'number';
    insert into ${S}.metric_counters (metric, label, value)
      select 'rejected_rows_total', '', coalesce(sum((metrics->>'rejects')::double precision), 0) from ${S}.run_steps
       where name = 'stage' and status in ('succeeded', 'failed', 'canceled') and jsonb_typeof(metrics->'rejects') = 'number';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger if exists deliveries_metric_outcome on ${S}.deliveries;
    drop trigger if exists run_steps_metric_end on ${S}.run_steps;
    drop trigger if exists runs_metric_outcome on ${S}.runs;
    drop function if exists ${S}.metric_delivery_outcome();
    drop function if exists ${S}.metric_step_end();
    drop function if exists ${S}.metric_run_outcome();
    drop function if exists ${S}.metric_observe(text, text, double precision);
    drop function if exists ${S}.metric_add(text, text, double precision);
    drop table if exists ${S}.metric_histograms;
    drop table if exists ${S}.metric_counters;
  `);
}

import type { Knex } from 'knex';

const S = 'relayboard';

export async function up(knex: Knex): Promise<void> {
  // One token encrypted under SECRETS_KEY at first start: a later start with another key is refused at once.
  await knex.schema.withSchema(S).createTable('secrets_key_check', (t) => {
    t.integer('id').primary().defaultTo(1).checkIn(['1']);
    t.text('token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(S).alterTable('destinations', (t) => {
    // AES-256-GCM under SECRETS_KEY (packages/secrets); the plaintext column is emptied by the api at start.
    t.text('webhook_encrypted');
    // HMAC-SHA256 of the URL under SECRETS_KEY: finds a webhook registered twice without storing it.
    t.text('webhook_fingerprint').unique();
    t.text('webhook_masked');
    // null: every dataset; else the dataset names this destination hears about.
    t.jsonb('datasets');
    t.text('notify_on').notNullable().defaultTo('always').checkIn(['always', 'failures', 'changes']);
    // For notify_on = changes: a row count that moved by more than this share counts as a change.
    t.double('row_change_threshold').notNullable().defaultTo(0.1);
    // At most one failure digest per dataset per this many hours; null: no suppression.
    t.double('suppress_hours');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(S).alterTable('destinations', (t) => {
    t.dropUnique(['webhook_url']);
  });
  await knex.raw(`alter table ${S}.destinations alter column webhook_url drop not null`);

  await knex.schema.withSchema(S).alterTable('datasets', (t) => {
    // Slack user ids whom the dataset's failure digests mention.
    t.jsonb('owners').notNullable().defaultTo('[]');
  });

  await knex.schema.withSchema(S).alterTable('runs', (t) => {
    // The digest as rendered for this run (Block Kit and text), whether or not anything was posted.
    t.jsonb('digest');
    // The delivery outcome, apart from the data's: none | delivered | partial | failed | unknown.
    t.text('delivery_status');
    // warehouse.<dataset>__profile as this run built it, so the next run's digest can say what moved.
    t.jsonb('profile');
  });

  await knex.schema.withSchema(S).alterTable('run_node_results', (t) => {
    // A few failing rows of a failed or warned test, read by running its compiled query.
    t.jsonb('samples');
  });

  await knex.raw(`alter table ${S}.deliveries drop constraint if exists deliveries_status_check`);
  await knex.schema.withSchema(S).alterTable('deliveries', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('response_body');
    // Why nothing was posted (routing, notify-on, suppression), for status = skipped.
    t.text('skip_reason');
    // The digest was a failure digest (suppression counts these).
    t.boolean('failure').notNullable().defaultTo(false);
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['destination_id', 'attempted_at']);
  });
  // sending: a post is in flight (a worker that died then leaves the outcome unknown).
  await knex.raw(
    `alter table ${S}.deliveries add constraint deliveries_status_check check (status in ('sending', 'sent', 'failed', 'skipped', 'suppressed', 'unknown'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table ${S}.deliveries drop constraint if exists deliveries_status_check`);
  await knex.schema.withSchema(S).alterTable('deliveries', (t) => {
    t.dropIndex(['destination_id', 'attempted_at']);
    t.dropColumns('attempts', 'response_body', 'skip_reason', 'failure', 'started_at', 'finished_at');
  });
  await knex.schema.withSchema(S).alterTable('run_node_results', (t) => t.dropColumn('samples'));
  await knex.schema.withSchema(S).alterTable('runs', (t) => t.dropColumns('digest', 'delivery_status', 'profile'));
  await knex.schema.withSchema(S).alterTable('datasets', (t) => t.dropColumn('owners'));
  await knex.schema.withSchema(S).dropTableIfExists('secrets_key_check');
  await knex.schema.withSchema(S).alterTable('destinations', (t) => {
    t.dropColumns(
      'webhook_encrypted',
      'webhook_fingerprint',
      'webhook_masked',
      'datasets',
      'notify_on',
      'row_change_threshold',
      'suppress_hours',
      'updated_at',
    );
  });
}

import type { Knex } from 'knex';

const S = 'relayboard';

/**
 * Column overrides (issue #15): a person's say over how a dataset's column is
 * typed (its type, date or number format, missing-value markers, or "keep as
 * text"), applied by the dataset's next run. One row per column rather than a
 * jsonb field on datasets: the set has its own module (and its own writes,
 * which never touch the datasets row others update), a column is named once
 * per dataset by the key, and deleting the dataset removes its rows by cascade.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('dataset_column_overrides', (t) => {
    t.uuid('dataset_id').notNullable().references('id').inTable(`${S}.datasets`).onDelete('CASCADE');
    // As Relayboard writes it (normalized), the name the version's columns carry.
    t.text('column_name').notNullable();
    // ColumnOverride (packages/contracts), validated by the api before it is stored.
    t.jsonb('override').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // The token whose PUT wrote the set (null with AUTH=off, or once the token is gone).
    t.uuid('updated_by_token_id').references('id').inTable(`${S}.api_tokens`).onDelete('SET NULL');
    t.primary(['dataset_id', 'column_name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('dataset_column_overrides');
}

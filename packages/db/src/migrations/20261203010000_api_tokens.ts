import type { Knex } from 'knex';

const S = 'relayboard';

/**
 * Auth (issue #12): api tokens, stored only as the SHA-256 of the secret (the
 * lookup of every request is one index hit on token_hash), and the audit log
 * of every change made through the api.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('api_tokens', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('scope').notNullable();
    // Hex SHA-256 of the whole token; the plaintext is shown once, on creation, and kept nowhere.
    t.text('token_hash').notNullable().unique();
    // The first characters of the token ("rb_AbCd"), so a person can tell their tokens apart in a list.
    t.text('token_prefix').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true });
    // Written at most once a minute per token, not on every request.
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    // The token that created it; null for the local stack's bootstrap token.
    t.uuid('created_by_token_id').references('id').inTable(`${S}.api_tokens`).onDelete('SET NULL');
  });
  await knex.raw(
    `alter table ${S}.api_tokens add constraint api_tokens_scope_check check (scope in ('read', 'write', 'admin'))`,
  );

  await knex.schema.withSchema(S).createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Who: the token's id and name as they were (the name is kept if the token is later revoked); null with AUTH=off.
    t.uuid('token_id');
    t.text('token_name');
    t.text('method').notNullable();
    // The route pattern ("/v1/datasets/:name") and the path as requested.
    t.text('route').notNullable();
    t.text('path').notNullable();
    t.text('target_id');
    t.integer('status').notNullable();
    t.text('remote_address');
    t.index(['at', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('audit_log');
  await knex.schema.withSchema(S).dropTableIfExists('api_tokens');
}

import { loadConfig } from '@relayboard/config';
import { createTokenRequestSchema } from '@relayboard/contracts';
import { createKnex, migrateLatest, Tables, type ApiTokenRow } from '@relayboard/db';
import { generateToken, hashToken, tokenPrefix } from './auth/auth-policy';

const USAGE =
  'usage: node apps/api/dist/create-token.js --name <name> [--scope read|write|admin] [--expires-at <ISO 8601>]';

/**
 * A one-shot way in for a server or a container, and after losing every admin token: creates a
 * token straight in the metadata database (DATABASE_URL) and prints it once, on stdout. Whoever
 * can run this can read the database anyway; the audit log records it with no token as who.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const parsed = createTokenRequestSchema.safeParse({
    name: flag('--name'),
    scope: flag('--scope') ?? 'admin',
    ...(flag('--expires-at') ? { expiresAt: flag('--expires-at') } : {}),
  });
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n${USAGE}`);
    process.exit(2);
  }
  const config = loadConfig();
  const knex = createKnex(config.databaseUrl, { max: 1 });
  try {
    await migrateLatest(knex);
    const token = generateToken();
    const [row] = await knex<ApiTokenRow>(Tables.apiTokens)
      .insert({
        name: parsed.data.name,
        scope: parsed.data.scope,
        token_hash: hashToken(token),
        token_prefix: tokenPrefix(token),
        expires_at: parsed.data.expiresAt ? new Date(parsed.data.expiresAt) : null,
      })
      .returning('*');
    await knex(Tables.auditLog).insert({
      method: 'CLI',
      route: 'create-token',
      path: 'apps/api/dist/create-token.js',
      target_id: row.id,
      status: 201,
    });
    console.error(`created ${row.scope} token "${row.name}" (${row.id}); it is shown this once:`);
    console.log(token);
  } finally {
    await knex.destroy();
  }
}

main().catch((error: Error) => {
  console.error(`create-token failed: ${error.message}`);
  process.exit(1);
});

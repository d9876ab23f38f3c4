import type { Logger } from '@nestjs/common';
import { Tables, type DestinationRow, type Knex } from '@relayboard/db';
import type { SecretBox } from '@relayboard/secrets';
import { sealWebhookUrl } from './webhook-url';

const UNIQUE_VIOLATION = '23505';

/**
 * Encrypts webhook URLs stored in the clear by versions before SECRETS_KEY and
 * empties the plaintext column. It runs at start, after the migrations, since
 * migrations have no key. Every update is conditional on the plaintext still
 * being there, so any number of apis starting at once encrypt each row once.
 * Returns how many rows it encrypted.
 */
export async function encryptLegacyWebhooks(knex: Knex, box: SecretBox, logger: Logger): Promise<number> {
  const legacy = await knex<DestinationRow>(Tables.destinations)
    .whereNotNull('webhook_url')
    .select('id', 'webhook_url');
  let encrypted = 0;
  for (const { id, webhook_url: url } of legacy) {
    const sealed = sealWebhookUrl(box, url as string);
    const seal = (values: Partial<DestinationRow>) =>
      knex<DestinationRow>(Tables.destinations)
        .where({ id })
        .whereNotNull('webhook_url')
        .update({ ...values, webhook_url: null, updated_at: knex.fn.now() as unknown as Date });
    try {
      encrypted += await seal(sealed);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      // An older api registered a webhook that is already registered encrypted: keep both (each has its deliveries), unfingerprinted, rather than keep it in the clear.
      const twin = await knex<DestinationRow>(Tables.destinations)
        .where({ webhook_fingerprint: sealed.webhook_fingerprint })
        .first('id');
      encrypted += await seal({ ...sealed, webhook_fingerprint: null });
      logger.warn(
        `destinations ${id} and ${twin?.id ?? '(deleted)'} post to the same webhook (${sealed.webhook_masked}); delete one with DELETE /v1/destinations/:id`,
      );
    }
  }
  return encrypted;
}

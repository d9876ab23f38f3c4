import { Inject, Injectable } from '@nestjs/common';
import { Tables, type DestinationRow, type Knex } from '@relayboard/db';
import { KNEX } from '../core/tokens';

@Injectable()
export class DestinationsRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  /** Registering the same webhook twice returns the first registration. */
  async upsertSlack(webhookUrl: string, name: string): Promise<{ row: DestinationRow; created: boolean }> {
    const [inserted] = await this.knex<DestinationRow>(Tables.destinations)
      .insert({ kind: 'slack', name, webhook_url: webhookUrl })
      .onConflict('webhook_url')
      .ignore()
      .returning('*');
    if (inserted) return { row: inserted, created: true };
    const existing = await this.knex<DestinationRow>(Tables.destinations).where({ webhook_url: webhookUrl }).first();
    return { row: existing as DestinationRow, created: false };
  }

  list(): Promise<DestinationRow[]> {
    return this.knex<DestinationRow>(Tables.destinations).orderBy('created_at');
  }
}

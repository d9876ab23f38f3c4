import { Inject, Injectable } from '@nestjs/common';
import { Tables, type DeliveryRow, type DestinationRow, type Knex } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export type LastDelivery = Pick<
  DeliveryRow,
  | 'destination_id'
  | 'run_id'
  | 'status'
  | 'response_status'
  | 'response_body'
  | 'error'
  | 'skip_reason'
  | 'attempted_at'
  | 'finished_at'
>;

export interface DestinationWithDelivery {
  row: DestinationRow;
  lastDelivery: LastDelivery | null;
}

export interface NewSlackDestination {
  name: string;
  sealed: Pick<DestinationRow, 'webhook_encrypted' | 'webhook_fingerprint' | 'webhook_masked'>;
  datasets: string[] | null;
  notifyOn: DestinationRow['notify_on'];
  rowChangeThreshold: number;
  suppressHours: number | null;
}

export type DestinationChanges = Partial<
  Pick<
    DestinationRow,
    | 'name'
    | 'webhook_encrypted'
    | 'webhook_fingerprint'
    | 'webhook_masked'
    | 'datasets'
    | 'notify_on'
    | 'row_change_threshold'
    | 'suppress_hours'
  >
>;

const UNIQUE_VIOLATION = '23505';

/** jsonb columns take JSON text: node-postgres would send a JS array as a PostgreSQL array. */
const jsonOrNull = (value: unknown) => (value === null ? null : JSON.stringify(value));

@Injectable()
export class DestinationsRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  /** Registering the same webhook (same fingerprint) twice returns the first registration. */
  async insertSlack(input: NewSlackDestination): Promise<{ row: DestinationRow; created: boolean }> {
    const [inserted] = await this.knex<DestinationRow>(Tables.destinations)
      .insert({
        kind: 'slack',
        name: input.name,
        ...input.sealed,
        datasets: jsonOrNull(input.datasets) as unknown as string[] | null,
        notify_on: input.notifyOn,
        row_change_threshold: input.rowChangeThreshold,
        suppress_hours: input.suppressHours,
      })
      .onConflict('webhook_fingerprint')
      .ignore()
      .returning('*');
    if (inserted) return { row: inserted, created: true };
    const existing = await this.findByFingerprint(input.sealed.webhook_fingerprint as string);
    if (!existing)
      throw new Error(
        'a destination with this webhook fingerprint was deleted while it was being registered; register it again',
      );
    return { row: existing, created: false };
  }

  async findByFingerprint(fingerprint: string): Promise<DestinationRow | null> {
    return (
      (await this.knex<DestinationRow>(Tables.destinations).where({ webhook_fingerprint: fingerprint }).first()) ?? null
    );
  }

  async find(id: string): Promise<DestinationWithDelivery | null> {
    const row = await this.knex<DestinationRow>(Tables.destinations).where({ id }).first();
    if (!row) return null;
    const [lastDelivery] = await this.lastDeliveries([id]);
    return { row, lastDelivery: lastDelivery ?? null };
  }

  async list(): Promise<DestinationWithDelivery[]> {
    const rows = await this.knex<DestinationRow>(Tables.destinations).orderBy([
      { column: 'created_at' },
      { column: 'id' },
    ]);
    const deliveries = new Map((await this.lastDeliveries(rows.map((r) => r.id))).map((d) => [d.destination_id, d]));
    return rows.map((row) => ({ row, lastDelivery: deliveries.get(row.id) ?? null }));
  }

  /** The changed row, null when there is none with this id, or `conflict` when the new webhook is another destination's. */
  async update(id: string, changes: DestinationChanges): Promise<DestinationRow | null | 'conflict'> {
    const values: Record<string, unknown> = { ...changes, updated_at: this.knex.fn.now() };
    if (changes.datasets !== undefined) values.datasets = jsonOrNull(changes.datasets);
    try {
      const [row] = await this.knex<DestinationRow>(Tables.destinations).where({ id }).update(values).returning('*');
      return row ?? null;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'conflict';
      throw error;
    }
  }

  /** Its delivery records go with it: the foreign key cascades. */
  async delete(id: string): Promise<boolean> {
    return (await this.knex<DestinationRow>(Tables.destinations).where({ id }).delete()) > 0;
  }

  private lastDeliveries(destinationIds: string[]): Promise<LastDelivery[]> {
    if (destinationIds.length === 0) return Promise.resolve([]);
    return this.knex<DeliveryRow>(Tables.deliveries)
      .distinctOn('destination_id')
      .select(
        'destination_id',
        'run_id',
        'status',
        'response_status',
        'response_body',
        'error',
        'skip_reason',
        'attempted_at',
        'finished_at',
      )
      .whereIn('destination_id', destinationIds)
      .orderBy([
        { column: 'destination_id' },
        { column: 'attempted_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
  }
}

import type { Knex } from 'knex';
import { Tables } from '../index';
import type { DeliveryRow, DestinationRow } from '../rows';

/** What a delivery row records of one post (the rest is its key and when it was attempted). */
export type DeliveryFields = Partial<
  Pick<
    DeliveryRow,
    | 'status'
    | 'response_status'
    | 'response_body'
    | 'error'
    | 'skip_reason'
    | 'failure'
    | 'attempts'
    | 'started_at'
    | 'finished_at'
  >
>;

/** The destinations family (destinations and the deliveries of digests to them) as the deliver step reads and writes it. */
export class DeliveryStore {
  constructor(private readonly knex: Knex) {}

  destinations(): Promise<DestinationRow[]> {
    return this.knex<DestinationRow>(Tables.destinations).orderBy('created_at');
  }

  /** The run's delivery to the destination for this outcome of the run (its retry generation). */
  async delivery(runId: string, destinationId: string, generation: number): Promise<DeliveryRow | undefined> {
    return this.knex<DeliveryRow>(Tables.deliveries)
      .where({ run_id: runId, destination_id: destinationId, generation })
      .first();
  }

  /** The destination's newest delivery of another outcome of the dataset (another run, or an earlier try of this one) that was posted or failed. */
  async previousDelivery(
    destinationId: string,
    datasetId: string,
    runId: string,
    generation: number,
  ): Promise<DeliveryRow | undefined> {
    return this.knex<DeliveryRow>(`${Tables.deliveries} as d`)
      .join(`${Tables.runs} as r`, 'r.id', 'd.run_id')
      .where({ 'd.destination_id': destinationId, 'r.dataset_id': datasetId })
      .whereNot((q) => q.where('d.run_id', runId).andWhere('d.generation', generation))
      .whereIn('d.status', ['sent', 'failed', 'unknown'])
      .orderBy('d.attempted_at', 'desc')
      .first('d.*');
  }

  /** For a suppression interval: when the destination last got a failure digest of the dataset, and how many it held back since. */
  async failureDigests(
    destinationId: string,
    datasetId: string,
    runId: string,
    generation: number,
  ): Promise<{ lastSentAt: Date | null; suppressedSince: number }> {
    const last = await this.knex<DeliveryRow>(`${Tables.deliveries} as d`)
      .join(`${Tables.runs} as r`, 'r.id', 'd.run_id')
      .where({ 'd.destination_id': destinationId, 'r.dataset_id': datasetId, 'd.status': 'sent', 'd.failure': true })
      .whereNot((q) => q.where('d.run_id', runId).andWhere('d.generation', generation))
      .max<{ at: Date | null }>('d.attempted_at as at')
      .first();
    const lastSentAt = last?.at ?? null;
    const suppressed = this.knex(`${Tables.deliveries} as d`)
      .join(`${Tables.runs} as r`, 'r.id', 'd.run_id')
      .where({ 'd.destination_id': destinationId, 'r.dataset_id': datasetId, 'd.status': 'suppressed' });
    if (lastSentAt) suppressed.where('d.attempted_at', '>', lastSentAt);
    const [{ n }] = await suppressed.count<{ n: string }[]>('* as n');
    return { lastSentAt, suppressedSince: Number(n) };
  }

  /** Creates or updates the run's delivery to a destination (one row per run, destination and retry generation). */
  async recordDelivery(
    runId: string,
    destinationId: string,
    generation: number,
    fields: DeliveryFields,
  ): Promise<void> {
    const row = {
      run_id: runId,
      destination_id: destinationId,
      generation,
      attempted_at: this.knex.fn.now() as unknown as Date,
      ...fields,
    };
    const key = ['run_id', 'destination_id', 'generation'];
    await this.knex<DeliveryRow>(Tables.deliveries)
      .insert(row)
      .onConflict(key)
      .merge(Object.keys(row).filter((k) => !key.includes(k)) as (keyof DeliveryRow)[]);
  }
}

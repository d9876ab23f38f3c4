import { Inject, Injectable } from '@nestjs/common';
import { STEP_NAMES, type ListRunsQuery } from '@relayboard/contracts';
import { Tables, type DeliveryRow, type Knex, type RunEventRow, type RunNodeResultRow, type RunRow, type RunStepRow } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export type RunWithDataset = Omit<RunRow, 'digest' | 'profile'> & {
  dataset_name: string;
  stage_rows: string | null;
  /** created_at to the microsecond, as PostgreSQL writes it: a Date keeps only milliseconds, too coarse for a cursor. */
  created_key: string;
};

/** A run's place in the newest-first order. */
export interface RunKey {
  createdAt: string;
  id: string;
}

export type DeliveryWithDestination = DeliveryRow & { destination_name: string | null };

/** The run columns answers need; the digest and the profile snapshot are read only where they are shown. */
const RUN_COLUMNS = ['id', 'dataset_id', 'dataset_version_id', 'status', 'trigger', 'refresh', 'error', 'attempts', 'created_at', 'started_at', 'finished_at', 'delivery_status', 'waiting_for_run_id', 'waiting_reason', 'waiting_since'].map((c) => `r.${c}`);

@Injectable()
export class RunsRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  /** A queued run and its four pending steps, in one transaction. */
  async createQueued(datasetId: string, datasetVersionId: string | null, trigger: string, refresh: boolean): Promise<RunRow> {
    return this.knex.transaction(async (trx) => {
      const [run] = await trx<RunRow>(Tables.runs)
        .insert({ dataset_id: datasetId, dataset_version_id: datasetVersionId, status: 'queued', trigger, refresh })
        .returning('*');
      await trx<RunStepRow>(Tables.runSteps).insert(
        STEP_NAMES.map((name, position) => ({ run_id: run.id, name, position, status: 'pending' as const, metrics: {} })),
      );
      return run;
    });
  }

  private withDataset() {
    // The stage step's row count rides along, so a list of runs needs no read per run.
    return this.knex<RunWithDataset>(`${Tables.runs} as r`)
      .join(`${Tables.datasets} as d`, 'd.id', 'r.dataset_id')
      .leftJoin(`${Tables.runSteps} as s`, (j) => j.on('s.run_id', 'r.id').andOnVal('s.name', 'stage'))
      .select(...RUN_COLUMNS, 'd.name as dataset_name', this.knex.raw(`s.metrics->>'rows' as stage_rows`), this.knex.raw('r.created_at::text as created_key'));
  }

  async find(id: string): Promise<RunWithDataset | null> {
    return (await this.withDataset().where('r.id', id).first()) ?? null;
  }

  /**
   * Newest first, by the (created_at, id) index: `limit` rows older than `after`'s
   * (created_at, id), or the `limit` rows just newer than `before`'s (read oldest first, so
   * the index is walked from the key, then turned around).
   */
  async list(query: Pick<ListRunsQuery, 'datasetName' | 'status'>, keys: { after?: RunKey; before?: RunKey }, limit: number): Promise<RunWithDataset[]> {
    const order = keys.before ? 'asc' : 'desc';
    const q = this.withDataset().orderBy([{ column: 'r.created_at', order }, { column: 'r.id', order }]).limit(limit);
    if (query.datasetName) q.where('d.name', query.datasetName);
    if (query.status) q.where('r.status', query.status);
    if (keys.after) q.whereRaw('(r.created_at, r.id) < (?::timestamptz, ?::uuid)', [keys.after.createdAt, keys.after.id]);
    if (keys.before) q.whereRaw('(r.created_at, r.id) > (?::timestamptz, ?::uuid)', [keys.before.createdAt, keys.before.id]);
    const rows = await q;
    return keys.before ? rows.reverse() : rows;
  }

  /** The given runs (those that still exist), for the stream of run changes. */
  findMany(ids: string[]): Promise<RunWithDataset[]> {
    return this.withDataset().whereIn('r.id', ids);
  }

  /** Ids of the runs still queued or running. */
  async inFlightIds(): Promise<string[]> {
    const rows = await this.knex<RunRow>(Tables.runs).whereIn('status', ['queued', 'running']).select('id');
    return rows.map((r) => r.id);
  }

  steps(runId: string): Promise<RunStepRow[]> {
    return this.knex<RunStepRow>(Tables.runSteps).where({ run_id: runId }).orderBy('position');
  }

  events(runId: string, limit = 500): Promise<RunEventRow[]> {
    return this.knex<RunEventRow>(Tables.runEvents).where({ run_id: runId }).orderBy('id', 'desc').limit(limit);
  }

  /** The run's events after the given id, oldest first: what a stream has not sent yet. */
  eventsAfter(runId: string, afterId: number, limit = 500): Promise<RunEventRow[]> {
    return this.knex<RunEventRow>(Tables.runEvents).where({ run_id: runId }).where('id', '>', afterId).orderBy('id').limit(limit);
  }

  /** dbt's per-node results of the run, in the order dbt finished them. */
  nodes(runId: string): Promise<RunNodeResultRow[]> {
    return this.knex<RunNodeResultRow>(Tables.runNodeResults).where({ run_id: runId }).orderBy('id');
  }

  /** The run's delivery to each destination; a deleted destination's rows went with it. */
  deliveries(runId: string): Promise<DeliveryWithDestination[]> {
    return this.knex<DeliveryWithDestination>(`${Tables.deliveries} as l`)
      .leftJoin(`${Tables.destinations} as d`, 'd.id', 'l.destination_id')
      .where('l.run_id', runId)
      .orderBy('d.created_at')
      .select('l.*', 'd.name as destination_name');
  }

  async digest(runId: string): Promise<RunRow['digest']> {
    const row = await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('digest');
    return row?.digest ?? null;
  }

  async addEvent(runId: string, level: RunEventRow['level'], message: string, data?: Record<string, unknown>): Promise<void> {
    await this.knex<RunEventRow>(Tables.runEvents).insert({ run_id: runId, level, message, ...(data && { data: JSON.stringify(data) as unknown as Record<string, unknown> }) });
  }

  /** Every run PostgreSQL says is queued or running, with its dataset's name (the reconciler's worklist). */
  async unfinished(): Promise<{ id: string; status: 'queued' | 'running'; created_at: Date; dataset_name: string }[]> {
    return this.knex(`${Tables.runs} as r`)
      .join(`${Tables.datasets} as d`, 'd.id', 'r.dataset_id')
      .whereIn('r.status', ['queued', 'running'])
      .orderBy('r.created_at')
      .select('r.id', 'r.status', 'r.created_at', 'd.name as dataset_name');
  }

  async status(runId: string): Promise<RunRow['status'] | null> {
    return (await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('status'))?.status ?? null;
  }

  /** How often the reconciler enqueued the run again (its events with data.recovery). */
  async recoveries(runId: string): Promise<number> {
    const [{ n }] = await this.knex<RunEventRow>(Tables.runEvents).where({ run_id: runId }).whereRaw("data->>'recovery' is not null").count<{ n: string }[]>('* as n');
    return Number(n);
  }

  /** Ends an unfinished run as failed with the reason; its running step fails with it, the steps not reached are skipped. */
  async failUnfinished(runId: string, reason: string): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const updated = await trx<RunRow>(Tables.runs)
        .where({ id: runId })
        .whereIn('status', ['queued', 'running'])
        .update({ status: 'failed', error: reason, finished_at: trx.fn.now() as unknown as Date });
      if (!updated) return false;
      await trx<RunStepRow>(Tables.runSteps).where({ run_id: runId, status: 'running' }).update({ status: 'failed', error: reason, finished_at: trx.fn.now() as unknown as Date });
      await trx<RunStepRow>(Tables.runSteps).where({ run_id: runId, status: 'pending' }).update({ status: 'skipped', finished_at: trx.fn.now() as unknown as Date });
      await trx<RunEventRow>(Tables.runEvents).insert({ run_id: runId, level: 'error', message: `failed by the reconciler: ${reason}` });
      return true;
    });
  }
}

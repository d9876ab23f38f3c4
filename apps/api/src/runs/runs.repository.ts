import { Inject, Injectable } from '@nestjs/common';
import { STEP_NAMES, type ListRunsQuery } from '@relayboard/contracts';
import {
  CheckStore,
  insertRunEvent,
  RunStore,
  Tables,
  type DatasetRow,
  type DeliveryRow,
  type IdempotencyKeyRow,
  type Knex,
  type RunEventRow,
  type RunNodeResultRow,
  type RunRow,
  type RunStepRow,
} from '@relayboard/db';
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

/** What POST /v1/pipelines/run answers: a new run (202) or the dataset's queued one (200). */
export interface RunRequestAnswer {
  status: 200 | 202;
  body: { runId: string; status: RunRow['status']; existing: boolean };
}

export interface RunRequest {
  datasetId: string;
  datasetVersionId: string | null;
  trigger: string;
  refresh: boolean;
  force: boolean;
  /** The request's Idempotency-Key, the endpoint it is scoped to and the body's fingerprint. */
  idempotency?: { scope: string; key: string; fingerprint: string; ttlHours: number };
}

export type RunRequestOutcome =
  | { kind: 'answered'; answer: RunRequestAnswer; created: RunRow | null }
  | { kind: 'replay'; stored: IdempotencyKeyRow };

export type CancelOutcome =
  { kind: 'missing' } | { kind: 'ended'; status: RunRow['status'] } | { kind: 'canceled' } | { kind: 'requested' };

/** The run columns answers need; the digest and the profile snapshot are read only where they are shown. */
const RUN_COLUMNS = [
  'id',
  'dataset_id',
  'dataset_version_id',
  'status',
  'trigger',
  'refresh',
  'error',
  'attempts',
  'created_at',
  'started_at',
  'finished_at',
  'delivery_status',
  'cancel_requested_at',
  'cancel_reason',
  'retry_generation',
  'waiting_for_run_id',
  'waiting_reason',
  'waiting_since',
].map((c) => `r.${c}`);

@Injectable()
export class RunsRepository {
  /** The runs and checks families' reads that the worker makes too. */
  private readonly runs: RunStore;
  private readonly checks: CheckStore;

  constructor(@Inject(KNEX) private readonly knex: Knex) {
    this.runs = new RunStore(knex);
    this.checks = new CheckStore(knex);
  }

  /**
   * A run request in one transaction: the Idempotency-Key is claimed first (a
   * concurrent request with the same key waits on the key's unique index until
   * this one commits, then replays its answer), the dataset row is locked (two
   * requests never both miss the queued run), and the dataset's queued run is
   * reused unless `force`; else a new queued run and its four pending steps.
   */
  async requestRun(request: RunRequest): Promise<RunRequestOutcome> {
    return this.knex.transaction(async (trx) => {
      const idem = request.idempotency;
      if (idem) {
        await trx<IdempotencyKeyRow>(Tables.idempotencyKeys).where('expires_at', '<', trx.fn.now()).delete();
        const claimed = await trx<IdempotencyKeyRow>(Tables.idempotencyKeys)
          .insert({
            scope: idem.scope,
            key: idem.key,
            fingerprint: idem.fingerprint,
            response_status: 0,
            response_body: JSON.stringify({}) as unknown as Record<string, unknown>,
            expires_at: trx.raw(`now() + make_interval(hours => ?)`, [idem.ttlHours]) as unknown as Date,
          })
          .onConflict(['scope', 'key'])
          .ignore()
          .returning('key');
        if (!claimed.length) {
          const stored = await trx<IdempotencyKeyRow>(Tables.idempotencyKeys)
            .where({ scope: idem.scope, key: idem.key })
            .first();
          return { kind: 'replay', stored: stored! };
        }
      }
      await trx<DatasetRow>(Tables.datasets).where({ id: request.datasetId }).forUpdate().first('id');
      let answer: RunRequestAnswer;
      let created: RunRow | null = null;
      const queued = request.force
        ? undefined
        : await trx<RunRow>(Tables.runs)
            .where({ dataset_id: request.datasetId, status: 'queued' })
            // A refresh request is met only by a queued run that refreshes too.
            .modify((q) => (request.refresh ? q.where({ refresh: true }) : q))
            .orderBy('created_at', 'desc')
            .first('id', 'status');
      if (queued) {
        answer = { status: 200, body: { runId: queued.id, status: queued.status, existing: true } };
      } else {
        [created] = await trx<RunRow>(Tables.runs)
          .insert({
            dataset_id: request.datasetId,
            dataset_version_id: request.datasetVersionId,
            status: 'queued',
            trigger: request.trigger,
            refresh: request.refresh,
          })
          .returning('*');
        await trx<RunStepRow>(Tables.runSteps).insert(
          STEP_NAMES.map((name, position) => ({
            run_id: created!.id,
            name,
            position,
            status: 'pending' as const,
            metrics: {},
          })),
        );
        answer = { status: 202, body: { runId: created.id, status: created.status, existing: false } };
      }
      if (idem) {
        await trx<IdempotencyKeyRow>(Tables.idempotencyKeys)
          .where({ scope: idem.scope, key: idem.key })
          .update({
            response_status: answer.status,
            response_body: JSON.stringify(answer.body) as unknown as Record<string, unknown>,
            run_id: answer.body.runId,
          });
      }
      return { kind: 'answered', answer, created };
    });
  }

  /**
   * Puts a failed or canceled run back in the queue as its next retry
   * generation: the steps that succeeded are kept (the worker skips them),
   * the others go back to pending, and so does deliver, whose digest is of the
   * outcome. The stage step is run again too when another run of the dataset
   * staged since, so transform never builds this run on another run's data.
   * Null when the run is not failed or canceled (any more).
   */
  async retry(runId: string, by: string): Promise<{ generation: number; resumeFrom: string } | null> {
    return this.knex.transaction(async (trx) => {
      const [run] = await trx<RunRow>(Tables.runs)
        .where({ id: runId })
        .whereIn('status', ['failed', 'canceled'])
        .update({
          status: 'queued',
          error: null,
          finished_at: null,
          delivery_status: null,
          cancel_requested_at: null,
          cancel_reason: null,
          retry_generation: trx.raw('retry_generation + 1') as unknown as number,
        })
        .returning('*');
      if (!run) return null;
      const stagedSince = await trx<RunRow>(`${Tables.runs} as r`)
        .join(`${Tables.runSteps} as s`, (j) =>
          j.on('s.run_id', 'r.id').andOnVal('s.name', 'stage').andOnVal('s.status', 'succeeded'),
        )
        .where('r.dataset_id', run.dataset_id)
        .whereNot('r.id', runId)
        .where(
          's.finished_at',
          '>',
          trx<RunStepRow>(Tables.runSteps).where({ run_id: runId, name: 'stage' }).select('finished_at'),
        )
        .first('r.id');
      const again = ['deliver', ...(stagedSince ? ['stage', 'transform'] : [])];
      await trx<RunStepRow>(Tables.runSteps)
        .where({ run_id: runId })
        .where((q) => q.whereNot('status', 'succeeded').orWhereIn('name', again))
        .update({
          status: 'pending',
          started_at: null,
          finished_at: null,
          error: null,
          metrics: JSON.stringify({}) as unknown as RunStepRow['metrics'],
        });
      const steps = await trx<RunStepRow>(Tables.runSteps).where({ run_id: runId }).orderBy('position');
      const resumeFrom = steps.find((s) => s.status !== 'succeeded')?.name ?? 'deliver';
      const kept = steps.filter((s) => s.status === 'succeeded').map((s) => s.name);
      const why = stagedSince ? ` (stage again: run ${stagedSince.id} of the dataset staged since)` : '';
      await insertRunEvent(trx, {
        runId,
        level: 'info',
        message: `retried by ${by} (retry ${run.retry_generation}): resumes from ${resumeFrom}${why}${kept.length ? `; kept ${kept.join(', ')}, which succeeded` : ''}`,
        data: { retry: run.retry_generation, by, resumeFrom },
      });
      return { generation: run.retry_generation, resumeFrom };
    });
  }

  /**
   * Cancels a queued run at once (its steps not done are skipped), or asks the
   * worker running a running run to stop (cancel_requested_at, which it polls).
   * The run row is locked, so a worker starting the run meanwhile either
   * starts it before (and is asked to stop) or finds it canceled.
   */
  async cancel(runId: string, reason: string, by: string): Promise<CancelOutcome> {
    return this.knex.transaction(async (trx) => {
      const run = await trx<RunRow>(Tables.runs)
        .where({ id: runId })
        .forUpdate()
        .first('id', 'status', 'cancel_requested_at');
      if (!run) return { kind: 'missing' };
      if (run.status !== 'queued' && run.status !== 'running') return { kind: 'ended', status: run.status };
      if (run.status === 'queued') {
        await trx<RunRow>(Tables.runs)
          .where({ id: runId })
          .update({
            status: 'canceled',
            error: `canceled by ${by} while queued: ${reason}`,
            finished_at: trx.fn.now() as unknown as Date,
            cancel_requested_at: trx.fn.now() as unknown as Date,
            cancel_reason: reason,
          });
        await trx<RunStepRow>(Tables.runSteps)
          .where({ run_id: runId })
          .whereIn('status', ['pending', 'running'])
          .update({ status: 'skipped', finished_at: trx.fn.now() as unknown as Date });
        await insertRunEvent(trx, {
          runId,
          level: 'warn',
          message: `canceled by ${by} while queued: ${reason}`,
          data: { cancel: 'queued', by },
        });
        return { kind: 'canceled' };
      }
      await trx<RunRow>(Tables.runs)
        .where({ id: runId })
        .update({
          cancel_requested_at: trx.raw('coalesce(cancel_requested_at, now())') as unknown as Date,
          cancel_reason: reason,
        });
      await insertRunEvent(trx, {
        runId,
        level: 'warn',
        message: `cancel requested by ${by}: ${reason}; the worker running it stops its step within about a second`,
        data: { cancel: 'requested', by },
      });
      return { kind: 'requested' };
    });
  }

  /** Ends a cancel-requested run whose worker is gone (the reconciler): canceled, its running step canceled, the rest skipped. */
  async cancelUnfinished(runId: string, reason: string): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const updated = await trx<RunRow>(Tables.runs)
        .where({ id: runId })
        .whereIn('status', ['queued', 'running'])
        .whereNotNull('cancel_requested_at')
        .update({ status: 'canceled', error: reason, finished_at: trx.fn.now() as unknown as Date });
      if (!updated) return false;
      await trx<RunStepRow>(Tables.runSteps)
        .where({ run_id: runId, status: 'running' })
        .update({ status: 'canceled', error: reason, finished_at: trx.fn.now() as unknown as Date });
      await trx<RunStepRow>(Tables.runSteps)
        .where({ run_id: runId, status: 'pending' })
        .update({ status: 'skipped', finished_at: trx.fn.now() as unknown as Date });
      await insertRunEvent(trx, {
        runId,
        level: 'warn',
        message: `canceled by the reconciler: ${reason}`,
      });
      return true;
    });
  }

  private withDataset() {
    // The stage step's row count rides along, so a list of runs needs no read per run.
    return this.knex<RunWithDataset>(`${Tables.runs} as r`)
      .join(`${Tables.datasets} as d`, 'd.id', 'r.dataset_id')
      .leftJoin(`${Tables.runSteps} as s`, (j) => j.on('s.run_id', 'r.id').andOnVal('s.name', 'stage'))
      .select(
        ...RUN_COLUMNS,
        'd.name as dataset_name',
        this.knex.raw(`s.metrics->>'rows' as stage_rows`),
        this.knex.raw('r.created_at::text as created_key'),
      );
  }

  async find(id: string): Promise<RunWithDataset | null> {
    return (await this.withDataset().where('r.id', id).first()) ?? null;
  }

  /**
   * Newest first, by the (created_at, id) index: `limit` rows older than `after`'s
   * (created_at, id), or the `limit` rows just newer than `before`'s (read oldest first, so
   * the index is walked from the key, then turned around).
   */
  async list(
    query: Pick<ListRunsQuery, 'datasetName' | 'status'>,
    keys: { after?: RunKey; before?: RunKey },
    limit: number,
  ): Promise<RunWithDataset[]> {
    const order = keys.before ? 'asc' : 'desc';
    const q = this.withDataset()
      .orderBy([
        { column: 'r.created_at', order },
        { column: 'r.id', order },
      ])
      .limit(limit);
    if (query.datasetName) q.where('d.name', query.datasetName);
    if (query.status) q.where('r.status', query.status);
    if (keys.after)
      q.whereRaw('(r.created_at, r.id) < (?::timestamptz, ?::uuid)', [keys.after.createdAt, keys.after.id]);
    if (keys.before)
      q.whereRaw('(r.created_at, r.id) > (?::timestamptz, ?::uuid)', [keys.before.createdAt, keys.before.id]);
    const rows = await q;
    return keys.before ? rows.reverse() : rows;
  }

  /**
   * The given runs (those that still exist), for the stream of run changes: oldest first,
   * so a batch of changes goes out in the order its runs were created.
   */
  findMany(ids: string[]): Promise<RunWithDataset[]> {
    return this.withDataset()
      .whereIn('r.id', ids)
      .orderBy([
        { column: 'r.created_at', order: 'asc' },
        { column: 'r.id', order: 'asc' },
      ]);
  }

  /** Ids of the runs still queued or running. */
  async inFlightIds(): Promise<string[]> {
    const rows = await this.knex<RunRow>(Tables.runs).whereIn('status', ['queued', 'running']).select('id');
    return rows.map((r) => r.id);
  }

  steps(runId: string): Promise<RunStepRow[]> {
    return this.runs.steps(runId);
  }

  events(runId: string, limit = 500): Promise<RunEventRow[]> {
    return this.knex<RunEventRow>(Tables.runEvents).where({ run_id: runId }).orderBy('id', 'desc').limit(limit);
  }

  /** The run's events after the given id, oldest first: what a stream has not sent yet. */
  eventsAfter(runId: string, afterId: number, limit = 500): Promise<RunEventRow[]> {
    return this.knex<RunEventRow>(Tables.runEvents)
      .where({ run_id: runId })
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit);
  }

  /** dbt's per-node results of the run, in the order dbt finished them. */
  nodes(runId: string): Promise<RunNodeResultRow[]> {
    return this.checks.nodeResults(runId);
  }

  /** The run's delivery to each destination for its current outcome (retry generation); a deleted destination's rows went with it. */
  deliveries(runId: string): Promise<DeliveryWithDestination[]> {
    return this.knex<DeliveryWithDestination>(`${Tables.deliveries} as l`)
      .leftJoin(`${Tables.destinations} as d`, 'd.id', 'l.destination_id')
      .where('l.run_id', runId)
      .whereRaw(`l.generation = (select retry_generation from ${Tables.runs} where id = l.run_id)`)
      .orderBy('d.created_at')
      .select('l.*', 'd.name as destination_name');
  }

  async digest(runId: string): Promise<RunRow['digest']> {
    const row = await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('digest');
    return row?.digest ?? null;
  }

  async addEvent(
    runId: string,
    level: RunEventRow['level'],
    message: string,
    data?: Record<string, unknown>,
  ): Promise<void> {
    await insertRunEvent(this.knex, { runId, level, message, data });
  }

  /** Every run PostgreSQL says is queued or running, with its dataset's name (the reconciler's worklist). */
  async unfinished(): Promise<
    {
      id: string;
      status: 'queued' | 'running';
      created_at: Date;
      dataset_name: string;
      cancel_requested_at: Date | null;
      cancel_reason: string | null;
    }[]
  > {
    return this.knex(`${Tables.runs} as r`)
      .join(`${Tables.datasets} as d`, 'd.id', 'r.dataset_id')
      .whereIn('r.status', ['queued', 'running'])
      .orderBy('r.created_at')
      .select('r.id', 'r.status', 'r.created_at', 'd.name as dataset_name', 'r.cancel_requested_at', 'r.cancel_reason');
  }

  async status(runId: string): Promise<RunRow['status'] | null> {
    return (await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('status'))?.status ?? null;
  }

  /** How often the reconciler enqueued the run again (its events with data.recovery) since its last retry, if any. */
  async recoveries(runId: string): Promise<number> {
    const [{ n }] = await this.knex<RunEventRow>(Tables.runEvents)
      .where({ run_id: runId })
      .whereRaw("data->>'recovery' is not null")
      .whereRaw(
        `id > coalesce((select max(id) from ${Tables.runEvents} where run_id = ? and data->>'retry' is not null), 0)`,
        [runId],
      )
      .count<{ n: string }[]>('* as n');
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
      await trx<RunStepRow>(Tables.runSteps)
        .where({ run_id: runId, status: 'running' })
        .update({ status: 'failed', error: reason, finished_at: trx.fn.now() as unknown as Date });
      await trx<RunStepRow>(Tables.runSteps)
        .where({ run_id: runId, status: 'pending' })
        .update({ status: 'skipped', finished_at: trx.fn.now() as unknown as Date });
      await insertRunEvent(trx, {
        runId,
        level: 'error',
        message: `failed by the reconciler: ${reason}`,
      });
      return true;
    });
  }
}

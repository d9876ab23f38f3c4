import type { Knex } from 'knex';
import { Tables } from '../index';
import type { DatasetRow, DatasetVersionRow, RunEventRow, RunRow, RunStepRow } from '../rows';

type StepName = RunStepRow['name'];
type StepMetrics = RunStepRow['metrics'];

/** One line of a run's event log (GET /v1/runs/:id/events, the board). */
export interface RunEventInput {
  runId: string;
  /** The step it is about; null or absent for the run as a whole. */
  step?: StepName | null;
  level: RunEventRow['level'];
  message: string;
  data?: Record<string, unknown>;
}

/** Appends an event to a run's log, on the connection or transaction given: the one place that writes run_events. */
export async function insertRunEvent(db: Knex, event: RunEventInput): Promise<void> {
  await db<RunEventRow>(Tables.runEvents).insert({
    run_id: event.runId,
    step: event.step ?? null,
    level: event.level,
    message: event.message,
    data: event.data ? (JSON.stringify(event.data) as unknown as Record<string, unknown>) : null,
  });
}

export interface RunContext {
  run: RunRow;
  dataset: DatasetRow;
  version: DatasetVersionRow;
}

/** The runs family (runs, run_steps, run_events) as a worker executing a run reads and writes it. */
export class RunStore {
  constructor(private readonly knex: Knex) {}

  async load(runId: string): Promise<RunContext | null> {
    const run = await this.knex<RunRow>(Tables.runs).where({ id: runId }).first();
    if (!run) return null;
    const dataset = await this.knex<DatasetRow>(Tables.datasets).where({ id: run.dataset_id }).first();
    const versionId = run.dataset_version_id ?? dataset?.current_version_id;
    const version = versionId
      ? await this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id: versionId }).first()
      : undefined;
    if (!dataset || !version) return null;
    return { run, dataset, version };
  }

  /** Marks the run running (no longer waiting); false when it already ended (a duplicate or late job). */
  async start(runId: string): Promise<boolean> {
    const updated = await this.knex<RunRow>(Tables.runs)
      .where({ id: runId })
      .whereIn('status', ['queued', 'running'])
      .update({
        status: 'running',
        started_at: this.knex.raw('coalesce(started_at, now())') as unknown as Date,
        attempts: this.knex.raw('attempts + 1') as unknown as number,
        error: null,
        waiting_for_run_id: null,
        waiting_reason: null,
        waiting_since: null,
      });
    return updated > 0;
  }

  /** True while the run is queued or running (it has not ended). */
  async unfinished(runId: string): Promise<boolean> {
    const row = await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('status');
    return row?.status === 'queued' || row?.status === 'running';
  }

  /**
   * The run waits for its dataset: it is (again) queued, with the holder and the
   * reason on its row. True when the holder is new for this run (so the caller
   * records one event per holder, not one per look); false when it was already
   * waiting for the same holder, or the run ended meanwhile.
   */
  async markWaiting(runId: string, holderRunId: string | null, reason: string): Promise<boolean> {
    const updated = await this.knex<RunRow>(Tables.runs)
      .where({ id: runId })
      .whereIn('status', ['queued', 'running'])
      .where((q) =>
        q
          .whereNull('waiting_reason')
          .orWhereNot('status', 'queued')
          .orWhereRaw('waiting_for_run_id is distinct from ?::uuid', [holderRunId]),
      )
      .update({
        status: 'queued',
        waiting_for_run_id: holderRunId,
        waiting_reason: reason,
        waiting_since: this.knex.raw(
          'case when waiting_reason is null then now() else waiting_since end',
        ) as unknown as Date,
      });
    return updated > 0;
  }

  /** The dataset's runs that wait for its lock, oldest first: the run that releases it promotes their jobs. */
  async waitingRuns(datasetId: string): Promise<string[]> {
    const rows = await this.knex<RunRow>(Tables.runs)
      .where({ dataset_id: datasetId, status: 'queued' })
      .whereNotNull('waiting_reason')
      .orderBy('created_at')
      .select('id');
    return rows.map((r) => r.id);
  }

  async finish(
    runId: string,
    status: 'succeeded' | 'failed' | 'canceled' | 'skipped',
    error: string | null,
  ): Promise<void> {
    await this.knex<RunRow>(Tables.runs)
      .where({ id: runId })
      .update({ status, error, finished_at: this.knex.fn.now() as unknown as Date });
  }

  /** The run's cancel request (POST /v1/runs/:id/cancel), or null while there is none. */
  async cancelRequest(runId: string): Promise<{ at: Date; reason: string | null } | null> {
    const row = await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('cancel_requested_at', 'cancel_reason');
    return row?.cancel_requested_at ? { at: row.cancel_requested_at, reason: row.cancel_reason } : null;
  }

  /** Points the run at a version (a skipped scheduled run, at the current one it did not replace). */
  async pointRunAt(runId: string, versionId: string): Promise<void> {
    await this.knex<RunRow>(Tables.runs).where({ id: runId }).update({ dataset_version_id: versionId });
  }

  /** The dataset's latest successful run before this one, with its stage metrics, to say what changed since. */
  async previousSuccessfulRun(run: RunRow): Promise<{ run: RunRow; stage: StepMetrics | null } | null> {
    const previous = await this.knex<RunRow>(Tables.runs)
      .where({ dataset_id: run.dataset_id, status: 'succeeded' })
      .whereNot({ id: run.id })
      .where('created_at', '<', run.created_at)
      .orderBy('created_at', 'desc')
      .first();
    if (!previous) return null;
    const stage = await this.knex<RunStepRow>(Tables.runSteps).where({ run_id: previous.id, name: 'stage' }).first();
    return { run: previous, stage: stage?.metrics ?? null };
  }

  async runProfile(runId: string): Promise<Record<string, unknown>[] | null> {
    const row = await this.knex<RunRow>(Tables.runs).where({ id: runId }).first('profile');
    return row?.profile ?? null;
  }

  async saveProfile(runId: string, profile: Record<string, unknown>[]): Promise<void> {
    await this.knex<RunRow>(Tables.runs)
      .where({ id: runId })
      .update({ profile: JSON.stringify(profile) as unknown as RunRow['profile'] });
  }

  async saveDigest(runId: string, digest: object): Promise<void> {
    await this.knex<RunRow>(Tables.runs)
      .where({ id: runId })
      .update({ digest: JSON.stringify(digest) as unknown as RunRow['digest'] });
  }

  async setDeliveryStatus(runId: string, status: NonNullable<RunRow['delivery_status']>): Promise<void> {
    await this.knex<RunRow>(Tables.runs).where({ id: runId }).update({ delivery_status: status });
  }

  stepStatus(runId: string, name: StepName): Promise<RunStepRow | undefined> {
    return this.knex<RunStepRow>(Tables.runSteps).where({ run_id: runId, name }).first();
  }

  steps(runId: string): Promise<RunStepRow[]> {
    return this.knex<RunStepRow>(Tables.runSteps).where({ run_id: runId }).orderBy('position');
  }

  async startStep(runId: string, name: StepName): Promise<void> {
    await this.knex<RunStepRow>(Tables.runSteps)
      .where({ run_id: runId, name })
      .update({ status: 'running', started_at: this.knex.fn.now() as unknown as Date, finished_at: null, error: null });
  }

  async finishStep(
    runId: string,
    name: StepName,
    status: 'succeeded' | 'failed' | 'skipped' | 'canceled',
    metrics: StepMetrics,
    error: string | null = null,
  ): Promise<void> {
    await this.knex<RunStepRow>(Tables.runSteps)
      .where({ run_id: runId, name })
      .update({
        status,
        metrics: JSON.stringify(metrics) as unknown as StepMetrics,
        error,
        finished_at: this.knex.fn.now() as unknown as Date,
      });
  }

  async updateStepMetrics(runId: string, name: StepName, metrics: StepMetrics): Promise<void> {
    await this.knex<RunStepRow>(Tables.runSteps)
      .where({ run_id: runId, name })
      .update({ metrics: JSON.stringify(metrics) as unknown as StepMetrics });
  }

  async event(
    runId: string,
    step: StepName | null,
    level: RunEventRow['level'],
    message: string,
    data?: Record<string, unknown>,
  ): Promise<void> {
    await insertRunEvent(this.knex, { runId, step, level, message, data });
  }
}

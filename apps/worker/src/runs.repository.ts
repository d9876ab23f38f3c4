import type { StepName, StepMetrics } from '@relayboard/contracts';
import {
  Tables,
  type DatasetCheckRow,
  type DatasetLineageRow,
  type DatasetRow,
  type DatasetScheduleRow,
  type DatasetVersionRow,
  type DeliveryRow,
  type DestinationRow,
  type Knex,
  type RunEventRow,
  type RunNodeResultRow,
  type RunRow,
  type RunStepRow,
  type StagedColumn,
} from '@relayboard/db';
import type { DbtNodeResult } from './dbt/dbt-runner';
import type { StoredLineage } from './dbt/lineage';

/** A dataset with a staged schema, as the dbt project is generated from it. */
export interface StagedDataset {
  id: string;
  name: string;
  columns: StagedColumn[];
  /** Set while the dataset's files are out of the dbt project. */
  disabled: { reason: string; at: Date; runId: string | null } | null;
}

export interface RunContext {
  run: RunRow;
  dataset: DatasetRow;
  version: DatasetVersionRow;
}

/** The worker's only door to the metadata database. */
export class RunsRepository {
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

  stepStatus(runId: string, name: StepName): Promise<RunStepRow | undefined> {
    return this.knex<RunStepRow>(Tables.runSteps).where({ run_id: runId, name }).first();
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
    await this.knex<RunEventRow>(Tables.runEvents).insert({
      run_id: runId,
      step,
      level,
      message,
      data: data ? (JSON.stringify(data) as unknown as Record<string, unknown>) : null,
    });
  }

  async recordStaging(
    versionId: string,
    columns: StagedColumn[],
    rowCount: number,
    details: { dialect?: object; schemaChanges?: object | null; rejectedRows?: number } = {},
  ): Promise<void> {
    await this.knex<DatasetVersionRow>(Tables.datasetVersions)
      .where({ id: versionId })
      .update({
        columns: JSON.stringify(columns) as unknown as StagedColumn[],
        row_count: String(rowCount),
        ...(details.dialect !== undefined && {
          dialect: JSON.stringify(details.dialect) as unknown as Record<string, unknown>,
        }),
        ...(details.schemaChanges !== undefined && {
          schema_changes: details.schemaChanges === null ? null : JSON.stringify(details.schemaChanges),
        }),
        ...(details.rejectedRows !== undefined && { rejected_rows: String(details.rejectedRows) }),
      });
  }

  /** The dataset's latest other version that was staged, to compare schemas with. */
  async previousStagedVersion(
    datasetId: string,
    versionId: string,
  ): Promise<{ id: string; columns: StagedColumn[] } | null> {
    const row = await this.knex<DatasetVersionRow>(Tables.datasetVersions)
      .where({ dataset_id: datasetId })
      .whereNot({ id: versionId })
      .whereNotNull('columns')
      .orderBy('fetched_at', 'desc')
      .first('id', 'columns');
    return row?.columns ? { id: row.id, columns: row.columns } : null;
  }

  /** Whether the dataset's schedule says to run even with nothing new to load (false without a schedule). */
  async scheduleAlwaysRun(datasetId: string): Promise<boolean> {
    const row = await this.knex<DatasetScheduleRow>(Tables.datasetSchedules)
      .where({ dataset_id: datasetId })
      .first('always_run');
    return row?.always_run ?? false;
  }

  async currentVersion(datasetId: string): Promise<DatasetVersionRow | undefined> {
    const dataset = await this.knex<DatasetRow>(Tables.datasets).where({ id: datasetId }).first('current_version_id');
    return dataset?.current_version_id
      ? this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id: dataset.current_version_id }).first()
      : undefined;
  }

  /** Points the run at a version (a skipped scheduled run, at the current one it did not replace). */
  async pointRunAt(runId: string, versionId: string): Promise<void> {
    await this.knex<RunRow>(Tables.runs).where({ id: runId }).update({ dataset_version_id: versionId });
  }

  /** The version an earlier attempt of this refresh run fetched, so a retry does not fetch again. */
  async versionFetchedBy(runId: string): Promise<DatasetVersionRow | undefined> {
    return this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ fetched_by_run_id: runId }).first();
  }

  /**
   * Records a version fetched by a refresh run, makes it the dataset's current
   * version and points the run at it, in one transaction. The dataset row is
   * locked so "unchanged" compares against a current version nobody else is moving.
   */
  async recordRefreshedVersion(
    runId: string,
    datasetId: string,
    input: { sha256: string; sizeBytes: number; objectKey: string; sourceUrl: string },
  ): Promise<DatasetVersionRow> {
    return this.knex.transaction(async (trx) => {
      const dataset = await trx<DatasetRow>(Tables.datasets).where({ id: datasetId }).forUpdate().first();
      if (!dataset) throw new Error(`dataset ${datasetId} was deleted while run ${runId} fetched it`);
      const previous = dataset.current_version_id
        ? await trx<DatasetVersionRow>(Tables.datasetVersions).where({ id: dataset.current_version_id }).first()
        : undefined;
      const [version] = await trx<DatasetVersionRow>(Tables.datasetVersions)
        .insert({
          dataset_id: datasetId,
          sha256: input.sha256,
          size_bytes: String(input.sizeBytes),
          object_key: input.objectKey,
          source: 'url',
          source_url: input.sourceUrl,
          unchanged: previous?.sha256 === input.sha256,
          fetched_by_run_id: runId,
        })
        .returning('*');
      await trx<DatasetRow>(Tables.datasets)
        .where({ id: datasetId })
        .update({ current_version_id: version.id, updated_at: trx.fn.now() as unknown as Date });
      await trx<RunRow>(Tables.runs).where({ id: runId }).update({ dataset_version_id: version.id });
      return version;
    });
  }

  /**
   * Every dataset with a staged schema, to regenerate the dbt project on any
   * worker. Each dataset's newest version that has been staged counts, so a new
   * version that is not staged yet (or failed to stage) keeps the models of the
   * table that is actually in staging.
   */
  async stagedDatasets(): Promise<StagedDataset[]> {
    const rows = await this.knex(`${Tables.datasets} as d`)
      .join(`${Tables.datasetVersions} as v`, 'v.dataset_id', 'd.id')
      .whereNotNull('v.columns')
      .distinctOn('d.name')
      .orderBy([{ column: 'd.name' }, { column: 'v.fetched_at', order: 'desc' }])
      .select('d.id', 'd.name', 'v.columns', 'd.dbt_disabled_reason', 'd.dbt_disabled_at', 'd.dbt_disabled_by_run_id');
    return (
      rows as (Pick<
        DatasetRow,
        'id' | 'name' | 'dbt_disabled_reason' | 'dbt_disabled_at' | 'dbt_disabled_by_run_id'
      > & { columns: StagedColumn[] })[]
    ).map((r) => ({
      id: r.id,
      name: r.name,
      columns: r.columns,
      disabled:
        r.dbt_disabled_reason === null
          ? null
          : { reason: r.dbt_disabled_reason, at: r.dbt_disabled_at!, runId: r.dbt_disabled_by_run_id },
    }));
  }

  async datasetNames(): Promise<string[]> {
    return (await this.knex<DatasetRow>(Tables.datasets).select('name')).map((d) => d.name);
  }

  /** Takes the dataset's generated files out of the dbt project, saying why and which run found it. */
  async disableDataset(datasetId: string, reason: string, runId: string): Promise<void> {
    await this.knex<DatasetRow>(Tables.datasets)
      .where({ id: datasetId })
      .update({
        dbt_disabled_reason: reason,
        dbt_disabled_at: this.knex.fn.now() as unknown as Date,
        dbt_disabled_by_run_id: runId,
      });
  }

  async enableDataset(datasetId: string): Promise<void> {
    await this.knex<DatasetRow>(Tables.datasets)
      .where({ id: datasetId })
      .update({ dbt_disabled_reason: null, dbt_disabled_at: null, dbt_disabled_by_run_id: null });
  }

  /** Every declared data-quality check, with its dataset's name, for the generated dbt project. */
  declaredChecks(): Promise<(DatasetCheckRow & { dataset_name: string })[]> {
    return this.knex(`${Tables.datasetChecks} as c`)
      .join(`${Tables.datasets} as d`, 'd.id', 'c.dataset_id')
      .select('c.*', 'd.name as dataset_name')
      .orderBy(['d.name', 'c.name']);
  }

  /** The run's dbt node results; a retried attempt replaces those of the one before. */
  async recordNodeResults(runId: string, nodes: DbtNodeResult[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx<RunNodeResultRow>(Tables.runNodeResults).where({ run_id: runId }).delete();
      if (!nodes.length) return;
      await trx<RunNodeResultRow>(Tables.runNodeResults).insert(
        nodes.map((n) => ({
          run_id: runId,
          unique_id: n.uniqueId,
          name: n.name,
          kind: n.kind,
          status: n.status,
          rows_affected: n.rowsAffected === null ? null : String(n.rowsAffected),
          execution_time: n.executionTime,
          started_at: n.startedAt === null ? null : new Date(n.startedAt),
          completed_at: n.completedAt === null ? null : new Date(n.completedAt),
          failures: n.failures === null ? null : String(n.failures),
          message: n.message,
          check_id: n.checkId,
          samples: n.samples.length ? (JSON.stringify(n.samples) as unknown as string[]) : null,
        })),
      );
    });
  }

  async saveLineage(datasetId: string, runId: string, lineage: StoredLineage): Promise<void> {
    await this.knex<DatasetLineageRow>(Tables.datasetLineage)
      .insert({
        dataset_id: datasetId,
        run_id: runId,
        lineage: JSON.stringify(lineage) as unknown as DatasetLineageRow['lineage'],
        updated_at: this.knex.fn.now() as unknown as Date,
      })
      .onConflict('dataset_id')
      .merge();
  }

  destinations(): Promise<DestinationRow[]> {
    return this.knex<DestinationRow>(Tables.destinations).orderBy('created_at');
  }

  steps(runId: string): Promise<RunStepRow[]> {
    return this.knex<RunStepRow>(Tables.runSteps).where({ run_id: runId }).orderBy('position');
  }

  nodeResults(runId: string): Promise<RunNodeResultRow[]> {
    return this.knex<RunNodeResultRow>(Tables.runNodeResults).where({ run_id: runId }).orderBy('id');
  }

  async version(versionId: string): Promise<DatasetVersionRow | undefined> {
    return this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id: versionId }).first();
  }

  async dataset(datasetId: string): Promise<DatasetRow | undefined> {
    return this.knex<DatasetRow>(Tables.datasets).where({ id: datasetId }).first();
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
    fields: Partial<
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
    >,
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

import type { StepName, StepMetrics } from '@relayboard/contracts';
import {
  Tables,
  type DatasetRow,
  type DatasetVersionRow,
  type DeliveryRow,
  type DestinationRow,
  type Knex,
  type RunEventRow,
  type RunRow,
  type RunStepRow,
  type StagedColumn,
} from '@relayboard/db';

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
    const version = versionId ? await this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id: versionId }).first() : undefined;
    if (!dataset || !version) return null;
    return { run, dataset, version };
  }

  /** Marks the run running; false when it already ended (a duplicate or late job). */
  async start(runId: string): Promise<boolean> {
    const updated = await this.knex<RunRow>(Tables.runs)
      .where({ id: runId })
      .whereIn('status', ['queued', 'running'])
      .update({
        status: 'running',
        started_at: this.knex.raw('coalesce(started_at, now())') as unknown as Date,
        attempts: this.knex.raw('attempts + 1') as unknown as number,
        error: null,
      });
    return updated > 0;
  }

  async finish(runId: string, status: 'succeeded' | 'failed', error: string | null): Promise<void> {
    await this.knex<RunRow>(Tables.runs).where({ id: runId }).update({ status, error, finished_at: this.knex.fn.now() as unknown as Date });
  }

  stepStatus(runId: string, name: StepName): Promise<RunStepRow | undefined> {
    return this.knex<RunStepRow>(Tables.runSteps).where({ run_id: runId, name }).first();
  }

  async startStep(runId: string, name: StepName): Promise<void> {
    await this.knex<RunStepRow>(Tables.runSteps)
      .where({ run_id: runId, name })
      .update({ status: 'running', started_at: this.knex.fn.now() as unknown as Date, finished_at: null, error: null });
  }

  async finishStep(runId: string, name: StepName, status: 'succeeded' | 'failed' | 'skipped', metrics: StepMetrics, error: string | null = null): Promise<void> {
    await this.knex<RunStepRow>(Tables.runSteps)
      .where({ run_id: runId, name })
      .update({ status, metrics: JSON.stringify(metrics) as unknown as StepMetrics, error, finished_at: this.knex.fn.now() as unknown as Date });
  }

  async updateStepMetrics(runId: string, name: StepName, metrics: StepMetrics): Promise<void> {
    await this.knex<RunStepRow>(Tables.runSteps)
      .where({ run_id: runId, name })
      .update({ metrics: JSON.stringify(metrics) as unknown as StepMetrics });
  }

  async event(runId: string, step: StepName | null, level: RunEventRow['level'], message: string, data?: Record<string, unknown>): Promise<void> {
    await this.knex<RunEventRow>(Tables.runEvents).insert({
      run_id: runId,
      step,
      level,
      message,
      data: data ? (JSON.stringify(data) as unknown as Record<string, unknown>) : null,
    });
  }

  async recordStaging(versionId: string, columns: StagedColumn[], rowCount: number): Promise<void> {
    await this.knex<DatasetVersionRow>(Tables.datasetVersions)
      .where({ id: versionId })
      .update({ columns: JSON.stringify(columns) as unknown as StagedColumn[], row_count: String(rowCount) });
  }

  /** Every dataset with a staged schema, to regenerate the dbt project on any worker. */
  async stagedDatasets(): Promise<{ name: string; columns: StagedColumn[] }[]> {
    const rows = await this.knex(`${Tables.datasets} as d`)
      .join(`${Tables.datasetVersions} as v`, 'v.id', 'd.current_version_id')
      .whereNotNull('v.columns')
      .select('d.name', 'v.columns');
    return rows as { name: string; columns: StagedColumn[] }[];
  }

  destinations(): Promise<DestinationRow[]> {
    return this.knex<DestinationRow>(Tables.destinations).orderBy('created_at');
  }

  async delivery(runId: string, destinationId: string): Promise<DeliveryRow | undefined> {
    return this.knex<DeliveryRow>(Tables.deliveries).where({ run_id: runId, destination_id: destinationId }).first();
  }

  async recordDelivery(runId: string, destinationId: string, status: DeliveryRow['status'], responseStatus: number | null, error: string | null): Promise<void> {
    await this.knex<DeliveryRow>(Tables.deliveries)
      .insert({ run_id: runId, destination_id: destinationId, status, response_status: responseStatus, error, attempted_at: this.knex.fn.now() as unknown as Date })
      .onConflict(['run_id', 'destination_id'])
      .merge();
  }
}

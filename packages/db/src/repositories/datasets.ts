import type { Knex } from 'knex';
import { Tables } from '../index';
import type {
  DatasetLineageRow,
  DatasetRow,
  DatasetScheduleRow,
  DatasetVersionRow,
  RunRow,
  StagedColumn,
} from '../rows';

/** A file stored for a dataset, about to become its current version. */
export interface NewVersionInput {
  source: 'url' | 'upload';
  sourceUrl: string | null;
  sha256: string;
  sizeBytes: number;
  objectKey: string;
  /** The refresh run that fetched it (a retry of that run finds it instead of fetching again). */
  fetchedByRunId?: string;
}

/** The one "unchanged" rule: a version is unchanged when it has the bytes (sha256) of the version current before it. */
export function isUnchanged(previous: Pick<DatasetVersionRow, 'sha256'> | null | undefined, sha256: string): boolean {
  return previous?.sha256 === sha256;
}

/**
 * Records a version and makes it the dataset's current one, in the caller's
 * transaction. The caller holds the dataset row (just inserted or locked for
 * update), so "unchanged" compares against a current version nobody else is moving.
 */
export async function addCurrentVersion(
  trx: Knex.Transaction,
  dataset: Pick<DatasetRow, 'id' | 'current_version_id'>,
  input: NewVersionInput,
): Promise<{ dataset: DatasetRow; version: DatasetVersionRow }> {
  const previous = dataset.current_version_id
    ? await trx<DatasetVersionRow>(Tables.datasetVersions).where({ id: dataset.current_version_id }).first()
    : undefined;
  const [version] = await trx<DatasetVersionRow>(Tables.datasetVersions)
    .insert({
      dataset_id: dataset.id,
      sha256: input.sha256,
      size_bytes: String(input.sizeBytes),
      object_key: input.objectKey,
      source: input.source,
      source_url: input.sourceUrl,
      unchanged: isUnchanged(previous, input.sha256),
      ...(input.fetchedByRunId !== undefined && { fetched_by_run_id: input.fetchedByRunId }),
    })
    .returning('*');
  const [updated] = await trx<DatasetRow>(Tables.datasets)
    .where({ id: dataset.id })
    .update({ current_version_id: version.id, updated_at: trx.fn.now() as unknown as Date })
    .returning('*');
  return { dataset: updated, version };
}

/** A dataset with a staged schema, as the dbt project is generated from it. */
export interface StagedDataset {
  id: string;
  name: string;
  columns: StagedColumn[];
  /** Set while the dataset's files are out of the dbt project. */
  disabled: { reason: string; at: Date; runId: string | null } | null;
}

/** The datasets family (datasets, dataset_versions, their schedules and lineage) as the pipeline's steps read and write it. */
export class DatasetStore {
  constructor(private readonly knex: Knex) {}

  async dataset(datasetId: string): Promise<DatasetRow | undefined> {
    return this.knex<DatasetRow>(Tables.datasets).where({ id: datasetId }).first();
  }

  async version(versionId: string): Promise<DatasetVersionRow | undefined> {
    return this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id: versionId }).first();
  }

  async currentVersion(datasetId: string): Promise<DatasetVersionRow | undefined> {
    const dataset = await this.knex<DatasetRow>(Tables.datasets).where({ id: datasetId }).first('current_version_id');
    return dataset?.current_version_id
      ? this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id: dataset.current_version_id }).first()
      : undefined;
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
      const { version } = await addCurrentVersion(trx, dataset, { ...input, source: 'url', fetchedByRunId: runId });
      await trx<RunRow>(Tables.runs).where({ id: runId }).update({ dataset_version_id: version.id });
      return version;
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

  async saveLineage(datasetId: string, runId: string, lineage: DatasetLineageRow['lineage']): Promise<void> {
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
}

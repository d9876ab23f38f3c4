import { Inject, Injectable } from '@nestjs/common';
import {
  addCurrentVersion,
  Tables,
  type DatasetLineageRow,
  type DatasetRow,
  type DatasetScheduleRow,
  type DatasetVersionRow,
  type Knex,
  type NewVersionInput,
  type RunRow,
} from '@relayboard/db';
import { KNEX } from '../core/tokens';

export type LastRun = Pick<RunRow, 'id' | 'dataset_id' | 'status' | 'delivery_status' | 'created_at' | 'finished_at'>;

export interface DatasetWithVersion {
  dataset: DatasetRow;
  version: DatasetVersionRow | null;
  /** The dataset's newest run, where the read asked for it. */
  lastRun?: LastRun | null;
  /** The dataset's cron schedule (null: none). */
  schedule?: DatasetScheduleRow | null;
}

export type NewVersion = Omit<NewVersionInput, 'fetchedByRunId'>;

@Injectable()
export class DatasetsRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async findByName(name: string): Promise<DatasetWithVersion | null> {
    const dataset = await this.knex<DatasetRow>(Tables.datasets).where({ name }).first();
    if (!dataset) return null;
    const [version, lastRuns, schedules] = await Promise.all([
      this.findVersion(dataset.current_version_id),
      this.lastRuns([dataset.id]),
      this.schedules([dataset.id]),
    ]);
    return { dataset, version, lastRun: lastRuns.get(dataset.id) ?? null, schedule: schedules.get(dataset.id) ?? null };
  }

  /**
   * A page of datasets by name, after the cursor's name, each with its current
   * version, newest run and schedule: four queries whatever the page size.
   */
  async list(afterName: string | null, limit: number, prefix?: string): Promise<DatasetWithVersion[]> {
    const q = this.knex<DatasetRow>(Tables.datasets).orderBy('name').limit(limit);
    if (afterName !== null) q.where('name', '>', afterName);
    // _ is a LIKE wildcard; names hold only [a-z0-9_], so escaping it is all a prefix needs.
    if (prefix) q.whereRaw(`name like ? escape '\\'`, [`${prefix.replace(/_/g, '\\_')}%`]);
    const datasets = await q;
    const ids = datasets.map((d) => d.current_version_id).filter((id): id is string => id !== null);
    const [versions, lastRuns, schedules] = await Promise.all([
      ids.length
        ? this.knex<DatasetVersionRow>(Tables.datasetVersions).whereIn('id', ids)
        : Promise.resolve([] as DatasetVersionRow[]),
      this.lastRuns(datasets.map((d) => d.id)),
      this.schedules(datasets.map((d) => d.id)),
    ]);
    const byId = new Map(versions.map((v) => [v.id, v]));
    return datasets.map((dataset) => ({
      dataset,
      version: dataset.current_version_id ? (byId.get(dataset.current_version_id) ?? null) : null,
      lastRun: lastRuns.get(dataset.id) ?? null,
      schedule: schedules.get(dataset.id) ?? null,
    }));
  }

  private async schedules(datasetIds: string[]): Promise<Map<string, DatasetScheduleRow>> {
    if (!datasetIds.length) return new Map();
    const rows = await this.knex<DatasetScheduleRow>(Tables.datasetSchedules).whereIn('dataset_id', datasetIds);
    return new Map(rows.map((r) => [r.dataset_id, r]));
  }

  /** Each dataset's newest run, by the (dataset_id, created_at) index. */
  private async lastRuns(datasetIds: string[]): Promise<Map<string, LastRun>> {
    if (!datasetIds.length) return new Map();
    const rows = await this.knex<RunRow>(Tables.runs)
      .whereIn('dataset_id', datasetIds)
      .distinctOn('dataset_id')
      .orderBy([{ column: 'dataset_id' }, { column: 'created_at', order: 'desc' }])
      .select('id', 'dataset_id', 'status', 'delivery_status', 'created_at', 'finished_at');
    return new Map((rows as LastRun[]).map((r) => [r.dataset_id, r]));
  }

  /** The dataset with its new owners, or null when there is no dataset of that name. */
  async setOwners(name: string, owners: string[]): Promise<DatasetWithVersion | null> {
    const [dataset] = await this.knex<DatasetRow>(Tables.datasets)
      .where({ name })
      // jsonb takes JSON text: node-postgres would send a JS array as a PostgreSQL array.
      .update({
        owners: JSON.stringify(owners) as unknown as string[],
        updated_at: this.knex.fn.now() as unknown as Date,
      })
      .returning('*');
    if (!dataset) return null;
    const [version, schedules] = await Promise.all([
      this.findVersion(dataset.current_version_id),
      this.schedules([dataset.id]),
    ]);
    return { dataset, version, schedule: schedules.get(dataset.id) ?? null };
  }

  /** Every version of the dataset, newest first. */
  /** Newest first, after the cursor's (fetched_at, id), by the (dataset_id, fetched_at) index. */
  versions(
    datasetId: string,
    after: { fetchedAt: string; id: string } | null,
    limit: number,
  ): Promise<DatasetVersionRow[]> {
    const q = this.knex<DatasetVersionRow>(Tables.datasetVersions)
      .where({ dataset_id: datasetId })
      .orderBy([
        { column: 'fetched_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    if (after) q.whereRaw('(fetched_at, id) < (?::timestamptz, ?::uuid)', [after.fetchedAt, after.id]);
    return q;
  }

  /** Creates the dataset and its first version in one transaction; null when the name is taken. */
  async createWithVersion(name: string, version: NewVersion): Promise<DatasetWithVersion | null> {
    return this.knex.transaction(async (trx) => {
      const dataset = await this.insertDataset(trx, name, version);
      if (!dataset) return null;
      return addCurrentVersion(trx, dataset, version);
    });
  }

  /**
   * Adds a version to the dataset and makes it current, creating the dataset
   * when the name is new; `created` says which happened.
   */
  async createOrAddVersion(name: string, version: NewVersion): Promise<DatasetWithVersion & { created: boolean }> {
    return this.knex.transaction(async (trx) => {
      const inserted = await this.insertDataset(trx, name, version);
      const dataset = inserted ?? (await trx<DatasetRow>(Tables.datasets).where({ name }).forUpdate().first());
      if (!dataset) throw new Error(`dataset ${name} vanished while a version was being added`);
      const schedule = inserted
        ? undefined
        : await trx<DatasetScheduleRow>(Tables.datasetSchedules).where({ dataset_id: dataset.id }).first();
      return {
        ...(await addCurrentVersion(trx, dataset, version)),
        schedule: schedule ?? null,
        created: inserted !== null,
      };
    });
  }

  /**
   * Deletes the dataset's metadata (versions, runs with their steps, events,
   * node results and deliveries, checks, lineage: all by cascade) unless a run
   * of it is queued or running. The dataset row stays locked while `beforeDelete`
   * runs, so no run can be created for it meanwhile; if it throws, nothing is deleted.
   */
  async deleteUnlessActive(
    datasetId: string,
    beforeDelete: () => Promise<void>,
  ): Promise<{ deleted: true } | { deleted: false; activeRuns: Pick<RunRow, 'id' | 'status'>[] }> {
    return this.knex.transaction(async (trx) => {
      await trx<DatasetRow>(Tables.datasets).where({ id: datasetId }).forUpdate().first();
      const activeRuns = await trx<RunRow>(Tables.runs)
        .where({ dataset_id: datasetId })
        .whereIn('status', ['queued', 'running'])
        .select('id', 'status');
      if (activeRuns.length) return { deleted: false as const, activeRuns };
      await beforeDelete();
      await trx<DatasetRow>(Tables.datasets).where({ id: datasetId }).delete();
      return { deleted: true as const };
    });
  }

  /** The profile snapshot of the dataset's newest run that has one (by the (dataset_id, created_at) index). */
  async latestProfile(
    datasetId: string,
  ): Promise<Pick<RunRow, 'id' | 'created_at' | 'finished_at' | 'profile'> | null> {
    const row = await this.knex<RunRow>(Tables.runs)
      .where({ dataset_id: datasetId })
      .whereNotNull('profile')
      .orderBy('created_at', 'desc')
      .first('id', 'created_at', 'finished_at', 'profile');
    return row ?? null;
  }

  /** The dataset's lineage from its latest build, or null before its first one. */
  async lineage(datasetId: string): Promise<DatasetLineageRow['lineage'] | null> {
    const row = await this.knex<DatasetLineageRow>(Tables.datasetLineage).where({ dataset_id: datasetId }).first();
    return row?.lineage ?? null;
  }

  private async insertDataset(trx: Knex.Transaction, name: string, version: NewVersion): Promise<DatasetRow | null> {
    const [dataset] = await trx<DatasetRow>(Tables.datasets)
      .insert({ name, source_type: version.source, source_url: version.sourceUrl })
      .onConflict('name')
      .ignore()
      .returning('*');
    return dataset ?? null;
  }

  private async findVersion(id: string | null): Promise<DatasetVersionRow | null> {
    if (!id) return null;
    return (await this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id }).first()) ?? null;
  }
}

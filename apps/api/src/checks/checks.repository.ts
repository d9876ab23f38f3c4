import { Inject, Injectable } from '@nestjs/common';
import {
  Tables,
  type DatasetCheckRow,
  type DatasetRow,
  type DatasetVersionRow,
  type Knex,
  type RunNodeResultRow,
  type RunRow,
  type StagedColumn,
} from '@relayboard/db';
import { KNEX } from '../core/tokens';

export interface DatasetColumns {
  id: string;
  name: string;
  /** Null until a run staged the dataset's current version. */
  columns: StagedColumn[] | null;
}

export type CheckResultRow = Pick<RunNodeResultRow, 'check_id' | 'run_id' | 'status' | 'failures' | 'message'> & {
  at: Date;
};

export type NewCheck = Pick<DatasetCheckRow, 'dataset_id' | 'name' | 'kind' | 'column_name' | 'severity' | 'config'>;

@Injectable()
export class ChecksRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async findDataset(name: string): Promise<DatasetColumns | null> {
    const row = await this.knex<DatasetRow>(`${Tables.datasets} as d`)
      .leftJoin<DatasetVersionRow>(`${Tables.datasetVersions} as v`, 'v.id', 'd.current_version_id')
      .where('d.name', name)
      .first('d.id', 'd.name', 'v.columns');
    return row
      ? { id: row.id, name: row.name, columns: (row as { columns: StagedColumn[] | null }).columns ?? null }
      : null;
  }

  list(datasetId: string): Promise<DatasetCheckRow[]> {
    return this.knex<DatasetCheckRow>(Tables.datasetChecks)
      .where({ dataset_id: datasetId })
      .orderBy('created_at')
      .orderBy('name');
  }

  /** The new check, or null when the dataset already declares a check with that name. */
  async create(check: NewCheck): Promise<DatasetCheckRow | null> {
    const [row] = await this.knex<DatasetCheckRow>(Tables.datasetChecks)
      .insert({ ...check, config: JSON.stringify(check.config) as unknown as DatasetCheckRow['config'] })
      .onConflict(['dataset_id', 'name'])
      .ignore()
      .returning('*');
    return row ?? null;
  }

  findByName(datasetId: string, name: string): Promise<DatasetCheckRow | undefined> {
    return this.knex<DatasetCheckRow>(Tables.datasetChecks).where({ dataset_id: datasetId, name }).first();
  }

  async delete(datasetId: string, id: string): Promise<boolean> {
    return (await this.knex<DatasetCheckRow>(Tables.datasetChecks).where({ dataset_id: datasetId, id }).delete()) > 0;
  }

  /** Each check's result in the most recent run that ran its test. */
  async lastResults(checkIds: string[]): Promise<CheckResultRow[]> {
    if (!checkIds.length) return [];
    return this.knex<RunNodeResultRow>(`${Tables.runNodeResults} as n`)
      .join<RunRow>(`${Tables.runs} as r`, 'r.id', 'n.run_id')
      .whereIn('n.check_id', checkIds)
      .distinctOn('n.check_id')
      .select(
        'n.check_id',
        'n.run_id',
        'n.status',
        'n.failures',
        'n.message',
        this.knex.raw('coalesce(r.finished_at, r.created_at) as at'),
      )
      .orderBy([{ column: 'n.check_id' }, { column: 'n.id', order: 'desc' }]);
  }
}

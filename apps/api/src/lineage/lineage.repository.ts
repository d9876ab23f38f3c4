import { Inject, Injectable } from '@nestjs/common';
import {
  Tables,
  type DatasetLineageRow,
  type DatasetRow,
  type Knex,
  type RunNodeResultRow,
  type RunRow,
} from '@relayboard/db';
import { KNEX } from '../core/tokens';

export type LineageWithRun = DatasetLineageRow & { finished_at: Date | null };

@Injectable()
export class LineageRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  findDataset(name: string): Promise<Pick<DatasetRow, 'id' | 'name'> | undefined> {
    return this.knex<DatasetRow>(Tables.datasets).where({ name }).first('id', 'name');
  }

  async find(datasetId: string): Promise<LineageWithRun | null> {
    const row = await this.knex<DatasetLineageRow>(`${Tables.datasetLineage} as l`)
      .leftJoin<RunRow>(`${Tables.runs} as r`, 'r.id', 'l.run_id')
      .where('l.dataset_id', datasetId)
      .first('l.*', 'r.finished_at');
    return (row as LineageWithRun | undefined) ?? null;
  }

  /** Status of each node the run built or tested, by dbt unique_id. */
  async nodeStatuses(runId: string): Promise<Map<string, string>> {
    const rows = await this.knex<RunNodeResultRow>(Tables.runNodeResults)
      .where({ run_id: runId })
      .select('unique_id', 'status');
    return new Map(rows.map((r) => [r.unique_id, r.status]));
  }
}

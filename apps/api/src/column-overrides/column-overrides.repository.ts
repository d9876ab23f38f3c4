import { Inject, Injectable } from '@nestjs/common';
import {
  Tables,
  type DatasetColumnOverrideRow,
  type DatasetRow,
  type DatasetVersionRow,
  type Knex,
  type StagedColumn,
} from '@relayboard/db';
import { KNEX } from '../core/tokens';

/** The only door to relayboard.dataset_column_overrides. */
@Injectable()
export class ColumnOverridesRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async datasetId(name: string): Promise<string | null> {
    return (await this.knex<DatasetRow>(Tables.datasets).where({ name }).first('id'))?.id ?? null;
  }

  /**
   * The columns of the dataset's newest staged version: the current one once a run
   * staged it, else the one before (a new upload is not staged until its run). Null
   * when no version was ever staged.
   */
  async stagedColumns(datasetId: string): Promise<{ versionId: string; columns: StagedColumn[] } | null> {
    const row = await this.knex<DatasetVersionRow>(`${Tables.datasetVersions} as v`)
      .join(`${Tables.datasets} as d`, 'd.id', 'v.dataset_id')
      .where('v.dataset_id', datasetId)
      .whereNotNull('v.columns')
      .orderByRaw('(v.id = d.current_version_id) desc, v.fetched_at desc')
      .first('v.id', 'v.columns');
    return row?.columns ? { versionId: row.id, columns: row.columns } : null;
  }

  async list(datasetId: string): Promise<DatasetColumnOverrideRow[]> {
    return this.knex<DatasetColumnOverrideRow>(Tables.datasetColumnOverrides)
      .where({ dataset_id: datasetId })
      .orderBy('column_name');
  }

  /** Replaces the whole set in one transaction: a reader sees the old set or the new one, never a mix. */
  async replace(
    datasetId: string,
    overrides: Record<string, DatasetColumnOverrideRow['override']>,
    tokenId: string | null,
  ): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx(Tables.datasetColumnOverrides).where({ dataset_id: datasetId }).delete();
      const rows = Object.entries(overrides).map(([column, override]) => ({
        dataset_id: datasetId,
        column_name: column,
        override: JSON.stringify(override),
        updated_by_token_id: tokenId,
      }));
      if (rows.length) await trx(Tables.datasetColumnOverrides).insert(rows);
    });
  }
}

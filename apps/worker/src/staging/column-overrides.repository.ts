import { Tables, type DatasetColumnOverrideRow, type Knex } from '@relayboard/db';

/** The worker's read of relayboard.dataset_column_overrides (the api writes them). */
export class ColumnOverridesRepository {
  constructor(private readonly knex: Knex) {}

  /** The dataset's overrides by column name, as stored (applyColumnOverrides validates each). */
  async forDataset(datasetId: string): Promise<Record<string, unknown>> {
    const rows = await this.knex<DatasetColumnOverrideRow>(Tables.datasetColumnOverrides)
      .where({ dataset_id: datasetId })
      .select('column_name', 'override');
    return Object.fromEntries(rows.map((row) => [row.column_name, row.override]));
  }
}

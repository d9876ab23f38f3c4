import { Inject, Injectable } from '@nestjs/common';
import { Tables, type DatasetRow, type DatasetVersionRow, type Knex } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export interface DatasetWithVersion {
  dataset: DatasetRow;
  version: DatasetVersionRow | null;
}

@Injectable()
export class DatasetsRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async findByName(name: string): Promise<DatasetWithVersion | null> {
    const dataset = await this.knex<DatasetRow>(Tables.datasets).where({ name }).first();
    if (!dataset) return null;
    return { dataset, version: await this.findVersion(dataset.current_version_id) };
  }

  async list(): Promise<DatasetWithVersion[]> {
    const datasets = await this.knex<DatasetRow>(Tables.datasets).orderBy('name');
    const ids = datasets.map((d) => d.current_version_id).filter((id): id is string => id !== null);
    const versions = ids.length ? await this.knex<DatasetVersionRow>(Tables.datasetVersions).whereIn('id', ids) : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    return datasets.map((dataset) => ({ dataset, version: dataset.current_version_id ? (byId.get(dataset.current_version_id) ?? null) : null }));
  }

  /** Creates the dataset and its first version in one transaction; null when the name is taken. */
  async createWithVersion(input: {
    name: string;
    sourceType: 'url' | 'upload';
    sourceUrl: string | null;
    sha256: string;
    sizeBytes: number;
    objectKey: string;
  }): Promise<DatasetWithVersion | null> {
    return this.knex.transaction(async (trx) => {
      const [dataset] = await trx<DatasetRow>(Tables.datasets)
        .insert({ name: input.name, source_type: input.sourceType, source_url: input.sourceUrl })
        .onConflict('name')
        .ignore()
        .returning('*');
      if (!dataset) return null;
      const [version] = await trx<DatasetVersionRow>(Tables.datasetVersions)
        .insert({
          dataset_id: dataset.id,
          sha256: input.sha256,
          size_bytes: String(input.sizeBytes),
          object_key: input.objectKey,
          source_url: input.sourceUrl,
        })
        .returning('*');
      const [updated] = await trx<DatasetRow>(Tables.datasets)
        .where({ id: dataset.id })
        .update({ current_version_id: version.id, updated_at: trx.fn.now() as unknown as Date })
        .returning('*');
      return { dataset: updated, version };
    });
  }

  private async findVersion(id: string | null): Promise<DatasetVersionRow | null> {
    if (!id) return null;
    return (await this.knex<DatasetVersionRow>(Tables.datasetVersions).where({ id }).first()) ?? null;
  }
}

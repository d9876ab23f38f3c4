import type { Dataset, DatasetVersion } from '@relayboard/contracts';
import type { DatasetVersionRow } from '@relayboard/db';
import type { DatasetWithVersion } from './datasets.repository';

const count = (value: string | null) => (value === null ? null : Number(value));

export function toDatasetVersionDto(row: DatasetVersionRow): DatasetVersion {
  return {
    id: row.id,
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    objectKey: row.object_key,
    source: row.source,
    sourceUrl: row.source_url,
    fetchedAt: row.fetched_at.toISOString(),
    unchanged: row.unchanged,
    rows: count(row.row_count),
    dialect: row.dialect ?? null,
    columns: row.columns ?? null,
    schemaChanges: row.schema_changes ?? null,
    rejectedRows: count(row.rejected_rows),
  };
}

export function toDatasetDto({ dataset, version, lastRun }: DatasetWithVersion): Dataset {
  return {
    id: dataset.id,
    name: dataset.name,
    sourceType: dataset.source_type,
    sourceUrl: dataset.source_url,
    createdAt: dataset.created_at.toISOString(),
    currentVersion: version ? toDatasetVersionDto(version) : null,
    dbtDisabled:
      dataset.dbt_disabled_reason === null
        ? null
        : { reason: dataset.dbt_disabled_reason, at: (dataset.dbt_disabled_at ?? dataset.updated_at).toISOString(), runId: dataset.dbt_disabled_by_run_id },
    owners: dataset.owners ?? [],
    lastRun: lastRun
      ? { id: lastRun.id, status: lastRun.status, deliveryStatus: lastRun.delivery_status ?? null, createdAt: lastRun.created_at.toISOString(), finishedAt: lastRun.finished_at?.toISOString() ?? null }
      : null,
  };
}

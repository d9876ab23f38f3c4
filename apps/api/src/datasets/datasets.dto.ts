import type { ColumnProfile, Dataset, DatasetProfile, DatasetVersion } from '@relayboard/contracts';
import type { DatasetVersionRow, RunRow } from '@relayboard/db';
import { toScheduleSummaryDto } from '../schedules/schedules.dto';
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

export function toDatasetDto({ dataset, version, lastRun, schedule }: DatasetWithVersion): Dataset {
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
        : {
            reason: dataset.dbt_disabled_reason,
            at: (dataset.dbt_disabled_at ?? dataset.updated_at).toISOString(),
            runId: dataset.dbt_disabled_by_run_id,
          },
    owners: dataset.owners ?? [],
    lastRun: lastRun
      ? {
          id: lastRun.id,
          status: lastRun.status,
          deliveryStatus: lastRun.delivery_status ?? null,
          createdAt: lastRun.created_at.toISOString(),
          finishedAt: lastRun.finished_at?.toISOString() ?? null,
        }
      : null,
    schedule: schedule ? toScheduleSummaryDto(schedule) : null,
  };
}

const number = (value: unknown) => (value === null || value === undefined || value === '' ? 0 : Number(value));
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** A run's profile snapshot (rows of <name>__profile as pg returned them: counts as strings) as the api answers it. */
export function toDatasetProfileDto(
  run: Pick<RunRow, 'id' | 'created_at' | 'finished_at' | 'profile'> | null,
): DatasetProfile {
  if (!run?.profile) return { runId: null, profiledAt: null, columns: [] };
  const columns = run.profile.map((row): ColumnProfile => {
    const rows = number(row.row_count);
    const nulls = number(row.null_count);
    return {
      column: String(row.column_name),
      originalName: text(row.original_name),
      type: String(row.column_type),
      rows,
      nulls,
      nullShare: rows > 0 ? nulls / rows : null,
      distinct: number(row.distinct_count),
      castFailures: number(row.cast_failures),
      min: text(row.min_number ?? row.min_date),
      max: text(row.max_number ?? row.max_date),
    };
  });
  return { runId: run.id, profiledAt: (run.finished_at ?? run.created_at).toISOString(), columns };
}

import type { ColumnOverride, ColumnOverrides } from '@relayboard/contracts';
import type { DatasetColumnOverrideRow } from '@relayboard/db';

export function toColumnOverridesDto(datasetName: string, rows: DatasetColumnOverrideRow[]): ColumnOverrides {
  const newest = rows.reduce<DatasetColumnOverrideRow | null>(
    (latest, row) => (latest === null || row.updated_at > latest.updated_at ? row : latest),
    null,
  );
  return {
    datasetName,
    columns: Object.fromEntries(rows.map((row) => [row.column_name, row.override as ColumnOverride])),
    updatedAt: newest?.updated_at.toISOString() ?? null,
    updatedByTokenId: newest?.updated_by_token_id ?? null,
  };
}

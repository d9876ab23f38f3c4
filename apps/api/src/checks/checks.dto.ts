import type { Check } from '@relayboard/contracts';
import type { DatasetCheckRow } from '@relayboard/db';
import type { CheckResultRow } from './checks.repository';

export function toCheckDto(row: DatasetCheckRow, dataset: string, result: CheckResultRow | undefined): Check {
  return {
    id: row.id,
    dataset,
    name: row.name,
    kind: row.kind,
    column: row.column_name,
    severity: row.severity,
    ...row.config,
    createdAt: row.created_at.toISOString(),
    lastResult: result
      ? {
          runId: result.run_id,
          status: result.status,
          failures: result.failures === null ? null : Number(result.failures),
          message: result.message,
          at: result.at.toISOString(),
        }
      : null,
  };
}

import type { Run, RunDelivery, RunEvent, RunNode, RunStep, RunSummary } from '@relayboard/contracts';
import type { RunEventRow, RunNodeResultRow, RunStepRow } from '@relayboard/db';
import type { DeliveryWithDestination, RunWithDataset } from './runs.repository';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRunSummaryDto(row: RunWithDataset): RunSummary {
  return {
    id: row.id,
    datasetName: row.dataset_name,
    status: row.status,
    trigger: row.trigger,
    refresh: row.refresh,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    deliveryStatus: row.delivery_status ?? null,
    rows: row.stage_rows === null || row.stage_rows === undefined ? null : Number(row.stage_rows),
    cancelRequestedAt: iso(row.cancel_requested_at ?? null),
    cancelReason: row.cancel_reason ?? null,
    retries: row.retry_generation ?? 0,
    waitingFor:
      row.status === 'queued' && row.waiting_reason
        ? {
            runId: row.waiting_for_run_id ?? null,
            reason: row.waiting_reason,
            since: (row.waiting_since ?? row.created_at).toISOString(),
          }
        : null,
  };
}

function toDeliveryDto(row: DeliveryWithDestination): RunDelivery {
  return {
    destinationId: row.destination_id,
    destinationName: row.destination_name,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    error: row.error,
    skipReason: row.skip_reason,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function toEventDto(row: RunEventRow): RunEvent {
  return {
    id: Number(row.id),
    step: (row.step as RunEvent['step']) ?? null,
    level: row.level,
    message: row.message,
    data: row.data,
    createdAt: row.created_at.toISOString(),
  };
}

function toNodeDto(row: RunNodeResultRow): RunNode {
  return {
    uniqueId: row.unique_id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    rowsAffected: row.rows_affected === null ? null : Number(row.rows_affected),
    executionTime: row.execution_time,
    failures: row.failures === null ? null : Number(row.failures),
    message: row.message,
    checkId: row.check_id,
    samples: row.samples ?? [],
    startedAt: iso(row.started_at ?? null),
    completedAt: iso(row.completed_at ?? null),
  };
}

export function toStepDtos(steps: RunStepRow[]): RunStep[] {
  return steps.map((s) => ({
    name: s.name,
    status: s.status,
    startedAt: iso(s.started_at),
    finishedAt: iso(s.finished_at),
    metrics: s.metrics ?? {},
    error: s.error,
  }));
}

export function toRunDto(
  row: RunWithDataset,
  steps: RunStepRow[],
  events: RunEventRow[],
  nodes: RunNodeResultRow[] = [],
  deliveries: DeliveryWithDestination[] = [],
): Run {
  return {
    ...toRunSummaryDto(row),
    datasetVersionId: row.dataset_version_id,
    steps: toStepDtos(steps),
    events: events.map(toEventDto).reverse(),
    nodes: nodes.map(toNodeDto),
    deliveries: deliveries.map(toDeliveryDto),
  };
}

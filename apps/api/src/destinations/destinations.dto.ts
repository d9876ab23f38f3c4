import type { Destination } from '@relayboard/contracts';
import type { DestinationWithDelivery } from './destinations.repository';

export function toDestinationDto({ row, lastDelivery }: DestinationWithDelivery): Destination {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    webhookUrlMasked: row.webhook_masked ?? '••••',
    datasets: row.datasets,
    notifyOn: row.notify_on,
    rowChangeThreshold: row.row_change_threshold,
    suppressHours: row.suppress_hours,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastDelivery: lastDelivery && {
      runId: lastDelivery.run_id,
      status: lastDelivery.status,
      responseStatus: lastDelivery.response_status,
      responseBody: lastDelivery.response_body,
      error: lastDelivery.error,
      skipReason: lastDelivery.skip_reason,
      at: (lastDelivery.finished_at ?? lastDelivery.attempted_at).toISOString(),
    },
  };
}

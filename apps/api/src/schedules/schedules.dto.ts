import type { DatasetSchedule, DatasetScheduleSummary } from '@relayboard/contracts';
import type { DatasetScheduleRow } from '@relayboard/db';
import { nextRunAt } from '@relayboard/queue';
import type { ScheduleWithDataset } from './schedules.repository';

/** The schedule as the dataset's read shows it; the next run time comes from the cron (BullMQ's parser), so reads need no Redis. */
export function toScheduleSummaryDto(
  row: Pick<DatasetScheduleRow, 'cron' | 'timezone' | 'paused' | 'always_run'>,
  now = new Date(),
): DatasetScheduleSummary {
  return {
    cron: row.cron,
    timezone: row.timezone,
    paused: row.paused,
    alwaysRun: row.always_run,
    nextRunAt: row.paused ? null : (nextRunAt(row.cron, row.timezone, now)?.toISOString() ?? null),
  };
}

export function toScheduleDto(row: ScheduleWithDataset): DatasetSchedule {
  return {
    datasetName: row.dataset_name,
    ...toScheduleSummaryDto(row),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

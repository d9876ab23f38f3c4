import { z } from 'zod';
import { strictRequest } from './strict';

/**
 * `PUT /v1/datasets/:name/schedule` creates or replaces the dataset's schedule.
 * `cron`: five fields (minute hour day-of-month month day-of-week), or six with
 * seconds in front, or an alias such as `@daily`, read in `timezone` (an IANA
 * name such as `Europe/Paris` or `UTC`). `alwaysRun` (default false): run even
 * when the source did not change (URL datasets) or there is nothing to fetch
 * (uploaded datasets); otherwise such a scheduled run ends `skipped`.
 * The api checks both with BullMQ's own cron parser and answers 400 naming the field.
 */
export const putDatasetScheduleRequestSchema = strictRequest({
  cron: z.string().trim().min(1).max(200),
  timezone: z.string().trim().min(1).max(64),
  alwaysRun: z.boolean().optional(),
});
export type PutDatasetScheduleRequest = z.infer<typeof putDatasetScheduleRequestSchema>;

/** `POST /v1/datasets/:name/schedule/pause` and `/resume` take no fields; the body may be left out. */
export const scheduleActionRequestSchema = strictRequest({});

/** A dataset's schedule as the dataset's read shows it. */
export const datasetScheduleSummarySchema = z.object({
  cron: z.string(),
  timezone: z.string(),
  paused: z.boolean(),
  alwaysRun: z.boolean(),
  /** When the schedule fires next (ISO 8601, UTC), computed from the cron in its time zone; null while paused. */
  nextRunAt: z.string().nullable(),
});
export type DatasetScheduleSummary = z.infer<typeof datasetScheduleSummarySchema>;

/** `GET /v1/datasets/:name/schedule` (404 schedule_not_found when the dataset has none). */
export const datasetScheduleSchema = datasetScheduleSummarySchema.extend({
  datasetName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DatasetSchedule = z.infer<typeof datasetScheduleSchema>;

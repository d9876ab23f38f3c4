import { z } from 'zod';
import { datasetNameSchema } from './names';
import { strictRequest } from './strict';

/** skipped: a scheduled run that had nothing new to load (its source was unchanged, or the dataset is uploaded), unless its schedule says alwaysRun. */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'skipped'] as const;
/** Statuses a run ends in. */
export const FINAL_RUN_STATUSES = ['succeeded', 'failed', 'canceled', 'skipped'] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const STEP_NAMES = ['fetch', 'stage', 'transform', 'deliver'] as const;
export const stepNameSchema = z.enum(STEP_NAMES);
export type StepName = z.infer<typeof stepNameSchema>;

/** canceled: the step a cancel request stopped (the steps after it are skipped). */
export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled'] as const;
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const runPipelineRequestSchema = strictRequest({
  datasetName: datasetNameSchema,
  /** Fetch the dataset's URL again and run the new version (URL datasets only). */
  refresh: z.boolean().optional(),
  /** Create a new run even when the dataset already has one queued (by default that run is returned, 200 with existing: true). */
  force: z.boolean().optional(),
});
export type RunPipelineRequest = z.infer<typeof runPipelineRequestSchema>;

/**
 * `POST /v1/pipelines/run`'s answer: 202 with `existing: false` for a new run; 200 with
 * `existing: true` when the dataset already had a queued run that does what was asked
 * (a refresh request is only met by a queued refresh run) and `force` was not set.
 */
export const runAcceptedSchema = z.object({ runId: z.string(), status: runStatusSchema, existing: z.boolean() });
export type RunAccepted = z.infer<typeof runAcceptedSchema>;

/**
 * The `Idempotency-Key` header of `POST /v1/pipelines/run` (draft-ietf-httpapi-idempotency-key-header):
 * a Structured Field string (`"..."`, a bare token is taken too) of 1 to 255 visible ASCII
 * characters without quotes or backslashes; a UUID is a good choice.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/;
/** How long a key's answer is replayed. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

/** The key an Idempotency-Key header carries (its quotes taken off), or null when the header is not a valid one. */
export function parseIdempotencyKey(header: string): string | null {
  const value = header.trim();
  const key = value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  return IDEMPOTENCY_KEY_PATTERN.test(key) ? key : null;
}

/** `POST /v1/runs/:id/cancel`: why (kept with the run, shown on the board). The body may be left out. */
export const cancelRunRequestSchema = strictRequest({
  reason: z.string().trim().min(1).max(500).optional(),
});
export type CancelRunRequest = z.infer<typeof cancelRunRequestSchema>;

/** `POST /v1/runs/:id/retry` takes no fields; the body may be left out. */
export const retryRunRequestSchema = strictRequest({});
export type RetryRunRequest = z.infer<typeof retryRunRequestSchema>;

export const stepMetricsSchema = z.record(z.string(), z.union([z.number(), z.string()]));
export type StepMetrics = z.infer<typeof stepMetricsSchema>;

export const runStepSchema = z.object({
  name: stepNameSchema,
  status: stepStatusSchema,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  metrics: stepMetricsSchema,
  error: z.string().nullable(),
});
export type RunStep = z.infer<typeof runStepSchema>;

export const runEventSchema = z.object({
  id: z.number(),
  step: stepNameSchema.nullable(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});
export type RunEvent = z.infer<typeof runEventSchema>;

export const DELIVERY_STATUSES = ['none', 'delivered', 'partial', 'failed', 'unknown'] as const;

/** One destination's delivery of the run's digest. */
export const runDeliverySchema = z.object({
  destinationId: z.string(),
  destinationName: z.string().nullable(),
  /** sending (a post in flight), sent, failed, skipped (routing or notify-on), suppressed (suppression interval), unknown (may have been delivered). */
  status: z.enum(['sending', 'sent', 'failed', 'skipped', 'suppressed', 'unknown']),
  attempts: z.number(),
  responseStatus: z.number().nullable(),
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  skipReason: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RunDelivery = z.infer<typeof runDeliverySchema>;

export const runSummarySchema = z.object({
  id: z.string(),
  datasetName: z.string(),
  status: runStatusSchema,
  trigger: z.string(),
  refresh: z.boolean(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /**
   * Whether the digest reached Slack, apart from whether the data was published:
   * none (no destination was due one), delivered, partial, failed, unknown (a
   * worker died while Slack answered: it may have been delivered); null until deliver ran.
   */
  deliveryStatus: z.enum(DELIVERY_STATUSES).nullable(),
  /** Rows the stage step loaded (null before it did). */
  rows: z.number().nullable(),
  /** When a cancel was asked for (a running run stops within about a second), and why. */
  cancelRequestedAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  /** 0 for the first outcome; one more for each POST /v1/runs/:id/retry. */
  retries: z.number(),
  /**
   * Set while a queued run waits for its dataset (runs of one dataset take turns):
   * the run holding the dataset (null when a delete or another session holds it),
   * why, in words, and since when. The waiting run holds no worker slot; null otherwise.
   */
  waitingFor: z.object({ runId: z.string().nullable(), reason: z.string(), since: z.string() }).nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** One dbt node of the run's build (model, test, ...), from dbt's run_results.json. */
export const runNodeSchema = z.object({
  uniqueId: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.string(),
  rowsAffected: z.number().nullable(),
  executionTime: z.number(),
  failures: z.number().nullable(),
  message: z.string().nullable(),
  /** The declared check this test implements. */
  checkId: z.string().nullable(),
  /** A few failing rows of a failed or warned test. */
  samples: z.array(z.string()),
  /** When dbt started and finished the node (the span of its timing entries in run_results.json, compile to execute); null when it did not run. */
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export type RunNode = z.infer<typeof runNodeSchema>;

export const runSchema = runSummarySchema.extend({
  datasetVersionId: z.string().nullable(),
  steps: z.array(runStepSchema),
  events: z.array(runEventSchema),
  nodes: z.array(runNodeSchema).optional(),
  deliveries: z.array(runDeliverySchema),
});
export type Run = z.infer<typeof runSchema>;

/** `GET /v1/runs/:id/digest`: the Slack message rendered for the run (Block Kit `blocks` and `text`), null before deliver ran. */
export const runDigestSchema = z.object({
  runId: z.string(),
  digest: z.object({ text: z.string(), blocks: z.array(z.record(z.string(), z.unknown())) }).nullable(),
});
export type RunDigest = z.infer<typeof runDigestSchema>;

export const listRunsQuerySchema = strictRequest({
  datasetName: datasetNameSchema.optional(),
  status: runStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** nextCursor of the previous page: the runs older than it. Leave out for the first page. */
  cursor: z.string().max(500).optional(),
  /** prevCursor of a page: the `limit` runs just newer than it (the page before). */
  before: z.string().max(500).optional(),
}).refine((query) => query.cursor === undefined || query.before === undefined, {
  path: ['before'],
  message: 'cannot be combined with cursor: page either older (cursor) or newer (before)',
});
export type ListRunsQuery = z.infer<typeof listRunsQuerySchema>;

/**
 * Newest first. `nextCursor` (older runs) is null on the last page; `prevCursor`
 * (newer runs, passed as `before`) is null on the first page.
 */
export const runListSchema = z.object({
  runs: z.array(runSummarySchema),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});
export type RunList = z.infer<typeof runListSchema>;

/** Filters of `GET /v1/runs/events`; a run is sent when its summary, as it is now, matches them. */
export const runChangesQuerySchema = strictRequest({
  datasetName: datasetNameSchema.optional(),
  status: runStatusSchema.optional(),
});
export type RunChangesQuery = z.infer<typeof runChangesQuerySchema>;

/**
 * `GET /v1/runs/events` is a server-sent event stream of every run's changes:
 * a `run` message (this shape, a RunSummary) whenever a run is created or its
 * summary changes (status, times, rows, error, delivery status), for the runs
 * matching the filters: `datasetName` by the run's dataset, `status` by the
 * run's status after the change or before it (so a subscriber also sees a run
 * leave the status). Changes close together are sent once, as the latest summary. Comments (`: keep-alive`) come every 15 s so proxies keep the stream
 * open. It sends no backlog: read `GET /v1/runs` first, then apply the messages.
 */
export const runChangeMessageSchema = runSummarySchema;
export type RunChangeMessage = z.infer<typeof runChangeMessageSchema>;

/**
 * `GET /v1/runs/:id/events` is a server-sent event stream: `run-event` messages
 * (a RunEvent, with the event's id as the message id, so a reconnecting client
 * resumes after it with Last-Event-ID) and `run` messages (this shape) whenever
 * the run or one of its steps changes. The stream ends after the run finished.
 */
export const runStateMessageSchema = z.object({ run: runSummarySchema, steps: z.array(runStepSchema) });
export type RunStateMessage = z.infer<typeof runStateMessageSchema>;

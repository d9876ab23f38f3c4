import { z } from 'zod';
import { datasetNameSchema } from './names';

/** always: every run; failures: failed runs only; changes: failed runs and runs whose data changed (see rowChangeThreshold). */
export const NOTIFY_ON = ['always', 'failures', 'changes'] as const;
export const notifyOnSchema = z.enum(NOTIFY_ON, { error: () => `must be one of ${NOTIFY_ON.join(', ')}` });
export type NotifyOn = z.infer<typeof notifyOnSchema>;

/**
 * The shape only; the host (SLACK_WEBHOOK_HOSTS) and the /services/ path are
 * checked by the api, which knows the allowed hosts.
 */
export const webhookUrlSchema = z
  .string()
  .trim()
  .max(2000, { message: 'is longer than any Slack webhook URL (2000 characters at most)' })
  .url({
    message:
      'must be a Slack incoming webhook URL like https://hooks.slack.com/services/T…/B…/… (Slack app settings, Incoming Webhooks)',
  });

const uniqueList = (list: string[]) => [...new Set(list)];

/** null routes every dataset to the destination; a list routes only those (they need not exist yet). */
export const destinationDatasetsSchema = z
  .array(datasetNameSchema)
  .min(1, { message: 'list at least one dataset name, or send null to route every dataset here' })
  .max(500, { message: 'at most 500 dataset names; send null to route every dataset here' })
  .transform(uniqueList)
  .nullable();

export const rowChangeThresholdSchema = z
  .number({
    error: () => 'must be a number: the share by which a row count must move to count as a change (0.1 = 10%)',
  })
  .min(0, { message: 'must be between 0 and 10 (a share: 0.1 = 10%)' })
  .max(10, { message: 'must be between 0 and 10 (a share: 0.1 = 10%)' });

export const suppressHoursSchema = z
  .number({ error: () => 'must be a number of hours, or null for no suppression' })
  .positive({ message: 'must be more than 0 hours, or null for no suppression' })
  .max(8760, { message: 'must be at most 8760 hours (a year), or null for no suppression' })
  .nullable();

const destinationNameSchema = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(100, { message: 'must be at most 100 characters' });

const ROUTING_FIELDS = ['name', 'webhookUrl', 'datasets', 'notifyOn', 'rowChangeThreshold', 'suppressHours'] as const;
const unknownFields = (issue: { code?: string; keys?: string[] }) =>
  issue.code === 'unrecognized_keys'
    ? `unknown field(s) ${issue.keys?.join(', ')}; a destination has ${ROUTING_FIELDS.join(', ')}`
    : undefined;

export const createSlackDestinationRequestSchema = z.strictObject(
  {
    webhookUrl: webhookUrlSchema,
    name: destinationNameSchema.optional(),
    datasets: destinationDatasetsSchema.optional(),
    notifyOn: notifyOnSchema.optional(),
    rowChangeThreshold: rowChangeThresholdSchema.optional(),
    suppressHours: suppressHoursSchema.optional(),
  },
  { error: unknownFields },
);
export type CreateSlackDestinationRequest = z.infer<typeof createSlackDestinationRequestSchema>;

export const updateDestinationRequestSchema = z
  .strictObject(
    {
      name: destinationNameSchema.optional(),
      webhookUrl: webhookUrlSchema.optional(),
      datasets: destinationDatasetsSchema.optional(),
      notifyOn: notifyOnSchema.optional(),
      rowChangeThreshold: rowChangeThresholdSchema.optional(),
      suppressHours: suppressHoursSchema.optional(),
    },
    { error: unknownFields },
  )
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: `give at least one of ${ROUTING_FIELDS.join(', ')}`,
  });
export type UpdateDestinationRequest = z.infer<typeof updateDestinationRequestSchema>;

/** What relayboard.deliveries records; sending is in flight, unknown is a post a dead worker may or may not have made. */
export const DESTINATION_DELIVERY_STATUSES = ['sending', 'sent', 'failed', 'skipped', 'suppressed', 'unknown'] as const;

export const destinationLastDeliverySchema = z.object({
  runId: z.string(),
  status: z.enum(DESTINATION_DELIVERY_STATUSES),
  /** Slack's HTTP status; null when no answer came (or nothing was posted). */
  responseStatus: z.number().nullable(),
  /** What Slack answered (`ok`, `no_service`, ...). */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  /** Why nothing was posted, for skipped and suppressed. */
  skipReason: z.string().nullable(),
  at: z.string(),
});
export type DestinationLastDelivery = z.infer<typeof destinationLastDeliverySchema>;

export const destinationSchema = z.object({
  id: z.string(),
  kind: z.literal('slack'),
  name: z.string(),
  /** The webhook URL is a secret: only its host, the start of its ids and the last characters of its token are returned. */
  webhookUrlMasked: z.string(),
  /** null: every dataset. */
  datasets: z.array(z.string()).nullable(),
  notifyOn: notifyOnSchema,
  rowChangeThreshold: z.number(),
  suppressHours: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The newest delivery to this destination, or null before its first. */
  lastDelivery: destinationLastDeliverySchema.nullable(),
});
export type Destination = z.infer<typeof destinationSchema>;

export const destinationListSchema = z.object({ destinations: z.array(destinationSchema) });
export type DestinationList = z.infer<typeof destinationListSchema>;

/** What Slack answered a test message: ok only for a 2xx; a connection failure has status null and the error. */
export const destinationTestResultSchema = z.object({
  ok: z.boolean(),
  status: z.number().nullable(),
  body: z.string().nullable(),
  error: z.string().nullable(),
});
export type DestinationTestResult = z.infer<typeof destinationTestResultSchema>;

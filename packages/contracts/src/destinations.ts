import { z } from 'zod';
import { httpUrlSchema } from './datasets';

export const createSlackDestinationRequestSchema = z.object({
  webhookUrl: httpUrlSchema,
  name: z.string().trim().min(1).max(100).optional(),
});
export type CreateSlackDestinationRequest = z.infer<typeof createSlackDestinationRequestSchema>;

export const destinationSchema = z.object({
  id: z.string(),
  kind: z.literal('slack'),
  name: z.string(),
  /** The webhook URL is a secret: only its host and the start of its path are returned. */
  webhookUrlMasked: z.string(),
  createdAt: z.string(),
});
export type Destination = z.infer<typeof destinationSchema>;

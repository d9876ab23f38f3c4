import { z } from 'zod';

/** `GET /health`: liveness only (the process answers); it checks no dependency and is always fast. */
export const livenessSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });
export type Liveness = z.infer<typeof livenessSchema>;

/** `GET /ready`: 200 when every dependency answers, else 503 with each check's result. */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(
    z.string(),
    z.object({ ok: z.boolean(), error: z.string().optional(), version: z.string().optional() }),
  ),
});
export type Health = z.infer<typeof healthSchema>;

import { z } from 'zod';
import { datasetNameSchema } from './names';
import { strictRequest } from './strict';

export const CHECK_KINDS = ['not_null', 'unique', 'accepted_values', 'relationships', 'row_count'] as const;
export const checkKindSchema = z.enum(CHECK_KINDS);
export type CheckKind = z.infer<typeof checkKindSchema>;

/** dbt's severities: a failing `error` check fails the run, a failing `warn` check is reported only. */
export const CHECK_SEVERITIES = ['error', 'warn'] as const;
export const checkSeveritySchema = z.enum(CHECK_SEVERITIES);
export type CheckSeverity = z.infer<typeof checkSeveritySchema>;

const columnSchema = z
  .string()
  .min(1, { message: 'must name a column' })
  .max(63, { message: 'column names are at most 63 bytes' })
  .regex(/^[a-z_][a-z0-9_]*$/, {
    message:
      "must be a column name as Relayboard writes it (lowercase letters, digits and _, not starting with a digit); the dataset's columns are in GET /v1/datasets/:name",
  });
const severity = checkSeveritySchema.default('error');
const bound = z.number().int({ message: 'must be a whole number' }).min(0, { message: 'must be 0 or more' });

export const createCheckRequestSchema = z.discriminatedUnion(
  'kind',
  [
    strictRequest({ kind: z.literal('not_null'), column: columnSchema, severity }),
    strictRequest({ kind: z.literal('unique'), column: columnSchema, severity }),
    strictRequest({
      kind: z.literal('accepted_values'),
      column: columnSchema,
      values: z
        .array(z.union([z.string(), z.number(), z.boolean()]).transform(String))
        .min(1, { message: 'list at least one accepted value' })
        .max(1000, { message: 'at most 1000 accepted values' }),
      severity,
    }),
    strictRequest({
      kind: z.literal('relationships'),
      column: columnSchema,
      toDataset: datasetNameSchema,
      toColumn: columnSchema,
      severity,
    }),
    z
      .strictObject({ kind: z.literal('row_count'), min: bound.optional(), max: bound.optional(), severity })
      .refine((c) => c.min !== undefined || c.max !== undefined, { message: 'give min, max or both' })
      .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
        message: 'min must not be greater than max',
        path: ['min'],
      }),
  ],
  { error: () => `kind must be one of ${CHECK_KINDS.join(', ')}` },
);
export type CreateCheckRequest = z.infer<typeof createCheckRequestSchema>;

/** What a check needs beyond its kind and column, as stored. */
export const checkConfigSchema = z.object({
  values: z.array(z.string()).optional(),
  toDataset: z.string().optional(),
  toColumn: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type CheckConfig = z.infer<typeof checkConfigSchema>;

/** The check's test in the dataset's most recent run that built it. */
export const checkResultSchema = z.object({
  runId: z.string(),
  status: z.string(),
  failures: z.number().nullable(),
  message: z.string().nullable(),
  at: z.string(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const checkSchema = checkConfigSchema.extend({
  id: z.string(),
  dataset: z.string(),
  /** The dbt test's name: `<dataset>__<kind>[_<column>]`, unique in the project. */
  name: z.string(),
  kind: checkKindSchema,
  column: z.string().nullable(),
  severity: checkSeveritySchema,
  createdAt: z.string(),
  lastResult: checkResultSchema.nullable(),
});
export type Check = z.infer<typeof checkSchema>;

export const checkListSchema = z.object({ checks: z.array(checkSchema) });
export type CheckList = z.infer<typeof checkListSchema>;

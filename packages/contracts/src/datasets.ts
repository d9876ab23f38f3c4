import { z } from 'zod';
import { datasetNameSchema } from './names';
import { DELIVERY_STATUSES, runStatusSchema } from './runs';
import { datasetScheduleSummarySchema } from './schedules';
import { strictRequest } from './strict';
import { columnDecisionSchema } from './column-types';

export const httpUrlSchema = z
  .string()
  .url({ message: 'must be an absolute http(s) URL' })
  .refine((value) => /^https?:\/\//i.test(value), { message: 'only http and https URLs are accepted' });

export const createCsvDatasetRequestSchema = strictRequest({
  name: datasetNameSchema,
  csvUrl: httpUrlSchema,
});
export type CreateCsvDatasetRequest = z.infer<typeof createCsvDatasetRequestSchema>;

export const VERSION_SOURCES = ['url', 'upload'] as const;

export const stagedColumnSchema = z.object({
  name: z.string(),
  originalName: z.string(),
  type: z.string(),
  /** The type the stage step saw every value fit (the warehouse casts it without checking each value); absent for text and older versions. */
  verifiedType: z.string().optional(),
  /** True when that pass also saw no value start or end with a space: the casts skip trimming (btrim would change nothing). */
  verifiedTrimmed: z.boolean().optional(),
  /** What inference or an override decided beyond the type (issue #15); absent on versions staged before. */
  decision: columnDecisionSchema.optional(),
});
export type StagedColumnDto = z.infer<typeof stagedColumnSchema>;

export const datasetVersionSchema = z.object({
  id: z.string(),
  sha256: z.string(),
  /** Bytes after gzip decompression: what was hashed and what staging reads. */
  sizeBytes: z.number(),
  objectKey: z.string(),
  source: z.enum(VERSION_SOURCES),
  sourceUrl: z.string().nullable(),
  fetchedAt: z.string(),
  /** Same sha256 as the version that was current before this one. */
  unchanged: z.boolean(),
  /** Filled once a run has staged the version. */
  rows: z.number().nullable(),
  dialect: z.record(z.string(), z.unknown()).nullable(),
  columns: z.array(stagedColumnSchema).nullable(),
  schemaChanges: z.unknown(),
  rejectedRows: z.number().nullable(),
});
export type DatasetVersion = z.infer<typeof datasetVersionSchema>;

/** Newest first; `nextCursor` is null on the last page. */
export const datasetVersionListSchema = z.object({
  versions: z.array(datasetVersionSchema),
  nextCursor: z.string().nullable(),
});

export const listDatasetVersionsQuerySchema = strictRequest({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** nextCursor of the previous page; leave out for the first. */
  cursor: z.string().max(500).optional(),
});
export type ListDatasetVersionsQuery = z.infer<typeof listDatasetVersionsQuerySchema>;
export type DatasetVersionList = z.infer<typeof datasetVersionListSchema>;

/** Why a dataset's generated dbt files are out of the project, so they cannot stop other datasets' runs. */
export const datasetDbtDisabledSchema = z.object({
  reason: z.string(),
  at: z.string(),
  /** The run that took it out (a run of another dataset, or its own). */
  runId: z.string().nullable(),
});
export type DatasetDbtDisabled = z.infer<typeof datasetDbtDisabledSchema>;

export const datasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  sourceType: z.enum(['url', 'upload']),
  sourceUrl: z.string().nullable(),
  createdAt: z.string(),
  currentVersion: datasetVersionSchema.nullable(),
  /** Null while the dataset's models are in the dbt project; its next successful run puts them back. */
  dbtDisabled: datasetDbtDisabledSchema.nullable(),
  /** Slack user ids that the dataset's failure digests mention. */
  owners: z.array(z.string()),
  /** The dataset's newest run, or null before its first. */
  lastRun: z
    .object({
      id: z.string(),
      status: runStatusSchema,
      deliveryStatus: z.enum(DELIVERY_STATUSES).nullable(),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
  /** The dataset's cron schedule with its next run time, or null when it has none. */
  schedule: datasetScheduleSummarySchema.nullable(),
});
export type Dataset = z.infer<typeof datasetSchema>;

export const SLACK_USER_ID_PATTERN = /^[UW][A-Z0-9]{2,20}$/;
export const MAX_DATASET_OWNERS = 20;

export const slackUserIdSchema = z.string().regex(SLACK_USER_ID_PATTERN, {
  message:
    "must be a Slack member id like U024BE7LH (in Slack: the person's profile, the ⋮ menu, Copy member ID), not a name or @handle",
});

/** Replaces the owners; an empty list removes them all. */
export const setDatasetOwnersRequestSchema = z.strictObject(
  {
    owners: z
      .array(slackUserIdSchema)
      .transform((owners) => [...new Set(owners)])
      .refine((owners) => owners.length <= MAX_DATASET_OWNERS, { message: `at most ${MAX_DATASET_OWNERS} owners` }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}; the body is { "owners": ["U…", …] }`
        : undefined,
  },
);
export type SetDatasetOwnersRequest = z.infer<typeof setDatasetOwnersRequestSchema>;

/** `DELETE /v1/datasets/:name?force=true` deletes even when people's models ref the dataset. */
export const deleteDatasetQuerySchema = strictRequest({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type DeleteDatasetQuery = z.infer<typeof deleteDatasetQuerySchema>;

/** By name; `nextCursor` is null on the last page. */
export const datasetListSchema = z.object({ datasets: z.array(datasetSchema), nextCursor: z.string().nullable() });

export const listDatasetsQuerySchema = strictRequest({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** nextCursor of the previous page; leave out for the first. */
  cursor: z.string().max(500).optional(),
  /** Only datasets whose name starts with this (lowercase letters, digits and _), for name pickers. */
  prefix: z
    .string()
    .max(48)
    .regex(/^[a-z0-9_]*$/, {
      message: 'a name prefix is lowercase letters, digits and _ (dataset names have nothing else)',
    })
    .optional(),
});
export type ListDatasetsQuery = z.infer<typeof listDatasetsQuerySchema>;
export type DatasetList = z.infer<typeof datasetListSchema>;

/** One column of the dataset's newest profile (dbt model <name>__profile, snapshot kept with the run). */
export const columnProfileSchema = z.object({
  column: z.string(),
  /** The header as the file had it, when known. */
  originalName: z.string().nullable(),
  type: z.string(),
  rows: z.number(),
  nulls: z.number(),
  /** nulls / rows, 0 to 1; null for an empty table. */
  nullShare: z.number().nullable(),
  distinct: z.number(),
  /** Values that were there in the file but did not cast to the column's type (NULL in the warehouse). */
  castFailures: z.number(),
  /** Smallest and largest value of number and date columns, as text. */
  min: z.string().nullable(),
  max: z.string().nullable(),
});
export type ColumnProfile = z.infer<typeof columnProfileSchema>;

/** `GET /v1/datasets/:name/profile`: from the newest run that profiled the dataset; `runId` is null (and no columns) before one did. */
export const datasetProfileSchema = z.object({
  runId: z.string().nullable(),
  profiledAt: z.string().nullable(),
  columns: z.array(columnProfileSchema),
});
export type DatasetProfile = z.infer<typeof datasetProfileSchema>;

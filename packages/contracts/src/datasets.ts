import { z } from 'zod';
import { datasetNameSchema } from './names';

export const httpUrlSchema = z
  .string()
  .url({ message: 'must be an absolute http(s) URL' })
  .refine((value) => /^https?:\/\//i.test(value), { message: 'only http and https URLs are accepted' });

export const createCsvDatasetRequestSchema = z.object({
  name: datasetNameSchema,
  csvUrl: httpUrlSchema,
});
export type CreateCsvDatasetRequest = z.infer<typeof createCsvDatasetRequestSchema>;

export const VERSION_SOURCES = ['url', 'upload'] as const;

export const stagedColumnSchema = z.object({
  name: z.string(),
  originalName: z.string(),
  type: z.string(),
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

export const datasetVersionListSchema = z.object({ versions: z.array(datasetVersionSchema) });
export type DatasetVersionList = z.infer<typeof datasetVersionListSchema>;

export const datasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  sourceType: z.enum(['url', 'upload']),
  sourceUrl: z.string().nullable(),
  createdAt: z.string(),
  currentVersion: datasetVersionSchema.nullable(),
});
export type Dataset = z.infer<typeof datasetSchema>;

export const datasetListSchema = z.object({ datasets: z.array(datasetSchema) });
export type DatasetList = z.infer<typeof datasetListSchema>;

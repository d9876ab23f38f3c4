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

export const datasetVersionSchema = z.object({
  id: z.string(),
  sha256: z.string(),
  sizeBytes: z.number(),
  objectKey: z.string(),
  sourceUrl: z.string().nullable(),
  fetchedAt: z.string(),
  unchanged: z.boolean(),
});
export type DatasetVersion = z.infer<typeof datasetVersionSchema>;

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

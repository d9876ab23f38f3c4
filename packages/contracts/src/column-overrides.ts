import { z } from 'zod';
import { columnOverrideSchema } from './column-types';

/** `GET` and `PUT /v1/datasets/:name/column-overrides`: the dataset's whole set of overrides, which its next run applies. */
export const columnOverridesSchema = z.object({
  datasetName: z.string(),
  /** By column name as Relayboard writes it; {} when the dataset has none. */
  columns: z.record(z.string(), columnOverrideSchema),
  /** When the stored set was written (null: the dataset has none). */
  updatedAt: z.string().nullable(),
  /** The token whose PUT wrote it (null: none stored, AUTH=off, or the token was deleted). */
  updatedByTokenId: z.string().nullable(),
});
export type ColumnOverrides = z.infer<typeof columnOverridesSchema>;

import { z } from 'zod';
import { strictRequest } from './strict';

export const runRejectsQuerySchema = strictRequest({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** nextCursor of the previous page; leave out for the first. */
  cursor: z.string().max(500).optional(),
});
export type RunRejectsQuery = z.infer<typeof runRejectsQuerySchema>;

/** One row staging could not load, as staging.<dataset>__rejects keeps it. */
export const runRejectSchema = z.object({
  /** The physical line of the file the record starts on (1 is the first line, the header if there is one). */
  lineNumber: z.number(),
  reason: z.string(),
  /** The record's text as read, cut to `RAW_REJECT_CHARS` characters. */
  raw: z.string(),
  /** Whether `raw` was cut. */
  rawTruncated: z.boolean(),
});
export type RunReject = z.infer<typeof runRejectSchema>;

/** Characters of a rejected record's raw text an answer carries at most. */
export const RAW_REJECT_CHARS = 2000;

/**
 * Whose rows these are. staging.<dataset>__rejects holds only the dataset's
 * latest load, so an older run's rows are gone once a later run staged again:
 * - `available`: the table holds this run's load (`rejects` are its rows; `total` may be 0);
 * - `replaced`: a later load (`replacedByRunId`) replaced this run's rejects; `total` is what this run counted;
 * - `pending`: this run has not published its load yet;
 * - `not_staged`: this run's stage step failed or was skipped, so it kept no rejects;
 * - `unattributed`: the table was written without the load's run id (before loads were stamped), so it is not shown as this run's.
 */
export const RUN_REJECTS_SOURCES = ['available', 'replaced', 'pending', 'not_staged', 'unattributed'] as const;

/** `GET /v1/runs/:id/rejects`: the run's rejected rows by line number, a page at a time. */
export const runRejectsSchema = z.object({
  runId: z.string(),
  source: z.enum(RUN_REJECTS_SOURCES),
  /** The run whose load replaced this one's (when `source` is `replaced` and the table names it). */
  replacedByRunId: z.string().nullable(),
  /** Where the rows are kept, for a person who wants to query them. */
  table: z.string(),
  rejects: z.array(runRejectSchema),
  /** Rejected records of this run: counted in the table when it holds them, else the stage step's count (null when unknown). */
  total: z.number().nullable(),
  nextCursor: z.string().nullable(),
});
export type RunRejects = z.infer<typeof runRejectsSchema>;

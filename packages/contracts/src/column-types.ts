import { z } from 'zod';
import { strictRequest } from './strict';

/**
 * The types Relayboard gives a staged column (issue #15 extends how a column
 * earns one, not the list). `json` lands as `jsonb` in the warehouse.
 */
export const COLUMN_TYPES = [
  'boolean',
  'bigint',
  'numeric',
  'date',
  'timestamp',
  'timestamptz',
  'uuid',
  'json',
  'text',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/**
 * Values that exports write for "no value" (R's `NA`, Excel's `#N/A`, pandas'
 * `nan`, SQL dumps' `NULL`). Inference reads one as NULL only in a column whose
 * other values all fit a type; in a text column (a city called `NA`) it stays
 * a value. Compared after trimming spaces, case-sensitively.
 */
export const MISSING_VALUE_MARKERS = [
  'NA',
  'N/A',
  'n/a',
  'NULL',
  'null',
  'Null',
  'None',
  'none',
  'nan',
  'NaN',
  'NAN',
  '-',
  '--',
  '.',
  '?',
  '#N/A',
  '#NA',
  '#NULL!',
  '<NA>',
  'missing',
] as const;

/** How the date part of a date or timestamp column is written; `yyyy-mm-dd` is ISO 8601. */
export const DATE_PARTS = [
  'yyyy-mm-dd',
  'yyyy/mm/dd',
  'yyyy.mm.dd',
  'dd.mm.yyyy',
  'dd/mm/yyyy',
  'mm/dd/yyyy',
  'dd-mm-yyyy',
  'mm-dd-yyyy',
] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/** How the time part of a timestamp column is written: 24-hour (`hh`) or 12-hour with am/pm (`hh12 ... am`); seconds may carry a fraction. */
export const TIME_PARTS = ['hh:mi', 'hh:mi:ss', 'hh12:mi am', 'hh12:mi:ss am'] as const;
export type TimePart = (typeof TIME_PARTS)[number];

export const DATE_FORMAT_RULE = `a date format is a date part (${DATE_PARTS.join(', ')}), optionally followed by a space and a time part (${TIME_PARTS.join(', ')})`;

/** `dd/mm/yyyy`, `mm/dd/yyyy hh12:mi am`, ... */
export function isDateFormat(value: string): boolean {
  const space = value.indexOf(' ');
  const date = space === -1 ? value : value.slice(0, space);
  const time = space === -1 ? null : value.slice(space + 1);
  return (
    (DATE_PARTS as readonly string[]).includes(date) &&
    (time === null || (TIME_PARTS as readonly string[]).includes(time))
  );
}
export const dateFormatSchema = z.string().max(40).refine(isDateFormat, { message: DATE_FORMAT_RULE });

/** A number column's separators: `1,234.50` is decimal '.', thousands ','; `1.234,50` is decimal ',', thousands '.'. */
export const numberFormatSchema = z
  .object({
    decimal: z.enum(['.', ',']),
    thousands: z.enum(['', ',', '.', ' ', "'"]),
  })
  .refine((f) => f.decimal !== f.thousands, { message: 'the decimal mark and the thousands separator must differ' });
export type NumberFormat = z.infer<typeof numberFormatSchema>;

/**
 * What Relayboard decided for one column beyond its type, recorded with the
 * version's columns and shown by the api, the run's events, the digest and the
 * board. Versions staged before issue #15 have no decision.
 */
export const columnDecisionSchema = z.object({
  /** Markers read as NULL in the warehouse (staging keeps the raw text), with how many values each replaced. */
  nullMarkers: z.array(z.object({ marker: z.string(), count: z.number().int().nonnegative() })),
  /** The format of a date or timestamp column that is not ISO 8601; null otherwise. */
  dateFormat: dateFormatSchema.nullable(),
  /** The separators of a number column that is not plain `1234.5`; null otherwise. */
  numberFormat: numberFormatSchema.nullable(),
  /** `override`: the dataset's column override set the type or format; `inferred`: the values did. */
  source: z.enum(['inferred', 'override']),
  /** For people: why a column that nearly fit a type stayed text (dates that read both day-first and month-first), or what an override changed. */
  note: z.string().nullable(),
});
export type ColumnDecision = z.infer<typeof columnDecisionSchema>;

/**
 * A person's override for one column, applied by the dataset's next run:
 * a type (with its date or number format), the markers that read as NULL, or
 * `keepText` to keep the column text whatever its values look like.
 */
export const columnOverrideSchema = z
  .strictObject({
    type: z.enum(COLUMN_TYPES).optional(),
    dateFormat: dateFormatSchema.optional(),
    numberFormat: numberFormatSchema.optional(),
    /** Replaces the markers read as NULL in this column; [] reads none. */
    nullMarkers: z.array(z.string().min(1).max(32)).max(32).optional(),
    keepText: z.literal(true).optional(),
  })
  .refine((o) => !(o.keepText && o.type !== undefined && o.type !== 'text'), {
    message: 'keepText and a type other than text contradict each other; send one',
  });
export type ColumnOverride = z.infer<typeof columnOverrideSchema>;

/** `PUT /v1/datasets/:name/column-overrides`: the whole set, keyed by column name as Relayboard writes it. */
export const putColumnOverridesRequestSchema = strictRequest({
  columns: z.record(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a column name as Relayboard writes it'),
    columnOverrideSchema,
  ),
});
export type PutColumnOverridesRequest = z.infer<typeof putColumnOverridesRequestSchema>;

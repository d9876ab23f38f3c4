/**
 * What a staged column's values must all look like for it to get a type. The
 * rules are strict on purpose: a column only gets a type that every value casts
 * to with a plain `value::type`, and that a person would read the same way.
 *
 * - boolean: true/false, t/f, yes/no in any case. 1/0 stay numbers (counts and
 *   flags look alike) and y/n stay text (they are often codes).
 * - bigint: optional sign and digits, within the bigint range; larger whole
 *   numbers are numeric.
 * - numeric: plain decimals (`-1.5`, `.5`, `2.`, `1e6`). Thousands separators
 *   (`1,234`), currency signs, NaN and Infinity stay text.
 * - Numbers with a leading zero (`08123`, `007.5`) stay text: they are codes.
 * - date: ISO `yyyy-mm-dd` only, and a real calendar day. A column that mixes
 *   formats (`2024-01-05`, `01/06/2024`) stays text.
 * - timestamp: ISO date, `T` or space, `hh:mm[:ss[.fraction]]`, no offset; a
 *   column of dates and such timestamps is timestamp.
 * - timestamptz: the same with `Z` or an offset (`+02`, `+0200`, `+02:00`); a
 *   column that mixes timestamps with and without offsets stays text.
 * - uuid: the canonical 8-4-4-4-12 hex form.
 * - json: objects and arrays only (a bare `1` or `"x"` is not json here).
 * - Spaces around a value are ignored and a blank value (`""`, `"  "`) counts
 *   as no value, as in the warehouse casts (dbt/macros/relayboard_casts.sql),
 *   which trim and turn blanks into NULL. Exports that quote every field write
 *   a missing number as `""`.
 * - A column with no values at all (every row NULL or blank) is text.
 */
import { COLUMN_TYPES, type ColumnType } from '@relayboard/contracts';

export { COLUMN_TYPES, type ColumnType };

/** One bit per type; a value's mask has a bit for each type it fits. */
export const TypeBit = {
  boolean: 1,
  bigint: 2,
  numeric: 4,
  date: 8,
  timestamp: 16,
  timestamptz: 32,
  uuid: 64,
  json: 128,
} as const;
export const ANY_TYPE = 255;

/** From most to least specific: the first type left in a column's mask wins. */
const PREFERENCE: Exclude<ColumnType, 'text'>[] = [
  'boolean',
  'bigint',
  'numeric',
  'date',
  'timestamp',
  'timestamptz',
  'uuid',
  'json',
];

/** The shapes a value must have (byteTypeMask in type-tally.ts reads the same shapes from bytes). */
const P = {
  integer: '^[-+]?[0-9]+$',
  decimal: '^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$',
  exponent: '^[-+]?[0-9]+[eE][-+]?[0-9]+$',
  leadingZero: '^[-+]?0[0-9]',
  date: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  timestamp: '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?$',
  timestamptz:
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|z|[-+][0-9]{2}(:?[0-9]{2})?)$',
  boolean: '^(true|false|t|f|yes|no)$',
  uuid: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  jsonStart: '^\\s*[[{]',
} as const;

const R = {
  integer: new RegExp(P.integer),
  decimal: new RegExp(P.decimal),
  exponent: new RegExp(P.exponent),
  leadingZero: new RegExp(P.leadingZero),
  date: new RegExp(P.date),
  timestamp: new RegExp(P.timestamp),
  timestamptz: new RegExp(P.timestamptz),
  boolean: new RegExp(P.boolean, 'i'),
  uuid: new RegExp(P.uuid),
  jsonStart: new RegExp(P.jsonStart),
};

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** PostgreSQL's limits: seconds up to 60 (a leap second), and hour 24 only as 24:00 (the end of the day). */
function isClockTime(value: string): boolean {
  const time = value.slice(11);
  const hours = Number(time.slice(0, 2));
  const minutes = Number(time.slice(3, 5));
  const seconds = time[5] === ':' ? Number(time.slice(6, 8)) : 0;
  const fraction = /^:[0-9]{2}\.[0-9]*[1-9]/.test(time.slice(5));
  if (hours === 24) return minutes === 0 && seconds === 0 && !fraction;
  // 23:59:60.5 would be past the end of the day.
  if (hours === 23 && minutes === 59 && seconds === 60 && fraction) return false;
  return hours <= 23 && minutes <= 59 && seconds <= 60;
}

/** Exponents beyond this stay text: PostgreSQL's numeric limits depend on the digits, and no real column needs them. */
export const MAX_EXPONENT = 1000;

function exponentInRange(value: string): boolean {
  const exponent = /[eE]([-+]?[0-9]+)$/.exec(value);
  return !exponent || Math.abs(Number(exponent[1])) <= MAX_EXPONENT;
}

/** Strings jsonb (the warehouse type) refuses and JSON.parse takes: a NUL or an unpaired surrogate, both written as \\u escapes. */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters jsonb refuses
const JSONB_REFUSES = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether the text is a JSON object or array that jsonb takes. */
function isJsonb(value: string): boolean {
  let ok = true;
  try {
    JSON.parse(value, (key: string, item: unknown) => {
      if (JSONB_REFUSES.test(key) || (typeof item === 'string' && JSONB_REFUSES.test(item))) ok = false;
      return item;
    });
  } catch {
    return false;
  }
  return ok;
}

/** PostgreSQL takes UTC offsets up to 15:59. */
function isOffset(value: string): boolean {
  const offset = /[-+]([0-9]{2}):?([0-9]{2})?$/.exec(value);
  if (!offset) return true;
  return Number(offset[1]) <= 15 && Number(offset[2] ?? 0) <= 59;
}

/** PostgreSQL's btrim(): spaces only. */
function trimSpaces(value: string): string {
  return value.replace(/^ +| +$/g, '');
}

/** The types one value fits, as a mask of TypeBit (NULL and blank fit every type). */
export function typeMask(raw: string | null): number {
  if (raw === null) return ANY_TYPE;
  const value = trimSpaces(raw);
  if (value === '') return ANY_TYPE;
  if (R.integer.test(value)) {
    if (R.leadingZero.test(value)) return 0;
    const n = BigInt(value);
    return n >= BIGINT_MIN && n <= BIGINT_MAX ? TypeBit.bigint | TypeBit.numeric : TypeBit.numeric;
  }
  if (R.decimal.test(value) || R.exponent.test(value))
    return R.leadingZero.test(value) || !exponentInRange(value) ? 0 : TypeBit.numeric;
  if (R.date.test(value)) return isCalendarDate(value) ? TypeBit.date | TypeBit.timestamp : 0;
  if (R.timestamp.test(value)) return isCalendarDate(value) && isClockTime(value) ? TypeBit.timestamp : 0;
  if (R.timestamptz.test(value))
    return isCalendarDate(value) && isClockTime(value) && isOffset(value) ? TypeBit.timestamptz : 0;
  if (R.boolean.test(value)) return TypeBit.boolean;
  if (R.uuid.test(value)) return TypeBit.uuid;
  if (R.jsonStart.test(value)) return isJsonb(value) ? TypeBit.json : 0;
  return 0;
}

/** The type of a column from the AND of its values' masks and its count of values that are not NULL or blank. */
export function typeFromMask(mask: number, nonNullValues: number): ColumnType {
  if (nonNullValues === 0) return 'text';
  return PREFERENCE.find((type) => (mask & TypeBit[type]) !== 0) ?? 'text';
}

/** The type every value fits (what TypeTally infers during the stream, for tests and small samples). */
export function inferType(values: (string | null)[]): ColumnType {
  let mask = ANY_TYPE;
  let nonNull = 0;
  for (const value of values) {
    if (value === null || trimSpaces(value) === '') continue;
    nonNull++;
    mask &= typeMask(value);
    if (mask === 0) return 'text';
  }
  return typeFromMask(mask, nonNull);
}

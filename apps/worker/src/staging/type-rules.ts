/**
 * What a staged column's values must all look like for it to get a type. The
 * rules are strict on purpose: a column only gets a type that every value casts
 * to (after the rewriting the column's decision names: markers to NULL, a date
 * format to ISO, separators dropped), and that a person would read the same way.
 *
 * - boolean: true/false, t/f, yes/no in any case. 1/0 stay numbers (counts and
 *   flags look alike) and y/n stay text (they are often codes).
 * - bigint: optional sign and digits, within the bigint range; larger whole
 *   numbers are numeric.
 * - numeric: plain decimals (`-1.5`, `.5`, `2.`, `1e6`). Currency signs, NaN and
 *   Infinity stay text.
 * - numbers with separators (numeric, with decision.numberFormat): thousands ','
 *   and decimal '.' (`1,234.50`; in a ','-file such values are quoted), or
 *   thousands '.' and decimal ',' (`1.234,50`, `0,5`) only in files whose
 *   delimiter is not ','. Groups are 3 digits. Every value of the column must
 *   read the same way; `1,234` alone reads as 1.234 in a ';'-file and 1234 in
 *   others. In a ';'-file (Excel's where the decimal mark is ',') a column whose
 *   values all read with thousands '.' does (`12`, `1.200` is 12 and 1200);
 *   elsewhere a column of plain numbers stays plain (`1.234` is 1.234).
 * - Numbers with a leading zero (`08123`, `007.5`) stay text: they are codes.
 * - date: ISO `yyyy-mm-dd` and a real calendar day; or, with decision.dateFormat,
 *   one of `yyyy/mm/dd`, `yyyy.mm.dd`, `dd.mm.yyyy`, `dd/mm/yyyy`, `mm/dd/yyyy`,
 *   `dd-mm-yyyy`, `mm-dd-yyyy` (day and month may have one digit). A column
 *   whose values all read both day-first and month-first (`05/06/2024`) stays
 *   text, with a decision.note naming the override to send. A column that
 *   mixes formats (`2024-01-05`, `01/06/2024`) stays text.
 * - timestamp: ISO date, `T` or space, `hh:mm[:ss[.fraction]]`, no offset; or
 *   one of the other date parts, a space and `h[h]:mm[:ss[.fraction]]` (24-hour)
 *   or the same with hours 1-12 and `am`/`pm` (12-hour; not mixed with 24-hour
 *   values). A column of dates and such timestamps of the same date part is
 *   timestamp.
 * - timestamptz: ISO timestamps with `Z` or an offset (`+02`, `+0200`,
 *   `+02:00`); a column that mixes timestamps with and without offsets stays text.
 * - uuid: the canonical 8-4-4-4-12 hex form.
 * - json: objects and arrays only (a bare `1` or `"x"` is not json here).
 * - Spaces around a value are ignored and a blank value (`""`, `"  "`) counts
 *   as no value, as in the warehouse casts (dbt/macros/relayboard_casts.sql),
 *   which trim and turn blanks into NULL. Exports that quote every field write
 *   a missing number as `""`.
 * - Missing-value markers (MISSING_VALUE_MARKERS: `NA`, `N/A`, `NULL`, `None`,
 *   `nan`, `-`, `.`, `#N/A`, ...; compared after trimming spaces) do not count
 *   against a type: when every other value of a column (at least one) fits a
 *   type, the column gets it and its decision.nullMarkers lists the markers and
 *   how many values each stood for; the warehouse reads them as NULL and
 *   staging keeps them. In a column that is text anyway (a city called `NA`)
 *   they stay values.
 * - A column with no values at all (every row NULL, blank or a marker) is text.
 *
 * The rules are written once, on bytes (value-types.ts, which the stream's
 * TypeTally runs); typeMask here runs the same code on a string's bytes.
 */
import { COLUMN_TYPES, MISSING_VALUE_MARKERS, type ColumnType } from '@relayboard/contracts';
import { columnVerdict, type ColumnVerdict } from './type-decisions';
import { ANY_TYPE, BLANK, byteTypeMask, markerIndex, MAX_EXPONENT, TypeBit } from './value-types';

export { ANY_TYPE, COLUMN_TYPES, MAX_EXPONENT, TypeBit, type ColumnType, type ColumnVerdict };

/** The types one value fits, as a mask of TypeBit and the format bits (NULL and blank fit every type). */
export function typeMask(raw: string | null): number {
  if (raw === null) return ANY_TYPE;
  const bytes = Buffer.from(raw, 'utf8');
  const mask = byteTypeMask(bytes, 0, bytes.length);
  return mask === BLANK ? ANY_TYPE : mask;
}

/** The index in MISSING_VALUE_MARKERS of a value that is a missing-value marker, or -1. */
export function markerOf(raw: string): number {
  const bytes = Buffer.from(raw, 'utf8');
  return markerIndex(bytes, 0, bytes.length);
}

/** The type of a column from the AND of its values' masks and whether any value was not NULL, blank or a marker. */
export function typeFromMask(mask: number, nonNullValues: number, delimiter = ','): ColumnType {
  return columnVerdict({ mask, hasValue: nonNullValues > 0, markerCounts: [], delimiter }).type;
}

/** The type and decision every value allows, as TypeTally decides during the stream (for tests and small samples). */
export function inferColumn(values: (string | null)[], delimiter = ','): ColumnVerdict {
  let mask = ANY_TYPE;
  let hasValue = false;
  const markerCounts = new Array<number>(MISSING_VALUE_MARKERS.length).fill(0);
  for (const value of values) {
    if (mask === 0) break;
    const m = typeMask(value);
    if (m === ANY_TYPE) continue;
    if (m === 0) {
      const marker = markerOf(value!);
      if (marker >= 0) {
        markerCounts[marker]++;
        continue;
      }
    }
    hasValue = true;
    mask &= m;
  }
  return columnVerdict({ mask, hasValue, markerCounts, delimiter });
}

/** The type every value fits. */
export function inferType(values: (string | null)[], delimiter = ','): ColumnType {
  return inferColumn(values, delimiter).type;
}

import { MISSING_VALUE_MARKERS, type ColumnDecision, type ColumnType, type NumberFormat } from '@relayboard/contracts';
import { DAY_MONTH_PAIRS, dateBit, NumberBit, OTHER_DATE_PARTS, ts12Bit, ts24Bit, TypeBit } from './value-types';

/** A column's type and what was decided beyond it. */
export interface ColumnVerdict {
  type: ColumnType;
  decision: ColumnDecision;
}

/** What a column's values add up to: the AND of their masks, whether any value was there, and how many times each marker stood in for one. */
export interface ColumnFacts {
  mask: number;
  hasValue: boolean;
  /** Per index of MISSING_VALUE_MARKERS; empty when none was seen. */
  markerCounts: ArrayLike<number>;
  /** The file's delimiter: a decimal comma is read only where the delimiter is not ','. */
  delimiter: string;
}

const PLAIN: [Exclude<ColumnType, 'text'>, number][] = [
  ['boolean', TypeBit.boolean],
  ['bigint', TypeBit.bigint],
  ['numeric', TypeBit.numeric],
];
const LATER: [Exclude<ColumnType, 'text'>, number][] = [
  ['timestamptz', TypeBit.timestamptz],
  ['uuid', TypeBit.uuid],
  ['json', TypeBit.json],
];

function decision(
  type: ColumnType,
  facts: ColumnFacts,
  extra: Partial<Pick<ColumnDecision, 'dateFormat' | 'numberFormat' | 'note'>> = {},
): ColumnVerdict {
  const nullMarkers: ColumnDecision['nullMarkers'] = [];
  if (type !== 'text')
    for (let m = 0; m < facts.markerCounts.length; m++)
      if (facts.markerCounts[m] > 0)
        nullMarkers.push({ marker: MISSING_VALUE_MARKERS[m], count: facts.markerCounts[m] });
  return {
    type,
    decision: {
      nullMarkers,
      dateFormat: extra.dateFormat ?? null,
      numberFormat: extra.numberFormat ?? null,
      source: 'inferred',
      note: extra.note ?? null,
    },
  };
}

const TIME_OF: Record<'date' | 'ts24' | 'ts12', string> = { date: '', ts24: ' hh:mi:ss', ts12: ' hh12:mi:ss am' };
const BIT_OF = { date: dateBit, ts24: ts24Bit, ts12: ts12Bit };

/** The first family of non-ISO date bits left in the mask: its type and format, an ambiguity note, or null. */
function otherDate(facts: ColumnFacts): ColumnVerdict | null {
  for (const family of ['date', 'ts24', 'ts12'] as const) {
    const bit = BIT_OF[family];
    const type = family === 'date' ? 'date' : 'timestamp';
    for (const [dayFirst, monthFirst] of DAY_MONTH_PAIRS) {
      if ((facts.mask & bit(dayFirst)) !== 0 && (facts.mask & bit(monthFirst)) !== 0) {
        const a = OTHER_DATE_PARTS[dayFirst] + TIME_OF[family];
        const b = OTHER_DATE_PARTS[monthFirst] + TIME_OF[family];
        return decision('text', facts, {
          note: `every value reads both day-first (${a}) and month-first (${b}), so the column stays text: send a column override with type ${type} and dateFormat "${a}" or "${b}"`,
        });
      }
    }
    for (let k = 0; k < OTHER_DATE_PARTS.length; k++)
      if ((facts.mask & bit(k)) !== 0)
        return decision(type, facts, { dateFormat: OTHER_DATE_PARTS[k] + TIME_OF[family] });
  }
  return null;
}

/**
 * A column's type from what its values add up to. From most to least
 * specific: boolean, bigint, numeric, numbers with separators, date (ISO,
 * then the other date parts), timestamp (ISO, then the others with 24-hour and
 * 12-hour clocks), timestamptz, uuid, json; text when nothing is left or no
 * value was there (a column of only markers is text, the markers kept).
 */
export function columnVerdict(facts: ColumnFacts): ColumnVerdict {
  if (!facts.hasValue || facts.mask === 0) return decision('text', facts);
  const commaThousands = (facts.mask & NumberBit.commaThousands) !== 0;
  const commaDecimal = facts.delimiter !== ',' && (facts.mask & NumberBit.commaDecimal) !== 0;
  for (const [type, bit] of PLAIN) {
    // In a ';'-file (Excel's where the decimal mark is ','), `1.200` among `12` and `0,5` is 1200.
    if (type === 'numeric' && commaDecimal && facts.delimiter === ';')
      return decision('numeric', facts, { numberFormat: { decimal: ',', thousands: '.' } });
    if ((facts.mask & bit) !== 0) return decision(type, facts);
  }
  if (commaThousands || commaDecimal) {
    // `1,234` reads both ways: a ';' file (Excel's in locales with a decimal comma) means 1.234.
    const useDecimalComma = commaDecimal && (!commaThousands || facts.delimiter === ';');
    const numberFormat: NumberFormat = useDecimalComma
      ? { decimal: ',', thousands: '.' }
      : { decimal: '.', thousands: ',' };
    return decision('numeric', facts, { numberFormat });
  }
  if ((facts.mask & TypeBit.date) !== 0) return decision('date', facts);
  const dateOnly = otherDate({ ...facts, mask: facts.mask & OTHER_DATE_PARTS.reduce((m, _, k) => m | dateBit(k), 0) });
  if (dateOnly) return dateOnly;
  if ((facts.mask & TypeBit.timestamp) !== 0) return decision('timestamp', facts);
  const other = otherDate(facts);
  if (other) return other;
  for (const [type, bit] of LATER) if ((facts.mask & bit) !== 0) return decision(type, facts);
  return decision('text', facts);
}

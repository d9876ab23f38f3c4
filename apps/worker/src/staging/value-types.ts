/**
 * The one place the type rules are written (type-rules.ts describes them):
 * which types one value fits, read from its UTF-8 bytes without making a
 * string. The string path (typeMask in type-rules.ts) runs these same
 * functions on the string's bytes, so no rule is written twice.
 */
import { DATE_PARTS, MISSING_VALUE_MARKERS, type DatePart } from '@relayboard/contracts';

/** One bit per type; a value's mask has a bit for each type (and format) it fits. */
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

/** Numbers with separators: thousands ',' and decimal '.' (`1,234.5`); thousands '.' and decimal ',' (`1.234,5`, `0,5`). */
export const NumberBit = { commaThousands: 1 << 8, commaDecimal: 1 << 9 } as const;

/** The date parts other than ISO, in DATE_PARTS order; each has a date bit, a 24-hour and a 12-hour timestamp bit. */
export const OTHER_DATE_PARTS = DATE_PARTS.filter((p) => p !== 'yyyy-mm-dd') as Exclude<DatePart, 'yyyy-mm-dd'>[];
const DATE_BASE = 10;
const TS24_BASE = DATE_BASE + OTHER_DATE_PARTS.length;
const TS12_BASE = TS24_BASE + OTHER_DATE_PARTS.length;
export const dateBit = (part: number) => 1 << (DATE_BASE + part);
export const ts24Bit = (part: number) => 1 << (TS24_BASE + part);
export const ts12Bit = (part: number) => 1 << (TS12_BASE + part);
/** Every bit: what NULL and blank values fit. */
export const ANY_TYPE = 2 ** (TS12_BASE + OTHER_DATE_PARTS.length) - 1;
/** What byteTypeMask returns for a value that is empty or only spaces: no value at all. */
export const BLANK = -2;

const part = (p: DatePart) => OTHER_DATE_PARTS.indexOf(p as Exclude<DatePart, 'yyyy-mm-dd'>);
const P = {
  ymdSlash: part('yyyy/mm/dd'),
  ymdDot: part('yyyy.mm.dd'),
  dmyDot: part('dd.mm.yyyy'),
  dmySlash: part('dd/mm/yyyy'),
  mdySlash: part('mm/dd/yyyy'),
  dmyDash: part('dd-mm-yyyy'),
  mdyDash: part('mm-dd-yyyy'),
};

/** Pairs of date parts that the same value can fit (`05/06/2024`): a column left with both is ambiguous. */
export const DAY_MONTH_PAIRS: [number, number][] = [
  [P.dmySlash, P.mdySlash],
  [P.dmyDash, P.mdyDash],
];

const SPACE = 0x20;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;
const ZERO = 0x30;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
/** Exponents beyond this stay text: PostgreSQL's numeric limits depend on the digits, and no real column needs them. */
export const MAX_EXPONENT = 1000;

function isDigit(b: number): boolean {
  return b >= ZERO && b <= 0x39;
}

function isHex(b: number): boolean {
  return (b >= ZERO && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66);
}

function digits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const b = buf[at + k];
    if (!isDigit(b)) return -1;
    v = v * 10 + (b - ZERO);
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** `yyyy-mm-dd` at `at`: a real calendar day. */
function isDateAt(buf: Uint8Array, at: number): boolean {
  if (buf[at + 4] !== MINUS || buf[at + 7] !== MINUS) return false;
  return isCalendarDay(digits(buf, at, 4), digits(buf, at + 5, 2), digits(buf, at + 8, 2));
}

/**
 * The rest of an ISO timestamp after `yyyy-mm-dd` and `T` or a space, from `at` to
 * `end`: `hh:mm[:ss[.fraction]]` then, for timestamptz, `Z` or an offset.
 */
function timeMask(buf: Uint8Array, at: number, end: number): number {
  if (end - at < 5 || buf[at + 2] !== COLON) return 0;
  const hours = digits(buf, at, 2);
  const minutes = digits(buf, at + 3, 2);
  if (hours < 0 || minutes < 0 || minutes > 59 || hours > 24) return 0;
  let p = at + 5;
  let seconds = 0;
  let fraction = false;
  if (p < end && buf[p] === COLON) {
    seconds = digits(buf, p + 1, 2);
    if (p + 3 > end || seconds < 0 || seconds > 60) return 0;
    p += 3;
    if (p < end && buf[p] === DOT) {
      let q = p + 1;
      while (q < end && isDigit(buf[q])) q++;
      if (q === p + 1) return 0;
      for (let k = p + 1; k < q; k++) if (buf[k] !== ZERO) fraction = true;
      p = q;
    }
  }
  // 24:00 is the end of the day; PostgreSQL takes no later time in hour 24, nor 23:59:60 with a fraction.
  if (hours === 24 && (minutes !== 0 || seconds !== 0 || fraction)) return 0;
  if (hours === 23 && minutes === 59 && seconds === 60 && fraction) return 0;
  if (p === end) return TypeBit.timestamp;
  const zone = buf[p];
  if ((zone === 0x5a || zone === 0x7a) && p + 1 === end) return TypeBit.timestamptz;
  if (zone !== PLUS && zone !== MINUS) return 0;
  const offsetHours = digits(buf, p + 1, 2);
  if (p + 3 > end || offsetHours < 0 || offsetHours > 15) return 0;
  p += 3;
  if (p === end) return TypeBit.timestamptz;
  if (buf[p] === COLON) p++;
  const offsetMinutes = digits(buf, p, 2);
  return p + 2 === end && offsetMinutes >= 0 && offsetMinutes <= 59 ? TypeBit.timestamptz : 0;
}

/** 1 or 2 digits at `at`: [value, next offset], or [-1, at]. */
function shortNumber(buf: Uint8Array, at: number, end: number): [number, number] {
  if (at >= end || !isDigit(buf[at])) return [-1, at];
  if (at + 1 < end && isDigit(buf[at + 1])) return [(buf[at] - ZERO) * 10 + buf[at + 1] - ZERO, at + 2];
  return [buf[at] - ZERO, at + 1];
}

/**
 * The clock after a non-ISO date and a space: `h[h]:mm[:ss[.fraction]]` (24-hour,
 * 1 for the 24-hour bits) or the same with hours 1 to 12 and `am`/`pm` after an
 * optional space (2 for the 12-hour bits); 0 when neither.
 */
function clockKind(buf: Uint8Array, at: number, end: number): number {
  const [hours, h] = shortNumber(buf, at, end);
  if (hours < 0 || h >= end || buf[h] !== COLON) return 0;
  const minutes = digits(buf, h + 1, 2);
  if (h + 3 > end || minutes < 0 || minutes > 59) return 0;
  let p = h + 3;
  if (p < end && buf[p] === COLON) {
    const seconds = digits(buf, p + 1, 2);
    if (p + 3 > end || seconds < 0 || seconds > 59) return 0;
    p += 3;
    if (p < end && buf[p] === DOT) {
      let q = p + 1;
      while (q < end && isDigit(buf[q])) q++;
      if (q === p + 1) return 0;
      p = q;
    }
  }
  if (p === end) return hours <= 23 ? 1 : 0;
  if (buf[p] === SPACE) p++;
  if (p + 2 !== end || (buf[p + 1] | 0x20) !== 0x6d) return 0;
  const half = buf[p] | 0x20;
  return (half === 0x61 || half === 0x70) && hours >= 1 && hours <= 12 ? 2 : 0;
}

/** The bits of a date part `part` whose day is valid, with the clock after it (if any). */
function datePartBits(buf: Uint8Array, p: number, end: number, valid: boolean[]): number {
  let clock = 0;
  if (p < end) {
    if (buf[p] !== SPACE) return 0;
    clock = clockKind(buf, p + 1, end);
    if (clock === 0) return 0;
  }
  let mask = 0;
  for (let k = 0; k < valid.length; k++) {
    if (!valid[k]) continue;
    if (clock === 0) mask |= dateBit(k) | ts24Bit(k) | ts12Bit(k);
    else mask |= clock === 1 ? ts24Bit(k) : ts12Bit(k);
  }
  return mask;
}

const NO_PARTS = OTHER_DATE_PARTS.map(() => false);

/** A date in one of the non-ISO date parts (with a time, for timestamps), as its format bits; 0 when none. */
function otherDateMask(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 8) return 0;
  const valid = NO_PARTS.slice();
  let p: number;
  const sep4 = buf[start + 4];
  if ((sep4 === SLASH || sep4 === DOT) && digits(buf, start, 4) >= 0) {
    // yyyy/mm/dd, yyyy.mm.dd
    const year = digits(buf, start, 4);
    const [month, m] = shortNumber(buf, start + 5, end);
    if (month < 0 || m >= end || buf[m] !== sep4) return 0;
    const [day, d] = shortNumber(buf, m + 1, end);
    if (day < 0 || !isCalendarDay(year, month, day)) return 0;
    valid[sep4 === SLASH ? P.ymdSlash : P.ymdDot] = true;
    p = d;
  } else {
    // dd.mm.yyyy, dd/mm/yyyy, mm/dd/yyyy, dd-mm-yyyy, mm-dd-yyyy
    const [a, x] = shortNumber(buf, start, end);
    const sep = x < end ? buf[x] : -1;
    if (a < 0 || (sep !== SLASH && sep !== DOT && sep !== MINUS)) return 0;
    const [b, y] = shortNumber(buf, x + 1, end);
    if (b < 0 || y >= end || buf[y] !== sep) return 0;
    const year = digits(buf, y + 1, 4);
    if (y + 5 > end || year < 0 || (y + 5 < end && isDigit(buf[y + 5]))) return 0;
    const dayFirst = isCalendarDay(year, b, a);
    const monthFirst = isCalendarDay(year, a, b);
    if (sep === DOT) valid[P.dmyDot] = dayFirst;
    else if (sep === SLASH) {
      valid[P.dmySlash] = dayFirst;
      valid[P.mdySlash] = monthFirst;
    } else {
      valid[P.dmyDash] = dayFirst;
      valid[P.mdyDash] = monthFirst;
    }
    p = y + 5;
  }
  return datePartBits(buf, p, end, valid);
}

/**
 * Number shapes: `[-+]digits`, decimals and exponents; -1 for integers of 19
 * digits and more (checked exactly on the string). Plain numbers also fit the
 * separator formats they can be read in (`1234` in all, `1.234` as thousands).
 */
function numberMask(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  if (buf[p] === PLUS || buf[p] === MINUS) p++;
  const intStart = p;
  while (p < end && isDigit(buf[p])) p++;
  const intDigits = p - intStart;
  if (intDigits >= 2 && buf[intStart] === ZERO) return 0;
  if (p === end) {
    if (intDigits === 0) return 0;
    // Up to 18 digits always fits a bigint; longer ones are checked exactly.
    return intDigits <= 18 ? TypeBit.bigint | TypeBit.numeric | NumberBit.commaThousands | NumberBit.commaDecimal : -1;
  }
  if (buf[p] === COMMA && intDigits > 0) return groupedMask(buf, intStart, end);
  let fracDigits = 0;
  if (buf[p] === DOT) {
    p++;
    const fracStart = p;
    while (p < end && isDigit(buf[p])) p++;
    fracDigits = p - fracStart;
    if (intDigits === 0 && fracDigits === 0) return 0;
    if (p < end && intDigits > 0 && intDigits <= 3 && fracDigits === 3 && (buf[p] === DOT || buf[p] === COMMA))
      return groupedMask(buf, intStart, end);
  } else if (intDigits === 0) {
    return 0;
  }
  if (p < end && (buf[p] | 0x20) === 0x65) {
    p++;
    if (p < end && (buf[p] === PLUS || buf[p] === MINUS)) p++;
    const expStart = p;
    let exponent = 0;
    while (p < end && isDigit(buf[p])) {
      if (exponent <= MAX_EXPONENT) exponent = exponent * 10 + (buf[p] - ZERO);
      p++;
    }
    if (p === expStart || exponent > MAX_EXPONENT) return 0;
    return p === end ? TypeBit.numeric : 0;
  }
  if (p !== end) return 0;
  // `1.234` is also 1234 with '.' for thousands.
  const dotGroup =
    intDigits > 0 && intDigits <= 3 && fracDigits === 3 && buf[intStart] !== ZERO ? NumberBit.commaDecimal : 0;
  return TypeBit.numeric | NumberBit.commaThousands | dotGroup;
}

/**
 * Digits with separators from `at` (after the sign) to `end`: thousands ','
 * with an optional '.' fraction, or thousands '.' (optional) with an optional
 * ',' fraction. Groups are 3 digits after a first group of 1 to 3 that is not a
 * leading zero.
 */
function groupedMask(buf: Uint8Array, at: number, end: number): number {
  return groupedAs(buf, at, end, COMMA, DOT) | groupedAs(buf, at, end, DOT, COMMA);
}

function groupedAs(buf: Uint8Array, at: number, end: number, thousands: number, decimal: number): number {
  let p = at;
  while (p < end && isDigit(buf[p])) p++;
  const first = p - at;
  if (first === 0 || (first >= 2 && buf[at] === ZERO)) return 0;
  let groups = 0;
  while (p < end && buf[p] === thousands) {
    if (first > 3 || (first === 1 && buf[at] === ZERO) || p + 4 > end || digits(buf, p + 1, 3) < 0) return 0;
    p += 4;
    groups++;
    if (p < end && isDigit(buf[p])) return 0;
  }
  if (p < end && buf[p] === decimal) {
    p++;
    const fracStart = p;
    while (p < end && isDigit(buf[p])) p++;
    if (p === fracStart) return 0;
  } else if (groups === 0) {
    return 0;
  }
  if (p !== end) return 0;
  return thousands === COMMA ? NumberBit.commaThousands : NumberBit.commaDecimal;
}

function lowerEquals(buf: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if ((buf[start + k] | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

function isUuid(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 36) return false;
  for (let k = 0; k < 36; k++) {
    const b = buf[start + k];
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (b !== MINUS) return false;
    } else if (!isHex(b)) {
      return false;
    }
  }
  return true;
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

/** The rare shapes, judged on the string: long integers (bigint range) and json (which may start with a tab or a line break). */
function rareMask(buf: Uint8Array, start: number, end: number): number {
  const value = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  if (/^[-+]?[0-9]+$/.test(value)) {
    const n = BigInt(value);
    const all = TypeBit.numeric | NumberBit.commaThousands | NumberBit.commaDecimal;
    return n >= BIGINT_MIN && n <= BIGINT_MAX ? all | TypeBit.bigint : all;
  }
  return /^\s*[[{]/.test(value) && isJsonb(value) ? TypeBit.json : 0;
}

/**
 * The types one value fits, read from its UTF-8 bytes: BLANK for an empty or
 * all-space value. The common shapes are judged byte by byte; the rare ones
 * (json, 19-digit numbers) on the string.
 */
export function byteTypeMask(buf: Uint8Array, from: number, to: number): number {
  let start = from;
  let end = to;
  while (start < end && buf[start] === SPACE) start++;
  while (end > start && buf[end - 1] === SPACE) end--;
  if (start === end) return BLANK;
  const first = buf[start];
  if (isDigit(first) || first === PLUS || first === MINUS || first === DOT) {
    const length = end - start;
    // Not a date (`123e-45678`) falls through: it may still be a number or a uuid.
    if (length >= 10 && isDigit(first) && buf[start + 4] === MINUS && isDateAt(buf, start)) {
      if (length === 10) return TypeBit.date | TypeBit.timestamp;
      const sep = buf[start + 10];
      return sep === 0x54 || sep === SPACE ? timeMask(buf, start + 11, end) : 0;
    }
    const number = numberMask(buf, start, end);
    if (number === -1) return rareMask(buf, start, end);
    if (number === 0 && isDigit(first)) {
      if (length === 36 && isUuid(buf, start, end)) return TypeBit.uuid;
      return otherDateMask(buf, start, end);
    }
    return number;
  }
  if (first === 0x5b || first === 0x7b || first < SPACE) return rareMask(buf, start, end);
  const lower = first | 0x20;
  if (lower === 0x74 || lower === 0x66 || lower === 0x79 || lower === 0x6e) {
    if (
      lowerEquals(buf, start, end, 'true') ||
      lowerEquals(buf, start, end, 'false') ||
      lowerEquals(buf, start, end, 't') ||
      lowerEquals(buf, start, end, 'f') ||
      lowerEquals(buf, start, end, 'yes') ||
      lowerEquals(buf, start, end, 'no')
    ) {
      return TypeBit.boolean;
    }
  }
  return isUuid(buf, start, end) ? TypeBit.uuid : 0;
}

const MARKER_INDEX = new Map<string, number>(MISSING_VALUE_MARKERS.map((m, i) => [m, i]));
const LONGEST_MARKER = Math.max(...MISSING_VALUE_MARKERS.map((m) => m.length));

/** Which of MISSING_VALUE_MARKERS the value is after trimming spaces, or -1. Markers are ASCII. */
export function markerIndex(buf: Uint8Array, from: number, to: number): number {
  let start = from;
  let end = to;
  while (start < end && buf[start] === SPACE) start++;
  while (end > start && buf[end - 1] === SPACE) end--;
  if (end - start > LONGEST_MARKER || start === end) return -1;
  return MARKER_INDEX.get(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1')) ?? -1;
}

import type { ColumnDecision, ColumnOverride, NumberFormat } from '@relayboard/contracts';

/** What the override form holds for one column; '' is "not set". */
export interface OverrideFormValues {
  type: string;
  keepText: boolean;
  datePart: string;
  timePart: string;
  decimal: string;
  thousands: string;
  /** One marker a line. */
  nullMarkers: string;
  noNullMarkers: boolean;
}

export const EMPTY_OVERRIDE_FORM: OverrideFormValues = {
  type: '',
  keepText: false,
  datePart: '',
  timePart: '',
  decimal: '',
  thousands: '',
  nullMarkers: '',
  noNullMarkers: false,
};

/**
 * The override the form describes (null: it sets nothing). Fields are sent as given,
 * so the api's message says what is wrong (a date format on a numeric column).
 */
export function overrideFromForm(values: OverrideFormValues): ColumnOverride | null {
  const override: ColumnOverride = {};
  if (values.keepText) override.keepText = true;
  else if (values.type) override.type = values.type as ColumnOverride['type'];
  if (values.datePart)
    override.dateFormat = values.timePart ? `${values.datePart} ${values.timePart}` : values.datePart;
  if (values.decimal) override.numberFormat = { decimal: values.decimal, thousands: values.thousands } as NumberFormat;
  const markers = values.nullMarkers
    .split('\n')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (values.noNullMarkers) override.nullMarkers = [];
  else if (markers.length) override.nullMarkers = markers;
  return Object.keys(override).length ? override : null;
}

/** The form's values for a stored override, so a person edits what is there. */
export function formFromOverride(override: ColumnOverride | undefined): OverrideFormValues {
  if (!override) return EMPTY_OVERRIDE_FORM;
  const [datePart = '', timePart = ''] = override.dateFormat ? splitDateFormat(override.dateFormat) : [];
  return {
    type: override.keepText ? '' : (override.type ?? ''),
    keepText: override.keepText === true,
    datePart,
    timePart,
    decimal: override.numberFormat?.decimal ?? '',
    thousands: override.numberFormat?.thousands ?? '',
    nullMarkers: (override.nullMarkers ?? []).join('\n'),
    noNullMarkers: override.nullMarkers !== undefined && override.nullMarkers.length === 0,
  };
}

function splitDateFormat(format: string): [string, string] {
  const space = format.indexOf(' ');
  return space === -1 ? [format, ''] : [format.slice(0, space), format.slice(space + 1)];
}

/** The whole set with one column's override replaced (null: removed), as PUT takes it. */
export function withColumnOverride(
  set: Record<string, ColumnOverride>,
  column: string,
  override: ColumnOverride | null,
): Record<string, ColumnOverride> {
  const next = { ...set };
  if (override) next[column] = override;
  else delete next[column];
  return next;
}

/** Maps the api's field names for this column (`columns.amount.dateFormat`) to the form's fields. */
export function overrideFieldAliases(column: string): Record<string, string> {
  const at = `columns.${column}`;
  const aliases: Record<string, string> = {
    [at]: 'column',
    [`${at}.type`]: 'type',
    [`${at}.keepText`]: 'type',
    [`${at}.dateFormat`]: 'datePart',
    [`${at}.numberFormat`]: 'decimal',
    [`${at}.numberFormat.decimal`]: 'decimal',
    [`${at}.numberFormat.thousands`]: 'thousands',
    [`${at}.nullMarkers`]: 'nullMarkers',
  };
  for (let i = 0; i < 32; i++) aliases[`${at}.nullMarkers.${i}`] = 'nullMarkers';
  return aliases;
}

/** `numeric, decimal ',' thousands '.'` for the schema view. */
export function describeNumberFormat(format: NonNullable<ColumnDecision['numberFormat']>): string {
  return `decimal '${format.decimal}', ${format.thousands ? `thousands '${format.thousands}'` : 'no thousands separator'}`;
}

/** A stored override in a few words, for the list of overrides that the next run applies. */
export function describeOverride(override: ColumnOverride): string {
  const parts: string[] = [];
  if (override.keepText) parts.push('keep as text');
  else if (override.type) parts.push(override.type);
  if (override.dateFormat) parts.push(override.dateFormat);
  if (override.numberFormat) parts.push(describeNumberFormat(override.numberFormat));
  if (override.nullMarkers)
    parts.push(
      override.nullMarkers.length
        ? `NULL for ${override.nullMarkers.map((m) => JSON.stringify(m)).join(', ')}`
        : 'no missing-value markers',
    );
  return parts.join('; ');
}

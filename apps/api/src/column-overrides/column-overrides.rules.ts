import type { ColumnOverride, ColumnType } from '@relayboard/contracts';

export interface OverrideIssue {
  field: string;
  message: string;
}

const DATE_TYPES: readonly ColumnType[] = ['date', 'timestamp', 'timestamptz'];
const NUMBER_TYPES: readonly ColumnType[] = ['bigint', 'numeric'];

/** How many known columns an error names before it says "and N more". */
const NAMED_COLUMNS = 30;

function knownList(columns: string[]): string {
  const shown = columns.slice(0, NAMED_COLUMNS).join(', ');
  return columns.length > NAMED_COLUMNS ? `${shown} and ${columns.length - NAMED_COLUMNS} more` : shown;
}

/**
 * What is wrong with a set of overrides beyond its shape (the contract checks that):
 * columns the dataset's staged version does not have (null: it was never staged),
 * formats on a type they cannot describe, and overrides that say nothing or contradict
 * themselves. Each issue names its field (`columns.<name>.<key>`) and the fix.
 */
export function overrideIssues(
  overrides: Record<string, ColumnOverride>,
  knownColumns: string[] | null,
  datasetName: string,
): OverrideIssue[] {
  const issues: OverrideIssue[] = [];
  const known = knownColumns ? new Set(knownColumns) : null;
  for (const [column, override] of Object.entries(overrides)) {
    const at = (key?: string) => `columns.${column}${key ? `.${key}` : ''}`;
    if (known === null) {
      issues.push({
        field: at(),
        message: `dataset "${datasetName}" has no staged version yet, so its columns are not known; run it once (POST /v1/pipelines/run) and set overrides on the columns it finds`,
      });
      continue;
    }
    if (!known.has(column)) {
      issues.push({
        field: at(),
        message: `dataset "${datasetName}" has no column "${column}"; its columns are ${knownList(knownColumns!)}`,
      });
      continue;
    }
    if (Object.keys(override).length === 0) {
      issues.push({
        field: at(),
        message:
          'an empty override changes nothing; give type, dateFormat, numberFormat, nullMarkers or keepText, or leave the column out',
      });
    }
    const type = override.keepText ? 'text' : override.type;
    if (override.dateFormat !== undefined) {
      if (type === undefined || !DATE_TYPES.includes(type)) {
        issues.push({
          field: at('dateFormat'),
          message: `a date format goes with type date, timestamp or timestamptz (this override's type is ${type ?? 'not given'}); send "type": "date" (or a timestamp type) with it`,
        });
      } else if (type === 'date' && override.dateFormat.includes(' ')) {
        issues.push({
          field: at('dateFormat'),
          message: `"${override.dateFormat}" has a time part, which a date has not; use type timestamp, or a date part alone`,
        });
      }
    }
    if (override.numberFormat !== undefined && (type === undefined || !NUMBER_TYPES.includes(type))) {
      issues.push({
        field: at('numberFormat'),
        message: `a number format goes with type bigint or numeric (this override's type is ${type ?? 'not given'}); send "type": "numeric" with it`,
      });
    }
  }
  return issues;
}

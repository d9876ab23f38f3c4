/**
 * A dataset's column overrides (PUT /v1/datasets/:name/column-overrides) laid
 * over the types inference gave its staged columns. Pure: the stage step reads
 * the overrides, calls this after inference and before the version's columns
 * are recorded, and records the changes in the run's events.
 *
 * An overridden column's decision has `source: 'override'`. The generated dbt
 * models read that source: an override's type is a person's word, not what the
 * values showed, so some values may not fit it, and its warehouse cast must stay
 * checked (relayboard_safe_cast: a value that does not fit is NULL and counted
 * as a cast failure, never a failed run), whatever cheaper cast inferred
 * columns get.
 */
import { columnOverrideSchema, type ColumnDecision, type ColumnOverride } from '@relayboard/contracts';
import type { StagedColumn } from '@relayboard/db';

const DATE_TYPES = new Set(['date', 'timestamp', 'timestamptz']);
const NUMBER_TYPES = new Set(['bigint', 'numeric']);

/** What a column's type and decision say, for the run's events. */
export interface ColumnTyping {
  type: string;
  dateFormat: string | null;
  numberFormat: ColumnDecision['numberFormat'];
  nullMarkers: string[];
}

export interface ColumnOverrideChange {
  column: string;
  before: ColumnTyping;
  after: ColumnTyping;
}

export interface AppliedOverrides {
  columns: StagedColumn[];
  /** One per overridden column of the version, in column order. */
  changes: ColumnOverrideChange[];
  /** Overrides for columns this version does not have (renamed or dropped in the file): reported, not applied. */
  unknownColumns: string[];
  /** Stored overrides that no longer read as an override (written by another version of Relayboard): reported, not applied. */
  invalid: { column: string; problem: string }[];
}

/** The decision of a column that inference said nothing more about (versions before issue #15). */
function inferredDecision(column: StagedColumn): ColumnDecision {
  return column.decision ?? { nullMarkers: [], dateFormat: null, numberFormat: null, source: 'inferred', note: null };
}

function typing(type: string, decision: ColumnDecision): ColumnTyping {
  return {
    type,
    dateFormat: decision.dateFormat,
    numberFormat: decision.numberFormat,
    nullMarkers: decision.nullMarkers.map((m) => m.marker),
  };
}

/** `date dd/mm/yyyy`, `numeric (decimal ',', thousands '.'), NULL for NA, -`. */
export function describeTyping(t: ColumnTyping): string {
  const parts = [t.type];
  if (t.dateFormat) parts.push(` ${t.dateFormat}`);
  if (t.numberFormat)
    parts.push(
      ` (decimal '${t.numberFormat.decimal}', ${t.numberFormat.thousands ? `thousands '${t.numberFormat.thousands}'` : 'no thousands separator'})`,
    );
  if (t.nullMarkers.length) parts.push(`, NULL for ${t.nullMarkers.map((m) => JSON.stringify(m)).join(', ')}`);
  return parts.join('');
}

function overrideOne(
  column: StagedColumn,
  override: ColumnOverride,
): { column: StagedColumn; change: ColumnOverrideChange } {
  const inferred = inferredDecision(column);
  const type = override.keepText ? 'text' : (override.type ?? column.type);
  const counts = new Map(inferred.nullMarkers.map((m) => [m.marker, m.count]));
  // Text keeps every value, markers included, unless the override names markers itself.
  const nullMarkers = override.nullMarkers
    ? override.nullMarkers.map((marker) => ({ marker, count: counts.get(marker) ?? 0 }))
    : type === 'text'
      ? []
      : inferred.nullMarkers;
  const decision: ColumnDecision = {
    nullMarkers,
    dateFormat: override.dateFormat ?? (DATE_TYPES.has(type) ? inferred.dateFormat : null),
    numberFormat: override.numberFormat ?? (NUMBER_TYPES.has(type) ? inferred.numberFormat : null),
    source: 'override',
    note: null,
  };
  const before = typing(column.type, inferred);
  const after = typing(type, decision);
  const said = override.keepText ? 'keep as text' : describeTyping(after);
  const why = inferred.note ? ` (${inferred.note})` : '';
  decision.note = `inferred ${describeTyping(before)}${why}; override: ${said}`;
  return { column: { ...column, type, decision }, change: { column: column.name, before, after } };
}

export function applyColumnOverrides(columns: StagedColumn[], overrides: Record<string, unknown>): AppliedOverrides {
  const valid = new Map<string, ColumnOverride>();
  const invalid: AppliedOverrides['invalid'] = [];
  for (const [name, stored] of Object.entries(overrides)) {
    const parsed = columnOverrideSchema.safeParse(stored);
    if (parsed.success) valid.set(name, parsed.data);
    else invalid.push({ column: name, problem: parsed.error.issues.map((i) => i.message).join('; ') });
  }
  const changes: ColumnOverrideChange[] = [];
  const out = columns.map((column) => {
    const override = valid.get(column.name);
    if (!override) return column;
    const applied = overrideOne(column, override);
    changes.push(applied.change);
    return applied.column;
  });
  const names = new Set(columns.map((c) => c.name));
  return { columns: out, changes, unknownColumns: [...valid.keys()].filter((name) => !names.has(name)), invalid };
}

/** The stage step's event message: each column before and after, and the overrides left unused. */
export function describeAppliedOverrides(applied: AppliedOverrides, dataset: string): string {
  const parts: string[] = [];
  if (applied.changes.length)
    parts.push(
      `column overrides applied: ${applied.changes
        .map((c) => `${c.column}: inferred ${describeTyping(c.before)} -> ${describeTyping(c.after)}`)
        .join('; ')}`,
    );
  if (applied.unknownColumns.length)
    parts.push(
      `override(s) for ${applied.unknownColumns.join(', ')} left unused: this version has no such column (change or clear them with PUT /v1/datasets/${dataset}/column-overrides)`,
    );
  for (const bad of applied.invalid)
    parts.push(
      `the stored override of ${bad.column} was left unused: ${bad.problem}; set it again with PUT /v1/datasets/${dataset}/column-overrides`,
    );
  return parts.join('. ');
}

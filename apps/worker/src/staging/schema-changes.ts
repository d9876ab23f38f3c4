import type { StagedColumn } from '@relayboard/db';

export interface SchemaChanges {
  /** The version compared against. */
  previousVersionId: string;
  added: string[];
  removed: string[];
  retyped: { name: string; from: string; to: string }[];
}

export function hasChanges(changes: SchemaChanges): boolean {
  return changes.added.length + changes.removed.length + changes.retyped.length > 0;
}

/** Columns added, removed and retyped since the previous version, by column name. */
export function diffSchemas(
  previousVersionId: string,
  previous: StagedColumn[],
  current: StagedColumn[],
): SchemaChanges {
  const before = new Map(previous.map((c) => [c.name, c]));
  const after = new Map(current.map((c) => [c.name, c]));
  return {
    previousVersionId,
    added: current.filter((c) => !before.has(c.name)).map((c) => c.name),
    removed: previous.filter((c) => !after.has(c.name)).map((c) => c.name),
    retyped: current
      .filter((c) => before.has(c.name) && before.get(c.name)!.type !== c.type)
      .map((c) => ({ name: c.name, from: before.get(c.name)!.type, to: c.type })),
  };
}

export function describeChanges(changes: SchemaChanges): string {
  if (!hasChanges(changes)) return 'schema unchanged since the previous version';
  const parts: string[] = [];
  if (changes.added.length) parts.push(`added ${changes.added.join(', ')}`);
  if (changes.removed.length) parts.push(`removed ${changes.removed.join(', ')}`);
  if (changes.retyped.length)
    parts.push(`retyped ${changes.retyped.map((r) => `${r.name} (${r.from} -> ${r.to})`).join(', ')}`);
  return `schema changed since the previous version: ${parts.join('; ')}`;
}

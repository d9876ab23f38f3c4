import { z } from 'zod';

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

const dialectSchema = z.object({
  encoding: z.string().optional(),
  bom: z.boolean().optional(),
  delimiter: z.string().optional(),
  quote: z.string().optional(),
  lineEnding: z.string().optional(),
  header: z.boolean().optional(),
});

/** "utf-8 with BOM, semicolon, CRLF" from a version's detected dialect; null before a run staged it. */
export function describeDialect(dialect: unknown): string | null {
  const parsed = dialectSchema.safeParse(dialect);
  if (!parsed.success || dialect === null) return null;
  const d = parsed.data;
  const parts: string[] = [];
  if (d.encoding) parts.push(`${d.encoding}${d.bom ? ' with BOM' : ''}`);
  if (d.delimiter !== undefined) parts.push(DELIMITERS[d.delimiter] ?? JSON.stringify(d.delimiter));
  if (d.lineEnding) parts.push(d.lineEnding === 'mixed' ? 'mixed line endings' : d.lineEnding.toUpperCase());
  if (d.header === false) parts.push('no header');
  return parts.length ? parts.join(', ') : null;
}

const schemaChangesSchema = z.object({
  previousVersionId: z.string().optional(),
  added: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
  retyped: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })).default([]),
});
export type SchemaChangeList = z.infer<typeof schemaChangesSchema>;

/** A version's schema changes against the version staged before it; null for the first version, an unstaged one or no change. */
export function schemaChangesOf(value: unknown): SchemaChangeList | null {
  const parsed = schemaChangesSchema.safeParse(value);
  if (!parsed.success || value === null || value === undefined) return null;
  const changes = parsed.data;
  return changes.added.length + changes.removed.length + changes.retyped.length > 0 ? changes : null;
}

/** The null share as a person reads it: "0%", "0.4%", "12%", "100%"; "—" when the table was empty. */
export function formatShare(share: number | null): string {
  if (share === null || Number.isNaN(share)) return '—';
  if (share === 0) return '0%';
  if (share < 0.001) return '<0.1%';
  if (share < 0.1) return `${(share * 100).toFixed(1)}%`;
  if (share < 1 && share > 0.995) return '>99%';
  return `${Math.round(share * 100)}%`;
}

import type { ColumnDecision } from '@relayboard/contracts';
import type { StagedColumn } from '@relayboard/db';

const fmt = new Intl.NumberFormat('en-US');

/** A staged column whose decision says more than its type: markers read as NULL, a date or number format, a note. */
export function isNotable(column: StagedColumn): column is StagedColumn & { decision: ColumnDecision } {
  const d = column.decision;
  return !!d && (d.nullMarkers.length > 0 || d.dateFormat !== null || d.numberFormat !== null || d.note !== null);
}

const times = (n: number) => `${fmt.format(n)} ${n === 1 ? 'time' : 'times'}`;

/** What was decided for one column, after its name: `numeric (NA read as NULL 8,255 times)`. */
export function describeDecision(type: string, d: ColumnDecision): string {
  const parts: string[] = [];
  if (d.dateFormat) parts.push(`written ${d.dateFormat}`);
  if (d.numberFormat)
    parts.push(
      `decimal '${d.numberFormat.decimal}'${d.numberFormat.thousands ? `, thousands '${d.numberFormat.thousands}'` : ''}`,
    );
  for (const m of d.nullMarkers) parts.push(`${JSON.stringify(m.marker)} read as NULL ${times(m.count)}`);
  if (d.source === 'override') parts.push('by override');
  const head = parts.length ? `${type} (${parts.join(', ')})` : type;
  return d.note ? `${head}: ${d.note}` : head;
}

/** The stage step's event: "typed 3 columns: dep_delay numeric (NA read as NULL 8,255 times), ...", or null when nothing is notable. */
export function describeTyping(columns: StagedColumn[]): string | null {
  const notable = columns.filter(isNotable);
  if (!notable.length) return null;
  const typed = notable.filter((c) => c.type !== 'text');
  const text = notable.filter((c) => c.type === 'text');
  const sentences: string[] = [];
  if (typed.length)
    sentences.push(
      `typed ${typed.length} column${typed.length === 1 ? '' : 's'} beyond plain values: ${typed.map((c) => `${c.name} ${describeDecision(c.type, c.decision)}`).join('; ')}`,
    );
  if (text.length)
    sentences.push(
      `kept ${text.length} column${text.length === 1 ? '' : 's'} text: ${text.map((c) => `${c.name} ${describeDecision(c.type, c.decision)}`).join('; ')}`,
    );
  return sentences.join('. ');
}

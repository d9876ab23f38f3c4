import type { RunStep } from '@relayboard/contracts';

/** A plain-text table: a header row and left-aligned columns two spaces apart (cells with line breaks are flattened). */
export function table(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [
    header,
    ...rows.map((row) =>
      row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell).replace(/\s+/g, ' '))),
    ),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : (cell ?? '').padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 0.4 s, 12.0 s, 3 min 05 s, 1 h 02 min. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** 512 B, 1.5 KiB, 12.0 MiB, 1.02 GiB. */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit >= 2 && value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** 1,234,567 */
export const count = (n: number): string => n.toLocaleString('en-US');

const between = (from: string | null, to: string | null) => (from && to ? Date.parse(to) - Date.parse(from) : NaN);

/** What a finished step did, in a few words: rows and bytes staged, dbt nodes built, the digest's fate. */
export function stepSummary(step: RunStep, extra: { deliveryStatus?: string | null } = {}): string {
  const m = step.metrics;
  const parts: string[] = [];
  if (step.status === 'succeeded') {
    if (step.name === 'fetch' && typeof m.bytes === 'number') parts.push(bytes(m.bytes));
    if (step.name === 'stage') {
      if (typeof m.rows === 'number') parts.push(`${count(m.rows)} rows`);
      if (typeof m.rejects === 'number' && m.rejects > 0) parts.push(`${count(m.rejects)} rejected`);
      if (typeof m.bytes === 'number') parts.push(bytes(m.bytes));
    }
    if (step.name === 'transform' && typeof m.models === 'number') {
      parts.push(`${count(m.models)} models, ${count(typeof m.tests === 'number' ? m.tests : 0)} tests`);
      if (typeof m.testsWarned === 'number' && m.testsWarned > 0) parts.push(`${count(m.testsWarned)} warned`);
    }
    if (step.name === 'deliver' && extra.deliveryStatus) parts.push(`digest ${extra.deliveryStatus}`);
  }
  if (step.error) parts.push(step.error);
  return parts.join(', ');
}

/** One line per finished step: name, status, time taken, what it did. */
export function stepLine(step: RunStep, extra: { deliveryStatus?: string | null } = {}): string {
  const took = between(step.startedAt, step.finishedAt);
  const summary = stepSummary(step, extra);
  return `  ${[step.name.padEnd(10), step.status.padEnd(10), Number.isNaN(took) ? null : duration(took).padEnd(10), summary || null].filter((part) => part !== null).join(' ')}`.trimEnd();
}

/** Steps that reached an end (succeeded, failed, skipped, canceled) since `seen`, in the run's order. */
export function newlyEnded(steps: RunStep[], seen: ReadonlySet<string>): RunStep[] {
  return steps.filter((s) => !['pending', 'running'].includes(s.status) && !seen.has(s.name));
}

/** The stage step's live figures from its metrics while it runs (bytesDone, bytesTotal, rowsDone, pass), or null. */
export function stageProgress(
  step: RunStep | undefined,
): { bytesDone: number; bytesTotal: number; rowsDone: number; pass: number } | null {
  if (!step || step.name !== 'stage' || step.status !== 'running') return null;
  const { bytesDone, bytesTotal, rowsDone, pass } = step.metrics;
  if (typeof bytesDone !== 'number' || typeof bytesTotal !== 'number' || typeof rowsDone !== 'number') return null;
  return { bytesDone, bytesTotal, rowsDone, pass: typeof pass === 'number' ? pass : 1 };
}

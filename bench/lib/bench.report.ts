import type { BenchSize } from './bench.args';
import type { Contender, LoadOutcome } from './bench.types';
import type { CsvKind } from './csv.generator';

export interface Measurement {
  contender: Contender;
  kind: CsvKind;
  size: BenchSize;
  /** The file's real size, which the throughput is computed from. */
  bytes: number;
  records: number;
  outcomes: LoadOutcome[];
  /** Why this contender ran fewer times than the others, or what its result means. */
  remark?: string;
}

export interface Summary {
  measurement: Measurement;
  ok: LoadOutcome[];
  seconds?: number;
  mbPerS?: number;
  /** Throughput over that of `psql \copy` of the clean file of the same size. */
  ratio?: number;
  peakRssBytes?: number;
  note: string;
}

const MB = 1e6;

export const TARGETS = {
  cleanRatio: 1.5,
  messyRatio: 0.6,
  peakRssBytes: 200 * MB,
  rssGrowth: 1.3,
  /** The sizes the issue states the targets for. */
  largeBytes: 1e9,
  smallBytes: 100 * MB,
};

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function describe(m: Measurement, ok: LoadOutcome[]): string {
  const notes: string[] = [];
  const failed = m.outcomes.filter((o) => !o.ok);
  if (failed.length > 0)
    notes.push(
      `${failed.length} of ${m.outcomes.length} failed: ${(failed[0].error ?? 'no reason given').slice(0, 200)}`,
    );
  const last = ok.at(-1);
  if (last?.note) notes.push(last.note);
  if (last?.rows !== undefined) {
    const accounted = last.rows + (last.rejects ?? 0);
    if (accounted !== m.records)
      notes.push(`${accounted} rows${last.rejects !== undefined ? ' + rejects' : ''} for ${m.records} records`);
  }
  if (m.remark) notes.push(m.remark);
  return notes.join('; ');
}

export function summarize(measurements: Measurement[]): Summary[] {
  const summaries = measurements.map((measurement): Summary => {
    const ok = measurement.outcomes.filter((o) => o.ok);
    const seconds = ok.length > 0 ? median(ok.map((o) => o.seconds)) : undefined;
    // A failed load's memory says nothing about a load that works.
    const rss = ok.map((o) => o.peakRssBytes).filter((v): v is number => v !== undefined);
    return {
      measurement,
      ok,
      seconds,
      mbPerS: seconds === undefined ? undefined : measurement.bytes / MB / seconds,
      peakRssBytes: rss.length > 0 ? Math.max(...rss) : undefined,
      note: describe(measurement, ok),
    };
  });
  for (const s of summaries) {
    const reference = summaries.find(
      (r) =>
        r.measurement.contender === 'psql \\copy' &&
        r.measurement.kind === 'clean' &&
        r.measurement.size.bytes === s.measurement.size.bytes,
    );
    if (s.mbPerS !== undefined && reference?.mbPerS !== undefined) s.ratio = s.mbPerS / reference.mbPerS;
  }
  return summaries;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const fixed = (value: number | undefined, digits: number, suffix = '') =>
  value === undefined ? '-' : `${value.toFixed(digits)}${suffix}`;

export function resultsTable(summaries: Summary[]): string {
  const header = [
    'contender',
    'file',
    'size',
    'runs',
    'seconds',
    'MB/s',
    'x psql \\copy clean',
    'peak RSS',
    'rows',
    'note',
  ];
  const rows = summaries.map((s) => {
    const m = s.measurement;
    const last = s.ok.at(-1);
    const rows =
      last?.rows === undefined ? '-' : `${last.rows}${last.rejects !== undefined ? ` +${last.rejects} rejects` : ''}`;
    return [
      m.contender,
      m.kind,
      m.size.label,
      `${s.ok.length}/${m.outcomes.length}`,
      fixed(s.seconds, 2),
      fixed(s.mbPerS, 1),
      fixed(s.ratio, 2, 'x'),
      fixed(s.peakRssBytes === undefined ? undefined : s.peakRssBytes / MB, 0, ' MB'),
      rows,
      s.note,
    ];
  });
  return table([header, ...rows]);
}

function find(summaries: Summary[], contender: Contender, kind: CsvKind, bytes: number): Summary | undefined {
  return summaries.find(
    (s) => s.measurement.contender === contender && s.measurement.kind === kind && s.measurement.size.bytes === bytes,
  );
}

function verdict(pass: boolean | undefined): string {
  if (pass === undefined) return 'n/a ';
  return pass ? 'PASS' : 'MISS';
}

/** The issue's targets as PASS/MISS lines: benchmark figures, never assertions. */
export function targetLines(summaries: Summary[], sizes: BenchSize[]): string[] {
  const large = sizes[sizes.length - 1];
  const small = sizes[0];
  const atLarge =
    large.bytes === TARGETS.largeBytes ? '' : ` (measured at ${large.label}; the target is stated for 1GB)`;
  const lines: string[] = [];

  const clean = find(summaries, 'stage', 'clean', large.bytes);
  lines.push(
    `${verdict(clean?.ratio === undefined ? undefined : clean.ratio >= TARGETS.cleanRatio)} clean CSV: stage >= ${TARGETS.cleanRatio}x psql \\copy into a plain logged table: ${fixed(clean?.ratio, 2, 'x')}${atLarge}`,
  );
  const messy = find(summaries, 'stage', 'messy', large.bytes);
  lines.push(
    `${verdict(messy?.ratio === undefined ? undefined : messy.ratio >= TARGETS.messyRatio)} messy CSV: stage >= ${TARGETS.messyRatio}x psql \\copy of the clean file of the same size: ${fixed(messy?.ratio, 2, 'x')}${atLarge}`,
  );
  for (const kind of ['clean', 'messy'] as const) {
    const peak = find(summaries, 'stage', kind, large.bytes)?.peakRssBytes;
    lines.push(
      `${verdict(peak === undefined ? undefined : peak <= TARGETS.peakRssBytes)} ${kind} CSV: stage peak RSS <= ${TARGETS.peakRssBytes / MB} MB: ${fixed(peak === undefined ? undefined : peak / MB, 0, ' MB')}${atLarge}`,
    );
  }
  for (const kind of ['clean', 'messy'] as const) {
    const big = find(summaries, 'stage', kind, large.bytes)?.peakRssBytes;
    const little = find(summaries, 'stage', kind, small.bytes)?.peakRssBytes;
    const growth = sizes.length > 1 && big !== undefined && little !== undefined ? big / little : undefined;
    const scope =
      sizes.length < 2
        ? ' (needs two sizes)'
        : large.bytes === TARGETS.largeBytes && small.bytes === TARGETS.smallBytes
          ? ''
          : ` (${large.label} against ${small.label}; the target compares 1GB with 100MB)`;
    lines.push(
      `${verdict(growth === undefined ? undefined : growth <= TARGETS.rssGrowth)} ${kind} CSV: stage peak RSS at the large size <= ${TARGETS.rssGrowth}x its peak at the small size: ${fixed(growth, 2, 'x')}${scope}`,
    );
  }
  return lines;
}

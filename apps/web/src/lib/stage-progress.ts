import type { RunEvent, RunStep } from '@relayboard/contracts';

/** What the stage step reports about once a second while it loads (apps/worker StageProgress). */
export interface StageProgressReport {
  bytesDone: number;
  bytesTotal: number;
  rowsDone: number;
  /** 1 on the first read of the file; 2 or 3 when the load started over on the normalizing path. */
  pass: number;
  phase: string;
}

export type StageProgressState = 'waiting' | 'loading' | 'publishing' | 'done' | 'failed';

export interface StageProgressView {
  state: StageProgressState;
  /** Whole percent of the file's bytes read in the current pass; null while nothing was reported (indeterminate). */
  percent: number | null;
  bytesDone: number | null;
  bytesTotal: number | null;
  rowsDone: number | null;
  pass: number | null;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A progress report from an event's data or a running step's metrics; null when it is something else. */
export function readProgress(data: Record<string, unknown> | null | undefined): StageProgressReport | null {
  if (!data) return null;
  const { bytesDone, bytesTotal, rowsDone, pass, phase } = data;
  if (!isNumber(bytesDone) || !isNumber(bytesTotal) || !isNumber(rowsDone)) return null;
  return {
    bytesDone,
    bytesTotal,
    rowsDone,
    pass: isNumber(pass) ? pass : 1,
    phase: typeof phase === 'string' ? phase : 'loading',
  };
}

/** The newest stage progress report: events come by id, a running step's metrics carry the same figures. */
export function latestProgress(events: readonly RunEvent[], step?: RunStep): StageProgressReport | null {
  let newest: RunEvent | null = null;
  for (const event of events) {
    if (event.step !== 'stage' || readProgress(event.data) === null) continue;
    if (newest === null || event.id > newest.id) newest = event;
  }
  const fromEvent = newest ? readProgress(newest.data) : null;
  // The worker writes each report to the running step's metrics before its event, so they are never behind.
  const fromMetrics = step?.status === 'running' ? readProgress(step.metrics) : null;
  return fromMetrics ?? fromEvent;
}

function percentOf(report: StageProgressReport): number {
  if (report.phase === 'publishing') return 100;
  if (report.bytesTotal <= 0) return 0;
  return Math.min(100, Math.max(0, Math.floor((report.bytesDone * 100) / report.bytesTotal)));
}

/**
 * The staging progress bar's figures: live from the newest report while the step
 * runs, the step's own totals (100%) once it succeeded, the last report if it
 * failed; null while staging has not started (or was skipped).
 */
export function stageProgress(step: RunStep | undefined, events: readonly RunEvent[]): StageProgressView | null {
  if (step === undefined || step.status === 'pending' || step.status === 'skipped') return null;
  const last = latestProgress(events, step);
  if (step.status === 'succeeded') {
    const bytes = isNumber(step.metrics.bytes) ? step.metrics.bytes : (last?.bytesTotal ?? null);
    const rows = isNumber(step.metrics.rows) ? step.metrics.rows : (last?.rowsDone ?? null);
    return {
      state: 'done',
      percent: 100,
      bytesDone: bytes,
      bytesTotal: bytes,
      rowsDone: rows,
      pass: last?.pass ?? null,
    };
  }
  if (last === null) {
    return {
      state: step.status === 'failed' ? 'failed' : 'waiting',
      percent: null,
      bytesDone: null,
      bytesTotal: null,
      rowsDone: null,
      pass: null,
    };
  }
  const state: StageProgressState =
    step.status === 'failed' ? 'failed' : last.phase === 'publishing' ? 'publishing' : 'loading';
  return {
    state,
    percent: percentOf(last),
    bytesDone: last.bytesDone,
    bytesTotal: last.bytesTotal,
    rowsDone: last.rowsDone,
    pass: last.pass,
  };
}

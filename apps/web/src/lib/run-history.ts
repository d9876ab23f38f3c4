import type { Run, RunSummary } from '@relayboard/contracts';

/** One finished run as the dataset page's chart draws it. */
export interface RunHistoryPoint {
  runId: string;
  /** The run's finish time, ISO. */
  at: string;
  status: Run['status'];
  /** Rows the stage step loaded; null when the run never staged. */
  rows: number | null;
  durationSeconds: number;
}

/** Finished runs, oldest first, so the chart reads left to right in time. */
export function runHistoryPoints(
  runs: Pick<RunSummary, 'id' | 'status' | 'startedAt' | 'finishedAt' | 'rows'>[],
): RunHistoryPoint[] {
  const points: RunHistoryPoint[] = [];
  for (const run of runs) {
    if (run.startedAt === null || run.finishedAt === null) continue;
    const duration = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
    if (!Number.isFinite(duration)) continue;
    points.push({
      runId: run.id,
      at: run.finishedAt,
      status: run.status,
      rows: run.rows,
      durationSeconds: Math.max(0, duration) / 1000,
    });
  }
  return points.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

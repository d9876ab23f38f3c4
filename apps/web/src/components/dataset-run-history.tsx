import type { RunSummary } from '@relayboard/contracts';
import { isApiProblem, listDatasetRuns } from '@/lib/api';
import { runHistoryPoints } from '@/lib/run-history';
import { ApiProblemNotice } from './api-problem-notice';
import { RunHistoryChart } from './run-history-chart';

export const HISTORY_RUNS = 50;

export async function DatasetRunHistory({ name }: { name: string }) {
  let runs: RunSummary[];
  try {
    // One read: each run in the list carries its stage step's row count.
    runs = await listDatasetRuns(name, HISTORY_RUNS);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  const points = runHistoryPoints(runs);
  if (points.length === 0) {
    return (
      <p
        className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500"
        data-testid="run-history-empty"
      >
        No finished runs yet. Rows and durations appear here once a run ends.
      </p>
    );
  }
  return <RunHistoryChart points={points} />;
}

import Link from 'next/link';
import type { Dataset, RunSummary } from '@relayboard/contracts';
import { isApiProblem, listDatasets, listRuns, RUNS_PAGE_SIZE } from '@/lib/api';
import { hasFilters, isInProgress, type RunFilters } from '@/lib/runs';
import { ApiProblemNotice } from './api-problem-notice';
import { AutoRefresh } from './auto-refresh';
import { RunFiltersForm } from './run-filters-form';
import { RunsTable } from './runs-table';

export async function RunsBoard({ filters }: { filters: RunFilters }) {
  let runs: RunSummary[];
  let datasets: Dataset[];
  try {
    [runs, datasets] = await Promise.all([listRuns(filters), listDatasets()]);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return (
      <ApiProblemNotice problem={error}>
        {hasFilters(filters) && (
          <p className="mt-4 text-sm">
            <Link href="/" className="text-sky-700 underline-offset-2 hover:underline">
              Show all runs without filters
            </Link>
          </p>
        )}
      </ApiProblemNotice>
    );
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <RunFiltersForm filters={filters} datasetNames={datasets.map((dataset) => dataset.name)} />
        {runs.some((run) => isInProgress(run.status)) && <AutoRefresh label="Live: refreshing every 2 seconds" />}
      </div>
      <RunsTable runs={runs} now={new Date()} filtered={hasFilters(filters)} />
      {runs.length === RUNS_PAGE_SIZE && (
        <p className="text-xs text-slate-500">Showing the newest {RUNS_PAGE_SIZE} runs. Filter to see older ones.</p>
      )}
    </div>
  );
}

import Link from 'next/link';
import type { RunList } from '@relayboard/contracts';
import { isApiProblem, listRuns } from '@/lib/api';
import { hasFilters, isFirstPage, type RunFilters, type RunPage } from '@/lib/runs';
import { ApiProblemNotice } from './api-problem-notice';
import { LiveRuns } from './live-runs';
import { RunFiltersForm } from './run-filters-form';
import { RunsPagination } from './runs-pagination';

export async function RunsBoard({ filters, page }: { filters: RunFilters; page: RunPage }) {
  let list: RunList;
  try {
    list = await listRuns(filters, page);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return (
      <ApiProblemNotice problem={error}>
        {(hasFilters(filters) || !isFirstPage(page)) && (
          <p className="mt-4 text-sm">
            <Link href="/" className="text-sky-700 underline-offset-2 hover:underline">
              Show the newest runs without filters
            </Link>
          </p>
        )}
      </ApiProblemNotice>
    );
  }

  return (
    <div className="space-y-4">
      <LiveRuns
        toolbar={<RunFiltersForm filters={filters} limit={page.limit} />}
        initialRuns={list.runs}
        filters={filters}
        firstPage={isFirstPage(page)}
        hasOlder={list.nextCursor !== null}
        limit={page.limit}
        renderedAt={new Date().toISOString()}
      />
      <RunsPagination filters={filters} page={page} nextCursor={list.nextCursor} prevCursor={list.prevCursor} />
    </div>
  );
}

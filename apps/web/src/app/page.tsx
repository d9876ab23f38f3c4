import type { Metadata } from 'next';
import { RunsBoard } from '@/components/runs-board';
import { parseRunFilters, parseRunPage } from '@/lib/runs';

export const metadata: Metadata = { title: 'Runs' };

interface RunsPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function RunsPage({ searchParams }: RunsPageProps) {
  const params = await searchParams;
  const filters = parseRunFilters(params);
  const page = parseRunPage(params);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Runs</h1>
        <p className="mt-1 text-sm text-slate-600">
          Every pipeline run, newest first: fetch, stage, transform, deliver.
        </p>
      </div>
      {/* Read before the page is sent rather than streamed in behind a skeleton: streamed parts
          need JavaScript to appear, and the filters and page links work without it. A new key
          per filter set and page starts a fresh live list. */}
      <RunsBoard key={JSON.stringify([filters, page])} filters={filters} page={page} />
    </div>
  );
}

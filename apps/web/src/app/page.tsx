import type { Metadata } from 'next';
import { Suspense } from 'react';
import { RunsBoard } from '@/components/runs-board';
import { RunsBoardSkeleton } from '@/components/skeletons';
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
        <p className="mt-1 text-sm text-slate-600">Every pipeline run, newest first: fetch, stage, transform, deliver.</p>
      </div>
      {/* A new key per filter set and page shows the skeleton while a different list loads. */}
      <Suspense key={JSON.stringify([filters, page])} fallback={<RunsBoardSkeleton />}>
        <RunsBoard filters={filters} page={page} />
      </Suspense>
    </div>
  );
}

import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DatasetsBoard } from '@/components/datasets-board';
import { PageSection } from '@/components/page-parts';
import { RegisterDatasetForm } from '@/components/register-dataset-form';
import { TableSkeleton } from '@/components/skeletons';
import { UploadDatasetForm } from '@/components/upload-dataset-form';

export const metadata: Metadata = { title: 'Datasets' };

interface DatasetsPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function DatasetsPage({ searchParams }: DatasetsPageProps) {
  const { cursor } = await searchParams;
  const pageCursor = typeof cursor === 'string' && cursor ? cursor : undefined;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Datasets</h1>
        <p className="mt-1 text-sm text-slate-600">
          Every CSV Relayboard loads, with its last run and current version.
        </p>
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        <RegisterDatasetForm />
        <UploadDatasetForm />
      </div>
      <PageSection id="datasets" title="All datasets">
        <Suspense key={pageCursor ?? ''} fallback={<TableSkeleton label="Loading datasets…" />}>
          <DatasetsBoard cursor={pageCursor} />
        </Suspense>
      </PageSection>
    </div>
  );
}

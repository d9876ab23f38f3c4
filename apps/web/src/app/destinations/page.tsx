import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AddDestinationForm } from '@/components/add-destination-form';
import { DestinationsBoard } from '@/components/destinations-board';
import { TableSkeleton } from '@/components/skeletons';

export const metadata: Metadata = { title: 'Destinations' };

// The list is read on every request: a delivery can land at any moment.
export const dynamic = 'force-dynamic';

export default function DestinationsPage() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Destinations</h1>
        <p className="mt-1 text-sm text-slate-600">
          Slack channels that get a digest after each run: which datasets, on which runs, and how the last post went.
        </p>
      </div>
      <AddDestinationForm />
      <section aria-labelledby="destinations-title" className="space-y-3">
        <h2 id="destinations-title" className="text-lg font-semibold">
          All destinations
        </h2>
        <Suspense fallback={<TableSkeleton label="Loading destinations…" rows={3} columns={5} />}>
          <DestinationsBoard />
        </Suspense>
      </section>
    </div>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { isValidDatasetName, type Dataset } from '@relayboard/contracts';
import { ApiProblemNotice } from '@/components/api-problem-notice';
import { BackLink, PageSection, SummaryItem } from '@/components/page-parts';
import { DatasetChecks } from '@/components/dataset-checks';
import { DatasetLineageSection } from '@/components/dataset-lineage';
import { DatasetRunControls } from '@/components/dataset-run-controls';
import { DatasetRunHistory } from '@/components/dataset-run-history';
import { DatasetSchedule } from '@/components/dataset-schedule';
import { DatasetRecentRuns, DatasetSchema, DatasetVersions, RECENT_RUNS } from '@/components/dataset-sections';
import { ChartSkeleton, TableSkeleton } from '@/components/skeletons';
import { Timestamp } from '@/components/timestamp';
import { getDataset, isApiProblem } from '@/lib/api';
import { formatBytes } from '@/lib/format';

interface DatasetPageProps {
  params: Promise<{ name: string }>;
}

export async function generateMetadata({ params }: DatasetPageProps): Promise<Metadata> {
  const { name } = await params;
  return { title: isValidDatasetName(name) ? name : 'Dataset not found' };
}

/**
 * The dataset is read before anything streams, so an unknown name answers HTTP 404
 * rather than a 200 page that says so; the slower sections stream in behind skeletons.
 */
export default async function DatasetPage({ params }: DatasetPageProps) {
  // A valid name needs no URL encoding, so anything encoded names no dataset.
  const { name } = await params;
  if (!isValidDatasetName(name)) notFound();

  let dataset: Dataset | null;
  try {
    dataset = await getDataset(name);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return (
      <div className="space-y-6">
        <BackLink href="/datasets" label="All datasets" />
        <h1 className="text-2xl font-semibold tracking-tight">{name}</h1>
        <ApiProblemNotice problem={error} />
      </div>
    );
  }
  if (dataset === null) notFound();

  const version = dataset.currentVersion;

  return (
    <div className="space-y-8">
      <BackLink href="/datasets" label="All datasets" />

      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight break-all">{dataset.name}</h1>
        <p className="text-sm break-all text-slate-600">
          {dataset.sourceType === 'url' && dataset.sourceUrl ? (
            <>
              From <code className="font-mono text-slate-800">{dataset.sourceUrl}</code>
            </>
          ) : (
            'Uploaded file'
          )}
        </p>
      </header>

      <dl className="grid grid-cols-2 gap-x-6 gap-y-4 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm sm:grid-cols-3 lg:grid-cols-5">
        <SummaryItem label="Rows">{version?.rows != null ? version.rows.toLocaleString('en-US') : '—'}</SummaryItem>
        <SummaryItem label="Version">
          {version ? (
            <code className="font-mono text-xs" title={version.sha256}>
              {version.sha256.slice(0, 12)}
            </code>
          ) : (
            '—'
          )}
        </SummaryItem>
        <SummaryItem label="Size">{version ? formatBytes(version.sizeBytes) : '—'}</SummaryItem>
        <SummaryItem label="Fetched">
          <Timestamp iso={version?.fetchedAt ?? null} />
        </SummaryItem>
        <SummaryItem label="Registered">
          <Timestamp iso={dataset.createdAt} />
        </SummaryItem>
      </dl>

      {dataset.dbtDisabled && (
        <section
          aria-labelledby="dbt-disabled-title"
          className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900"
        >
          <h2 id="dbt-disabled-title" className="font-semibold">
            Out of the dbt project
          </h2>
          <p className="mt-1 break-words whitespace-pre-wrap">{dataset.dbtDisabled.reason}</p>
          <p className="mt-1 text-xs">Its next successful run puts its models back.</p>
        </section>
      )}

      <DatasetRunControls
        datasetName={dataset.name}
        canRefresh={dataset.sourceType === 'url'}
        lastRun={dataset.lastRun ? { id: dataset.lastRun.id, status: dataset.lastRun.status } : null}
      />

      <PageSection id="schedule" title="Schedule">
        <DatasetSchedule
          datasetName={dataset.name}
          schedule={dataset.schedule}
          canRefresh={dataset.sourceType === 'url'}
        />
      </PageSection>

      <PageSection id="history" title="Rows and duration by run">
        <Suspense fallback={<ChartSkeleton label="Loading run history…" />}>
          <DatasetRunHistory name={dataset.name} />
        </Suspense>
      </PageSection>

      <PageSection id="schema" title="Schema">
        <Suspense fallback={<TableSkeleton label="Loading schema…" rows={3} columns={8} />}>
          <DatasetSchema name={dataset.name} columns={version?.columns ?? null} />
        </Suspense>
      </PageSection>

      <PageSection id="checks" title="Checks">
        <Suspense fallback={<TableSkeleton label="Loading checks…" rows={2} columns={6} />}>
          <DatasetChecks name={dataset.name} columns={(version?.columns ?? []).map((column) => column.name)} />
        </Suspense>
      </PageSection>

      <PageSection id="lineage" title="Lineage">
        <Suspense fallback={<ChartSkeleton label="Loading lineage…" />}>
          <DatasetLineageSection name={dataset.name} />
        </Suspense>
      </PageSection>

      <PageSection id="versions" title="Versions and schema changes">
        <Suspense fallback={<TableSkeleton label="Loading versions…" rows={3} columns={8} />}>
          <DatasetVersions name={dataset.name} />
        </Suspense>
      </PageSection>

      <PageSection
        id="recent-runs"
        title="Recent runs"
        action={
          <Link
            href={`/?${new URLSearchParams({ datasetName: dataset.name })}`}
            className="text-sm text-sky-700 underline-offset-2 hover:underline"
          >
            All runs of {dataset.name}
          </Link>
        }
      >
        <Suspense fallback={<TableSkeleton label="Loading runs…" rows={Math.min(RECENT_RUNS, 4)} columns={7} />}>
          <DatasetRecentRuns name={dataset.name} />
        </Suspense>
      </PageSection>
    </div>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import type { Run, RunDigest } from '@relayboard/contracts';
import { ApiProblemNotice } from '@/components/api-problem-notice';
import { BackLink, PageSection, SummaryItem } from '@/components/page-parts';
import {
  LiveRunDuration,
  LiveRunEvents,
  LiveRunStatus,
  LiveRunSteps,
  LiveRunWaiting,
  RunStreamProvider,
} from '@/components/run-stream';
import { RunActions } from '@/components/run-actions';
import { RunNodes } from '@/components/run-nodes';
import { RunRejectsSection } from '@/components/run-rejects';
import { DigestSkeleton, TableSkeleton } from '@/components/skeletons';
import { LiveStageProgress } from '@/components/stage-progress';
import { SlackDigest } from '@/components/slack-digest';
import { Timestamp } from '@/components/timestamp';
import { getRun, getRunDigest, isApiProblem } from '@/lib/api';
import { isRunId } from '@/lib/runs';

interface RunPageProps {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: RunPageProps): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${id.slice(0, 8)}` };
}

/**
 * The run is read before anything streams (this route has no loading.tsx), so an unknown
 * id answers HTTP 404; the digest streams in behind its skeleton.
 */
export default async function RunPage({ params, searchParams }: RunPageProps) {
  const { id } = await params;
  const { rejects: rejectsParam } = await searchParams;
  const rejectsCursor = typeof rejectsParam === 'string' && rejectsParam !== '' ? rejectsParam : undefined;
  if (!isRunId(id)) notFound();

  let run: Run | null;
  try {
    run = await getRun(id);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return (
      <div className="space-y-6">
        <BackLink href="/" label="All runs" />
        <h1 className="sr-only">Run {id}</h1>
        <ApiProblemNotice problem={error} />
      </div>
    );
  }
  if (run === null) notFound();

  return (
    <RunStreamProvider
      runId={run.id}
      initial={{
        status: run.status,
        steps: run.steps,
        events: run.events,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        cancelRequestedAt: run.cancelRequestedAt,
        waitingFor: run.waitingFor,
      }}
    >
      <div className="space-y-8">
        <BackLink href="/" label="All runs" />

        <header className="space-y-2">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight break-all">
              <Link href={`/datasets/${run.datasetName}`} className="hover:underline">
                {run.datasetName}
              </Link>
            </h1>
            <LiveRunStatus />
          </div>
          <p className="text-sm text-slate-600">
            Run <code className="font-mono text-slate-800">{run.id}</code>
            {run.retries > 0 && <span> · retried {run.retries === 1 ? 'once' : `${run.retries} times`}</span>}
          </p>
          <LiveRunWaiting />
        </header>

        <RunActions runId={run.id} />

        <dl className="grid grid-cols-2 gap-x-6 gap-y-4 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm sm:grid-cols-3 lg:grid-cols-6">
          <SummaryItem label="Trigger">{run.trigger}</SummaryItem>
          <SummaryItem label="Created">
            <Timestamp iso={run.createdAt} />
          </SummaryItem>
          <SummaryItem label="Started">
            <Timestamp iso={run.startedAt} />
          </SummaryItem>
          <SummaryItem label="Finished">
            <Timestamp iso={run.finishedAt} />
          </SummaryItem>
          <SummaryItem label="Duration">
            <LiveRunDuration />
          </SummaryItem>
          <SummaryItem label="Dataset version">
            {run.datasetVersionId ? (
              <code className="font-mono text-xs break-all" title={run.datasetVersionId}>
                {run.datasetVersionId.slice(0, 8)}
              </code>
            ) : (
              <span className="text-slate-500">—</span>
            )}
          </SummaryItem>
        </dl>

        {run.error && (
          <section
            aria-labelledby="run-error-title"
            className={`rounded-lg border p-4 ${run.status === 'skipped' ? 'border-slate-300 bg-slate-50 text-slate-900' : 'border-red-300 bg-red-50 text-red-900'}`}
          >
            <h2 id="run-error-title" className="font-semibold">
              {run.status === 'failed'
                ? 'Why this run failed'
                : run.status === 'canceled'
                  ? 'Why this run was canceled'
                  : run.status === 'skipped'
                    ? 'Why this run was skipped'
                    : 'Run error'}
            </h2>
            <p className="mt-1 text-sm break-words whitespace-pre-wrap">{run.error}</p>
          </section>
        )}

        <PageSection id="steps" title="Steps">
          <LiveRunSteps />
        </PageSection>

        <PageSection id="staging" title="Staging progress">
          <LiveStageProgress />
        </PageSection>

        <PageSection id="nodes" title="dbt models and tests">
          <RunNodes nodes={run.nodes} transformStatus={run.steps.find((step) => step.name === 'transform')?.status} />
        </PageSection>

        <PageSection id="rejects" title="Rejected rows">
          <Suspense
            key={rejectsCursor ?? ''}
            fallback={<TableSkeleton label="Loading the rejected rows…" rows={3} columns={3} />}
          >
            <RunRejectsSection runId={run.id} cursor={rejectsCursor} />
          </Suspense>
        </PageSection>

        <PageSection id="digest" title="Slack digest">
          <Suspense fallback={<DigestSkeleton />}>
            <RunDigestPreview runId={run.id} />
          </Suspense>
        </PageSection>

        <PageSection id="events" title="Event log">
          <LiveRunEvents />
        </PageSection>
      </div>
    </RunStreamProvider>
  );
}

async function RunDigestPreview({ runId }: { runId: string }) {
  let answer: RunDigest;
  try {
    answer = await getRunDigest(runId);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  if (answer.digest === null) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500">
        No digest yet: the deliver step writes it once the data is loaded.
      </p>
    );
  }
  return <SlackDigest blocks={answer.digest.blocks} text={answer.digest.text} />;
}

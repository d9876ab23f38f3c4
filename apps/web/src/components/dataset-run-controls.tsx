'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { RunStatus } from '@relayboard/contracts';
import { formErrorsFrom } from '@/lib/form-errors';
import { pipelineSteps } from '@/lib/runs';
import { primaryButtonClassName } from './register-dataset-form';
import { LiveIndicator, useRunStream, type RunState } from './run-stream';
import { StatusBadge } from './status-badge';

interface DatasetRunControlsProps {
  datasetName: string;
  /** URL datasets can be fetched again before the run. */
  canRefresh: boolean;
  lastRun: { id: string; status: RunStatus } | null;
}

const secondaryButtonClassName =
  'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500';

export function DatasetRunControls({ datasetName, canRefresh, lastRun }: DatasetRunControlsProps) {
  const [run, setRun] = useState<{ id: string; initial: RunState } | null>(
    lastRun ? { id: lastRun.id, initial: { status: lastRun.status, steps: [] } } : null,
  );
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function start(refresh: boolean) {
    setStarting(true);
    setProblem(null);
    try {
      const response = await fetch('/api/pipelines/run', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(refresh ? { datasetName, refresh: true } : { datasetName }),
      });
      const body: unknown = await response.json().catch(() => undefined);
      // 200: the dataset already had a queued run, which is the one to follow.
      if (
        (response.status === 202 || response.status === 200) &&
        typeof body === 'object' &&
        body !== null &&
        'runId' in body
      ) {
        const accepted = body as { runId: string; status: RunStatus };
        setRun({ id: accepted.runId, initial: { status: accepted.status, steps: [] } });
      } else {
        setProblem(formErrorsFrom(body, response.status, []).form.join(' '));
      }
    } catch {
      setProblem('The board did not answer; check that it is running and try again.');
    }
    setStarting(false);
  }

  return (
    <section
      aria-labelledby="run-controls-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 id="run-controls-title" className="sr-only">
        Run the pipeline
      </h2>
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" onClick={() => start(false)} disabled={starting} className={primaryButtonClassName}>
          Run now
        </button>
        {canRefresh && (
          <button type="button" onClick={() => start(true)} disabled={starting} className={secondaryButtonClassName}>
            Refresh and run
          </button>
        )}
        <p role="status" className="text-xs text-slate-500">
          {starting ? 'Starting a run…' : ''}
        </p>
      </div>
      {problem && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">
          {problem}
        </p>
      )}
      {run && <RunProgress key={run.id} runId={run.id} initial={run.initial} />}
    </section>
  );
}

function RunProgress({ runId, initial }: { runId: string; initial: RunState }) {
  const { status, steps, live } = useRunStream(runId, initial);
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-slate-100 pt-3 text-sm">
      <span className="flex items-center gap-2" aria-live="polite" data-testid="latest-run-status">
        <span className="text-slate-600">Latest run</span>
        <StatusBadge status={status} />
      </span>
      <Link
        href={`/runs/${runId}`}
        className="font-mono text-sky-700 underline-offset-2 hover:underline"
        aria-label={`Open run ${runId.slice(0, 8)}`}
      >
        {runId.slice(0, 8)}
      </Link>
      {steps.length > 0 && (
        <ol className="flex flex-wrap items-center gap-2 text-xs" aria-label="Steps">
          {pipelineSteps(steps).map((step) => (
            <li key={step.name} className="flex items-center gap-1">
              <span className="text-slate-500 capitalize">{step.name}</span>
              <StatusBadge status={step.status} />
            </li>
          ))}
        </ol>
      )}
      <LiveIndicator live={live} />
    </div>
  );
}

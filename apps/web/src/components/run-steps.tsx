import type { RunStep } from '@relayboard/contracts';
import { elapsedMs, formatDuration, formatMetricLabel, formatMetricValue } from '@/lib/format';
import { StatusBadge } from './status-badge';
import { Timestamp } from './timestamp';

const STEP_PURPOSE: Record<RunStep['name'], string> = {
  fetch: 'Read the CSV from object storage',
  stage: 'COPY rows into the staging table',
  transform: 'Build the warehouse models with dbt',
  deliver: 'Post the digest to Slack',
};

export function RunSteps({ steps, now }: { steps: RunStep[]; now: Date }) {
  return (
    <ol className="grid gap-4 md:grid-cols-2 xl:grid-cols-4">
      {steps.map((step, index) => {
        const metrics = Object.entries(step.metrics);
        return (
          <li
            key={step.name}
            className={`flex flex-col rounded-lg border bg-white p-4 shadow-sm ${
              step.status === 'failed' ? 'border-red-300' : 'border-slate-200'
            }`}
          >
            <div className="flex items-start justify-between gap-2">
              <div>
                <h3 className="font-semibold capitalize">
                  <span className="text-slate-500">{index + 1}.</span> {step.name}
                </h3>
                <p className="text-xs text-slate-500">{STEP_PURPOSE[step.name]}</p>
              </div>
              <StatusBadge status={step.status} />
            </div>

            <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
              <dt className="text-slate-500">Started</dt>
              <dd className="text-slate-700">
                <Timestamp iso={step.startedAt} />
              </dd>
              <dt className="text-slate-500">Finished</dt>
              <dd className="text-slate-700">
                <Timestamp iso={step.finishedAt} />
              </dd>
              <dt className="text-slate-500">Duration</dt>
              {/* A running step's duration moves on between the server's render and the browser's. */}
              <dd className="text-slate-700 tabular-nums" suppressHydrationWarning>
                {formatDuration(elapsedMs(step.startedAt, step.finishedAt, now))}
              </dd>
            </dl>

            {metrics.length > 0 && (
              <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 border-t border-slate-100 pt-3 text-sm">
                {metrics.map(([key, value]) => (
                  <div key={key} className="contents">
                    <dt className="text-slate-500">{formatMetricLabel(key)}</dt>
                    <dd className="min-w-0 break-all font-medium text-slate-800 tabular-nums">{formatMetricValue(key, value)}</dd>
                  </div>
                ))}
              </dl>
            )}

            {step.error && (
              <div className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-900">
                <p className="font-semibold">What went wrong</p>
                <p className="mt-1 break-words whitespace-pre-wrap">{step.error}</p>
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

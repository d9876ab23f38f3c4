import type { RunStep } from '@relayboard/contracts';
import { elapsedMs, formatDuration, formatMetricLabel, formatMetricValue } from '@/lib/format';
import { runTimeline } from '@/lib/run-timeline';
import { StatusBadge } from './status-badge';
import { Timestamp } from './timestamp';

const STEP_PURPOSE: Record<RunStep['name'], string> = {
  fetch: 'Read the CSV from object storage',
  stage: 'COPY rows into the staging table',
  transform: 'Build the warehouse models with dbt',
  deliver: 'Post the digest to Slack',
};

const BAR_COLOURS: Record<RunStep['status'], string> = {
  pending: 'bg-slate-300',
  running: 'bg-sky-500 animate-pulse motion-reduce:animate-none',
  succeeded: 'bg-emerald-500',
  failed: 'bg-red-500',
  skipped: 'bg-slate-300',
  canceled: 'bg-amber-500',
};

/** What a running stage step reports as it loads; the staging progress bar shows these. */
const PROGRESS_KEYS = new Set(['bytesDone', 'bytesTotal', 'rowsDone', 'pass', 'phase']);

/**
 * The run's steps as a timeline: each on its own row with a bar placed on one time
 * axis for the whole run, its width proportional to the step's duration (a running
 * step's grows with `now`). The bars only repeat the times written beside them.
 */
export function RunSteps({ steps, now }: { steps: RunStep[]; now: Date }) {
  const { spanMs, bars } = runTimeline(steps, now);
  return (
    <div className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <p className="flex justify-between border-b border-slate-100 px-4 py-2 text-xs text-slate-600">
        <span>Timeline</span>
        <span className="tabular-nums" suppressHydrationWarning>
          {spanMs === null ? 'not started' : `0 – ${formatDuration(spanMs)}`}
        </span>
      </p>
      <ol className="divide-y divide-slate-100">
        {steps.map((step, index) => {
          const metrics = Object.entries(step.metrics).filter(
            ([key]) => !(step.status === 'running' && PROGRESS_KEYS.has(key)),
          );
          const bar = bars[index];
          return (
            <li
              key={step.name}
              data-step={step.name}
              className={`grid gap-x-6 gap-y-3 p-4 md:grid-cols-[14rem_minmax(0,1fr)] ${step.status === 'failed' ? 'bg-red-50/40' : ''}`}
            >
              <div className="flex items-start justify-between gap-2 md:flex-col md:justify-start">
                <div>
                  <h3 className="font-semibold capitalize">
                    <span className="text-slate-500">{index + 1}.</span> {step.name}
                  </h3>
                  <p className="text-xs text-slate-600">{STEP_PURPOSE[step.name]}</p>
                </div>
                <StatusBadge status={step.status} />
              </div>

              <div className="min-w-0 space-y-3">
                <div aria-hidden="true" className="relative h-3 rounded-full bg-slate-100">
                  {bar && (
                    <div
                      className={`absolute inset-y-0 rounded-full ${BAR_COLOURS[step.status]}`}
                      style={{ left: `${bar.offset}%`, width: `${bar.width}%` }}
                      suppressHydrationWarning
                    />
                  )}
                </div>

                <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs sm:grid-cols-[auto_1fr_auto_1fr_auto_1fr]">
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
                  <dd
                    className="font-medium text-slate-800 tabular-nums"
                    data-testid={`duration-${step.name}`}
                    suppressHydrationWarning
                  >
                    {formatDuration(elapsedMs(step.startedAt, step.finishedAt, now))}
                  </dd>
                </dl>

                {metrics.length > 0 && (
                  <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 border-t border-slate-100 pt-3 text-sm sm:grid-cols-[auto_1fr_auto_1fr] xl:grid-cols-[auto_1fr_auto_1fr_auto_1fr]">
                    {metrics.map(([key, value]) => (
                      <div key={key} className="contents">
                        <dt className="text-slate-500">{formatMetricLabel(key)}</dt>
                        <dd className="min-w-0 font-medium break-all text-slate-800 tabular-nums">
                          {formatMetricValue(key, value)}
                        </dd>
                      </div>
                    ))}
                  </dl>
                )}

                {step.error && (
                  <div className="rounded-md bg-red-50 p-3 text-sm text-red-900">
                    <p className="font-semibold">What went wrong</p>
                    <p className="mt-1 break-words whitespace-pre-wrap">{step.error}</p>
                  </div>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

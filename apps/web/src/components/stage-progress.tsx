'use client';

import { formatBytes } from '@/lib/format';
import { stageProgress, type StageProgressView } from '@/lib/stage-progress';
import { useRunStreamContext } from './run-stream';

const STATE_WORDS: Record<StageProgressView['state'], string> = {
  waiting: 'Starting: waiting for the first progress report',
  loading: 'Loading rows into staging',
  publishing: 'Every byte read: publishing the staging table',
  done: 'Staged',
  failed: 'Staging failed',
};

const BAR_COLOURS: Record<StageProgressView['state'], string> = {
  waiting: 'bg-sky-500',
  loading: 'bg-sky-500',
  publishing: 'bg-sky-600',
  done: 'bg-emerald-500',
  failed: 'bg-red-500',
};

function count(value: number | null): string {
  return value === null ? '—' : value.toLocaleString('en-US');
}

/** "1.2 MiB of 7 MiB", or what is known of it. */
function bytesText(view: StageProgressView): string {
  if (view.bytesDone === null || view.bytesTotal === null) return '—';
  return `${formatBytes(view.bytesDone)} of ${formatBytes(view.bytesTotal)}`;
}

/**
 * The stage step's progress from the stream's progress reports (about one a second):
 * bytes of the file read, rows loaded, the pass and phase; the final figures once the
 * step has succeeded.
 */
export function LiveStageProgress() {
  const { steps, events = [] } = useRunStreamContext();
  const stage = steps.find((step) => step.name === 'stage');
  const view = stageProgress(stage, events);

  if (view === null) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600">
        {stage?.status === 'skipped'
          ? 'Staging was skipped: an earlier step failed.'
          : 'Staging starts once the fetch step has read the file.'}
      </p>
    );
  }

  const valueText =
    view.percent === null
      ? STATE_WORDS[view.state]
      : `${view.percent}%: ${bytesText(view)}, ${count(view.rowsDone)} rows`;

  return (
    <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        {/* Phase changes are announced; the figures that tick every second are not. */}
        <p id="stage-progress-label" className="text-sm font-medium text-slate-800" aria-live="polite">
          {STATE_WORDS[view.state]}
          {view.pass !== null &&
            view.pass > 1 &&
            view.state !== 'done' &&
            ` (pass ${view.pass}: started over on the normalizing path)`}
        </p>
        <p className="text-sm font-semibold text-slate-800 tabular-nums" aria-hidden="true">
          {view.percent === null ? '…' : `${view.percent}%`}
        </p>
      </div>
      <div
        role="progressbar"
        aria-labelledby="stage-progress-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.percent ?? undefined}
        aria-valuetext={valueText}
        className="h-3 overflow-hidden rounded-full bg-slate-100"
      >
        <div
          className={`h-full rounded-full ${BAR_COLOURS[view.state]} ${view.percent === null ? 'w-1/4 animate-pulse motion-reduce:animate-none' : ''}`}
          style={view.percent === null ? undefined : { width: `${view.percent}%` }}
        />
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-500">Bytes</dt>
          <dd className="font-medium text-slate-800 tabular-nums" data-testid="stage-progress-bytes">
            {bytesText(view)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Rows</dt>
          <dd className="font-medium text-slate-800 tabular-nums" data-testid="stage-progress-rows">
            {count(view.rowsDone)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Pass</dt>
          <dd className="font-medium text-slate-800 tabular-nums">{count(view.pass)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Phase</dt>
          <dd className="font-medium text-slate-800">{view.state === 'done' ? 'published' : view.state}</dd>
        </div>
      </dl>
    </div>
  );
}

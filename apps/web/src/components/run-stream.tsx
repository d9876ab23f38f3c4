'use client';

import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import Link from 'next/link';
import {
  runEventSchema,
  runStateMessageSchema,
  type RunEvent,
  type RunStatus,
  type RunStep,
  type RunSummary,
} from '@relayboard/contracts';
import { elapsedMs, formatDuration } from '@/lib/format';
import { isInProgress, pipelineSteps } from '@/lib/runs';
import { RunEvents } from './run-events';
import { RunSteps } from './run-steps';
import { StatusBadge } from './status-badge';

export interface RunState {
  status: RunStatus;
  steps: RunStep[];
  /** The log so far; the stream appends to it. */
  events?: RunEvent[];
  /** The run's own times, for its live duration. */
  startedAt?: string | null;
  finishedAt?: string | null;
  /** Set once a cancel was asked for (POST /v1/runs/:id/cancel). */
  cancelRequestedAt?: string | null;
  /** Set while the queued run waits for its dataset (another run of it holds it). */
  waitingFor?: RunSummary['waitingFor'];
}

export interface LiveRunState extends RunState {
  live: boolean;
  /** The run changed from here (it was retried): take these fields and follow it again while it is in progress. */
  follow(next: Partial<RunState> & { status: RunStatus }): void;
}

/**
 * Follows one run over the api's server-sent events (through the board's proxy) while it
 * can still change. Once it has finished, the page's server components are rendered
 * again, so what only they show (events, digest, dataset versions) catches up.
 */
export function useRunStream(runId: string | null, initial: RunState): LiveRunState {
  const router = useRouter();
  const [state, setState] = useState(initial);
  const [live, setLive] = useState(false);
  // Each follow() starts the stream again with the status it was given.
  const [following, setFollowing] = useState<{ status: RunStatus; epoch: number }>({
    status: initial.status,
    epoch: 0,
  });

  useEffect(() => {
    if (runId === null || !isInProgress(following.status)) return;
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
    source.addEventListener('open', () => setLive(true));
    source.addEventListener('run-event', (message) => {
      const parsed = runEventSchema.safeParse(JSON.parse((message as MessageEvent<string>).data));
      if (!parsed.success) return;
      const event = parsed.data;
      // A reconnect resumes after the last id the browser saw, but the page's first read may overlap the stream.
      setState((previous) => {
        const events = previous.events ?? [];
        return events.some((known) => known.id === event.id) ? previous : { ...previous, events: [...events, event] };
      });
    });
    source.addEventListener('run', (message) => {
      const parsed = runStateMessageSchema.safeParse(JSON.parse((message as MessageEvent<string>).data));
      if (!parsed.success) return;
      const { status, startedAt, finishedAt, cancelRequestedAt, waitingFor } = parsed.data.run;
      setState((previous) => ({
        ...previous,
        status,
        startedAt,
        finishedAt,
        cancelRequestedAt,
        waitingFor,
        steps: parsed.data.steps,
      }));
      if (!isInProgress(parsed.data.run.status)) {
        source.close();
        setLive(false);
        router.refresh();
      }
    });
    // EventSource reconnects by itself after a dropped connection; it gives up only when the answer is not a stream.
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) setLive(false);
    });
    return () => source.close();
    // `initial` is the server's view when the stream starts; a new run is a new component (keyed by its id).
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the router is stable; following holds the status and epoch
  }, [runId, following]);

  const follow = useCallback((next: Partial<RunState> & { status: RunStatus }) => {
    setState((previous) => ({ ...previous, ...next }));
    setFollowing((previous) => ({ status: next.status, epoch: previous.epoch + 1 }));
  }, []);

  return { ...state, live, follow };
}

const RunStreamContext = createContext<LiveRunState | null>(null);

/** Shares one stream between the run page's live pieces, which sit apart on the page. */
export function RunStreamProvider({
  runId,
  initial,
  children,
}: {
  runId: string;
  initial: RunState;
  children: ReactNode;
}) {
  const state = useRunStream(runId, initial);
  return <RunStreamContext.Provider value={state}>{children}</RunStreamContext.Provider>;
}

export function useRunStreamContext(): LiveRunState {
  const state = useContext(RunStreamContext);
  if (state === null) throw new Error('live run pieces must sit inside a RunStreamProvider');
  return state;
}

export function LiveIndicator({ live }: { live: boolean }) {
  if (!live) return null;
  return (
    <span className="flex items-center gap-2 text-xs text-slate-500">
      <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-sky-500 motion-reduce:animate-none" />
      Live
    </span>
  );
}

export function LiveRunStatus() {
  const { status, live } = useRunStreamContext();
  return (
    <span className="flex items-center gap-3" aria-live="polite" data-testid="run-status">
      <StatusBadge status={status} />
      <LiveIndicator live={live} />
    </span>
  );
}

/** Why a queued run has not started: the run of its dataset it waits for. */
export function RunWaitingReason({ waitingFor }: { waitingFor: RunSummary['waitingFor'] | undefined }) {
  if (!waitingFor) return null;
  return (
    <span className="text-xs text-slate-600" data-testid="run-waiting">
      {waitingFor.runId ? (
        <>
          waiting for run{' '}
          <Link
            href={`/runs/${waitingFor.runId}`}
            title={waitingFor.reason}
            className="font-mono text-sky-700 underline-offset-2 hover:underline"
          >
            {waitingFor.runId.slice(0, 8)}
          </Link>
        </>
      ) : (
        <span title={waitingFor.reason}>waiting for its dataset</span>
      )}
    </span>
  );
}

export function LiveRunWaiting() {
  const { waitingFor, status } = useRunStreamContext();
  if (status !== 'queued' || !waitingFor) return null;
  return (
    <p className="text-sm text-slate-700" data-testid="run-waiting-reason" aria-live="polite">
      <RunWaitingReason waitingFor={waitingFor} />
      <span className="text-slate-500"> — {waitingFor.reason}</span>
    </p>
  );
}

/** The time, once a second while `running`: durations of running work grow; finished ones need no clock. */
function useTicker(running: boolean): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

export function LiveRunSteps() {
  const { steps, status } = useRunStreamContext();
  const now = useTicker(isInProgress(status));
  return <RunSteps steps={pipelineSteps(steps)} now={now} />;
}

/** Time since the run started, growing while it runs. */
export function LiveRunDuration() {
  const { status, startedAt = null, finishedAt = null } = useRunStreamContext();
  const now = useTicker(isInProgress(status));
  return (
    <span className="tabular-nums" suppressHydrationWarning>
      {formatDuration(elapsedMs(startedAt, finishedAt, now))}
    </span>
  );
}

export function LiveRunEvents() {
  const { events = [] } = useRunStreamContext();
  return <RunEvents events={events} />;
}

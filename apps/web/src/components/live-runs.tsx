'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from 'react';
import { runChangeMessageSchema, type RunStatus, type RunSummary } from '@relayboard/contracts';
import { compareRunsNewestFirst, isInProgress, matchesRunFilters, runsHref, type RunFilters } from '@/lib/runs';
import { RunsTable } from './runs-table';

interface LiveRunsProps {
  /** The page as the server read it. */
  initialRuns: RunSummary[];
  filters: RunFilters;
  /** The newest page: runs created while it is open are added to it. */
  firstPage: boolean;
  /** Older runs follow on a next page, so a run older than the last row belongs there, not here. */
  hasOlder: boolean;
  /** Kept in the URL of "Show newest". */
  limit?: string;
  /** When the server read the page (ISO), so the first render's durations match the server's. */
  renderedAt: string;
  /** Shown on the row of the connection state (the filter form). */
  toolbar?: ReactNode;
}

type Connection = 'connecting' | 'live' | 'reconnecting';

interface LiveState {
  /** The latest summary the stream sent, by run id. */
  latest: Map<string, RunSummary>;
  /** Runs the stream added to this page, which the server's read did not have. */
  added: string[];
  /** New runs matching the filters that belong on a newer page than this one. */
  newer: string[];
}

/** Where a streamed run goes: a row in view, a new row, a count of newer runs, or nowhere on this page. */
type Place = 'shown' | 'here' | 'newer' | 'elsewhere';

type LiveAction = { type: 'run'; run: RunSummary; place: Place };

function reduce(state: LiveState, action: LiveAction): LiveState {
  const { run, place } = action;
  // Runs of other pages are not kept: a board open all day would pile up every run's summary.
  if (place === 'elsewhere') return state;
  if (place === 'newer') return state.newer.includes(run.id) ? state : { ...state, newer: [...state.newer, run.id] };
  const latest = new Map(state.latest).set(run.id, run);
  if (place === 'here' && !state.added.includes(run.id)) return { ...state, latest, added: [...state.added, run.id] };
  return { ...state, latest };
}

const STAGE: Record<RunStatus, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, canceled: 2, skipped: 2 };

/** The later of two views of one run: the server's (read again on a refresh) or the stream's. */
function fresher(server: RunSummary, streamed: RunSummary | undefined): RunSummary {
  if (!streamed) return server;
  return STAGE[server.status] > STAGE[streamed.status] ? server : streamed;
}

/** How long a stream that the board could not open waits before trying again (EventSource gives up on an error answer). */
const RETRY_MS = 5_000;
/** Announcements this close together are read out as one. */
const ANNOUNCE_MS = 1_500;

/**
 * The runs table kept current by the api's stream of run changes (through the board's
 * proxy), without reloading: badges, durations and errors of the runs in view change as
 * they do, and on the first page new runs matching the filters are added at the top (the
 * page grows instead of dropping rows, so "Next page" still starts where it did). On a
 * later page, new runs are counted with a link to the newest. Finished and new runs are
 * announced politely, several at a time as one sentence.
 */
export function LiveRuns({ initialRuns, filters, firstPage, hasOlder, limit, renderedAt, toolbar }: LiveRunsProps) {
  const router = useRouter();
  const [state, dispatch] = useReducer(reduce, { latest: new Map(), added: [], newer: [] });
  // Null until the browser runs this component: a page without JavaScript has no stream to speak of.
  const [connection, setConnection] = useState<Connection | null>(null);
  const [now, setNow] = useState(() => new Date(renderedAt));
  // Keyed, so the same sentence twice (two runs of one dataset finishing) is read out twice.
  const [announcement, setAnnouncement] = useState({ text: '', key: 0 });

  const runs = useMemo(() => {
    const byId = new Map(initialRuns.map((run) => [run.id, fresher(run, state.latest.get(run.id))]));
    for (const id of state.added) {
      const run = state.latest.get(id);
      if (run && !byId.has(id)) byId.set(id, run);
    }
    return [...byId.values()].sort((a, b) => compareRunsNewestFirst(b, a));
  }, [initialRuns, state]);

  // The stream's handler reads the page as it is now without subscribing again on every change.
  const view = useRef({ runs, initialRuns });
  useEffect(() => {
    view.current = { runs, initialRuns };
  }, [runs, initialRuns]);

  // What the handler last decided per run, before React has rendered it: messages can come faster than renders.
  const handled = useRef(new Map<string, RunStatus>());
  const pendingAnnouncements = useRef<{ run: RunSummary; isNew: boolean }[]>([]);
  const announceTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const query = new URLSearchParams();
  if (filters.datasetName) query.set('datasetName', filters.datasetName);
  if (filters.status) query.set('status', filters.status);
  const streamUrl = `/api/runs/events${query.size > 0 ? `?${query}` : ''}`;

  useEffect(() => {
    const announce = (run: RunSummary, isNew: boolean) => {
      pendingAnnouncements.current.push({ run, isNew });
      announceTimer.current ??= setTimeout(() => {
        announceTimer.current = null;
        const text = describeChanges(pendingAnnouncements.current.splice(0));
        setAnnouncement((previous) => ({ text, key: previous.key + 1 }));
      }, ANNOUNCE_MS);
    };

    const place = (run: RunSummary): Exclude<Place, 'shown'> => {
      const read = view.current.initialRuns;
      if (!matchesRunFilters(run, filters)) return 'elsewhere';
      const newest = read[0];
      const oldest = read[read.length - 1];
      const olderThanPage = hasOlder && oldest !== undefined && compareRunsNewestFirst(run, oldest) < 0;
      if (olderThanPage) return 'elsewhere';
      if (firstPage) return 'here';
      return newest === undefined || compareRunsNewestFirst(run, newest) > 0 ? 'newer' : 'here';
    };

    const onRun = (message: MessageEvent<string>) => {
      const parsed = runChangeMessageSchema.safeParse(JSON.parse(message.data));
      if (!parsed.success) return;
      const run = parsed.data;
      const shownStatus = handled.current.get(run.id) ?? view.current.runs.find((known) => known.id === run.id)?.status;
      if (shownStatus !== undefined) {
        if (shownStatus !== run.status && !isInProgress(run.status)) announce(run, false);
        handled.current.set(run.id, run.status);
        dispatch({ type: 'run', run, place: 'shown' });
        return;
      }
      const where = place(run);
      if (where === 'here') {
        announce(run, true);
        handled.current.set(run.id, run.status);
      }
      dispatch({ type: 'run', run, place: where });
    };

    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let dropped = false;
    let first = true;
    const connect = () => {
      setConnection((previous) => previous ?? 'connecting');
      const current = new EventSource(streamUrl);
      source = current;
      current.addEventListener('open', () => {
        setConnection('live');
        // The stream has no backlog: what changed while it was down, or since an old page was
        // read (one restored from history), comes from reading the page again.
        const stale = first && Date.now() - Date.parse(renderedAt) > 3_000;
        if (dropped || stale) router.refresh();
        dropped = false;
        first = false;
      });
      current.addEventListener('run', onRun as EventListener);
      current.addEventListener('error', () => {
        dropped = true;
        setConnection('reconnecting');
        // EventSource reconnects by itself after a dropped stream, but not after an answer that is not one.
        if (current.readyState === EventSource.CLOSED) {
          current.close();
          retry = setTimeout(connect, RETRY_MS);
        }
      });
    };
    connect();
    return () => {
      source?.close();
      if (retry) clearTimeout(retry);
      if (announceTimer.current) clearTimeout(announceTimer.current);
      announceTimer.current = null;
    };
    // One stream per filter set and page; the page is a new component (keyed) when they change.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the rest is fixed for the keyed component's life
  }, [streamUrl]);

  const inFlight = runs.some((run) => isInProgress(run.status));
  // Durations of runs still going grow each second; a page of finished runs needs no clock.
  useEffect(() => {
    if (!inFlight) return;
    const tick = () => setNow(new Date());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [inFlight]);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        {toolbar}
        {connection && <ConnectionState connection={connection} />}
      </div>
      {state.newer.length > 0 && (
        <p
          className="rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900"
          data-testid="newer-runs"
        >
          {state.newer.length} new run{state.newer.length === 1 ? '' : 's'} since this page loaded.{' '}
          <Link
            href={runsHref(filters, limit ? { limit } : {})}
            className="font-medium text-sky-800 underline underline-offset-2"
          >
            Show the newest runs
          </Link>
        </p>
      )}
      <RunsTable runs={runs} now={now} filtered={Boolean(filters.datasetName || filters.status)} />
      <div className="sr-only" role="status" data-testid="runs-announcer">
        {announcement.text && <p key={announcement.key}>{announcement.text}</p>}
      </div>
    </div>
  );
}

function ConnectionState({ connection }: { connection: Connection }) {
  const label = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' }[connection];
  const dot = { connecting: 'bg-slate-400', live: 'bg-emerald-500', reconnecting: 'bg-amber-500' }[connection];
  return (
    <p className="flex items-center gap-2 pb-2 text-xs text-slate-600" data-testid="runs-connection">
      <span
        aria-hidden="true"
        className={`size-2 rounded-full ${dot} ${connection === 'live' ? '' : 'animate-pulse motion-reduce:animate-none'}`}
      />
      {label}
    </p>
  );
}

/** One sentence for a few changes, counts for many, so a busy board does not talk over itself. */
function describeChanges(changes: { run: RunSummary; isNew: boolean }[]): string {
  if (changes.length <= 3) {
    return changes
      .map(({ run, isNew }) =>
        isNew ? `New run of ${run.datasetName}, ${run.status}.` : `Run of ${run.datasetName} ${run.status}.`,
      )
      .join(' ');
  }
  const added = changes.filter((change) => change.isNew).length;
  const finished = new Map<string, number>();
  for (const { run, isNew } of changes) if (!isNew) finished.set(run.status, (finished.get(run.status) ?? 0) + 1);
  const parts = [...finished].map(([status, count]) => `${count} ${status}`);
  if (added > 0) parts.push(`${added} new`);
  return `${changes.length} runs changed: ${parts.join(', ')}.`;
}

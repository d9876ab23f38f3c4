import { Observable, share } from 'rxjs';
import type { RunStatus, RunSummary } from '@relayboard/contracts';
import type { RunChangesListener } from './run-changes.listener';
import { toRunSummaryDto } from './runs.dto';
import type { RunsRepository, RunWithDataset } from './runs.repository';

export interface RunSummaryChange {
  summary: RunSummary;
  /** The status last sent for the run; null for a run not sent before (a new one, mostly). */
  previousStatus: RunStatus | null;
}

/** Notifications this close together are read as one batch: a run writes many events while it runs. */
const BATCH_MS = 150;
/** How often in-flight runs are read again, in case a notification was lost while the LISTEN connection was down. */
const SWEEP_MS = 5_000;
/** Runs whose last sent summary is remembered, so an unchanged one is not sent again. */
const REMEMBERED_RUNS = 5_000;

/**
 * Every run's summary whenever it changes, shared by all the `GET /v1/runs/events`
 * streams of this api process: the one LISTEN connection says which runs changed,
 * each batch of them is read once, and only summaries that differ from the last one
 * sent go out. With no stream open, nothing is read. (Free of Nest, so its logic is
 * unit-tested as it is; runs.module.ts provides it.)
 */
export class RunSummaryFeed {
  private readonly feed: Observable<RunSummaryChange>;
  /** Sends a run read by this process through the open feed, if one is open. */
  private offer: ((row: RunWithDataset) => void) | null = null;

  constructor(
    private readonly listener: Pick<RunChangesListener, 'all'>,
    private readonly runs: Pick<RunsRepository, 'find' | 'findMany' | 'inFlightIds'>,
    private readonly warn: (message: string) => void,
  ) {
    this.feed = new Observable<RunSummaryChange>((subscriber) => {
      const sent = new Map<string, { serialized: string; status: RunStatus }>();
      const pending = new Set<string>();
      let timer: NodeJS.Timeout | null = null;
      let reading = false;
      let closed = false;

      const remember = (summary: RunSummary, serialized: string) => {
        // Re-inserted so the map's order is least recently changed first.
        sent.delete(summary.id);
        sent.set(summary.id, { serialized, status: summary.status });
        if (sent.size > REMEMBERED_RUNS) sent.delete(sent.keys().next().value as string);
      };

      const send = (row: RunWithDataset) => {
        if (closed) return;
        const summary = toRunSummaryDto(row);
        const serialized = JSON.stringify(summary);
        const last = sent.get(summary.id);
        if (last?.serialized === serialized) return;
        remember(summary, serialized);
        subscriber.next({ summary, previousStatus: last?.status ?? null });
      };
      this.offer = send;

      const read = async () => {
        const ids = [...pending];
        pending.clear();
        for (const row of await this.runs.findMany(ids)) send(row);
      };

      const flush = () => {
        timer = null;
        if (reading || pending.size === 0 || closed) return;
        reading = true;
        read()
          .catch((error: Error) =>
            this.warn(
              `reading changed runs failed (${error.message}); they are read again on their next change or sweep`,
            ),
          )
          .finally(() => {
            reading = false;
            if (pending.size > 0) schedule();
          });
      };
      const schedule = () => {
        timer ??= setTimeout(flush, BATCH_MS);
      };

      const changes = this.listener.all().subscribe({
        next: (id) => {
          pending.add(id);
          schedule();
        },
        complete: () => subscriber.complete(),
      });

      // The runs in flight when the feed starts are remembered as they are, so only their next change is sent.
      const primed = this.runs
        .inFlightIds()
        .then(async (ids) => {
          if (ids.length === 0 || closed) return;
          for (const row of await this.runs.findMany(ids)) {
            const summary = toRunSummaryDto(row);
            if (!sent.has(summary.id)) remember(summary, JSON.stringify(summary));
          }
        })
        .catch((error: Error) => this.warn(`reading runs in flight failed: ${error.message}`));

      const sweep = setInterval(() => {
        void primed
          .then(() => this.runs.inFlightIds())
          .then((ids) => {
            for (const id of ids) pending.add(id);
            // Runs that were in flight when last sent, and may have finished unnoticed.
            for (const [id, last] of sent) if (last.status === 'queued' || last.status === 'running') pending.add(id);
            schedule();
          })
          .catch((error: Error) => this.warn(`sweeping runs in flight failed: ${error.message}`));
      }, SWEEP_MS);

      return () => {
        closed = true;
        if (this.offer === send) this.offer = null;
        changes.unsubscribe();
        clearInterval(sweep);
        if (timer) clearTimeout(timer);
      };
    }).pipe(share());
  }

  /**
   * A run this process has just queued goes out at once, before its job is handed to the
   * queue: batched with the worker's first changes, its queued state would not be seen.
   */
  async created(runId: string): Promise<void> {
    if (!this.offer) return;
    const row = await this.runs.find(runId);
    if (row) this.offer?.(row);
  }

  /** Summaries of runs as they change, from when the subscriber joins (no backlog). */
  changes(): Observable<RunSummaryChange> {
    return this.feed;
  }
}

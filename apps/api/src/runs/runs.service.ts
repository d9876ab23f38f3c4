import { Inject, Injectable, Logger, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ErrorCode, type ListRunsQuery, type Run, type RunAccepted, type RunDigest, type RunList, type RunStateMessage } from '@relayboard/contracts';
import type { PipelineQueue } from '@relayboard/queue';
import { DomainError } from '../common/domain-error';
import { PIPELINE_QUEUE } from '../core/tokens';
import { DatasetsRepository } from '../datasets/datasets.repository';
import { decodeCursor, page } from '../common/cursor';
import { RunChangesListener } from './run-changes.listener';
import { toEventDto, toRunDto, toRunSummaryDto, toStepDtos } from './runs.dto';
import { RunsRepository } from './runs.repository';

/** Events read per query while a stream catches up. */
const EVENTS_PER_READ = 500;
/** How often a stream looks again without a notification (the LISTEN connection may have dropped). */
const SWEEP_MS = 5_000;
const FINAL_STATUSES = new Set(['succeeded', 'failed', 'canceled']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class RunsService {
  private readonly logger = new Logger('runs');

  constructor(
    private readonly runs: RunsRepository,
    private readonly datasets: DatasetsRepository,
    private readonly changes: RunChangesListener,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {}

  async trigger(datasetName: string, options: { refresh: boolean }, trigger = 'api'): Promise<RunAccepted> {
    const found = await this.datasets.findByName(datasetName);
    if (!found) {
      throw new DomainError(ErrorCode.DatasetNotFound, `no dataset named "${datasetName}"; register it first with POST /v1/datasets/csv`);
    }
    if (options.refresh && (found.dataset.source_type !== 'url' || !found.dataset.source_url)) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `dataset "${datasetName}" was uploaded, so it has no URL to fetch again; upload the new file with POST /v1/datasets/${datasetName}/upload, then run it without refresh`,
      );
    }
    // A refresh run is pointed at the version its fetch step records; until then it names the current one.
    const run = await this.runs.createQueued(found.dataset.id, found.dataset.current_version_id, trigger, options.refresh);
    try {
      await this.queue.enqueueRun(run.id);
    } catch (error) {
      // Postgres holds the run; the reconciler enqueues it once Redis answers again.
      this.logger.warn(`run ${run.id} is recorded but not yet enqueued: ${(error as Error).message}`);
      await this.runs.addEvent(run.id, 'warn', `queue unavailable (${(error as Error).message}); the run will be enqueued when Redis answers again`);
    }
    return { runId: run.id, status: run.status };
  }

  async get(id: string): Promise<Run> {
    const run = UUID.test(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    const [steps, events, nodes, deliveries] = await Promise.all([this.runs.steps(id), this.runs.events(id), this.runs.nodes(id), this.runs.deliveries(id)]);
    return toRunDto(run, steps, events, nodes, deliveries);
  }

  async digest(id: string): Promise<RunDigest> {
    const run = UUID.test(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    return { runId: id, digest: (await this.runs.digest(id)) as RunDigest['digest'] };
  }

  async list(query: ListRunsQuery): Promise<RunList> {
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string']) : null;
    const rows = await this.runs.list(query, after ? { createdAt: String(after[0]), id: String(after[1]) } : null, query.limit + 1);
    const { items, nextCursor } = page(rows, query.limit, (r) => [r.created_at.toISOString(), r.id]);
    return { runs: items.map(toRunSummaryDto), nextCursor };
  }

  /**
   * The run's events as server-sent events: those after `lastEventId` first,
   * then each new one as the worker writes it (woken by the database's
   * notifications, and every few seconds in case one was missed), and the run's
   * state whenever it changes; the stream ends once the run has finished and
   * every event was sent.
   */
  async events(id: string, lastEventId: string | undefined): Promise<Observable<MessageEvent>> {
    const run = UUID.test(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    let after = /^\d+$/.test(lastEventId ?? '') ? Number(lastEventId) : 0;
    return new Observable<MessageEvent>((subscriber) => {
      let running = false;
      let again = false;
      let lastState = '';
      const pump = async (): Promise<void> => {
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            const events = await this.runs.eventsAfter(id, after, EVENTS_PER_READ);
            for (const event of events) {
              subscriber.next({ id: event.id, type: 'run-event', data: toEventDto(event) });
              after = Number(event.id);
            }
            const current = await this.runs.find(id);
            if (!current) return subscriber.complete();
            const steps = await this.runs.steps(id);
            const state: RunStateMessage = { run: toRunSummaryDto(current), steps: toStepDtos(steps) };
            const serialized = JSON.stringify(state);
            if (serialized !== lastState) {
              lastState = serialized;
              subscriber.next({ type: 'run', data: state });
            }
            if (FINAL_STATUSES.has(current.status) && events.length < EVENTS_PER_READ) return subscriber.complete();
            if (events.length === EVENTS_PER_READ) again = true;
          } while (again && !subscriber.closed);
        } catch (error) {
          subscriber.error(error);
        } finally {
          running = false;
        }
      };
      const changes = this.changes.forRun(id).subscribe(() => void pump());
      const sweep = setInterval(() => void pump(), SWEEP_MS);
      void pump();
      return () => {
        changes.unsubscribe();
        clearInterval(sweep);
      };
    });
  }
}

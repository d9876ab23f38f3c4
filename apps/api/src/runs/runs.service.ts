import { Inject, Injectable, Logger, type MessageEvent } from '@nestjs/common';
import { filter, map, Observable } from 'rxjs';
import { createHash } from 'node:crypto';
import {
  isUuid,
  ErrorCode,
  FINAL_RUN_STATUSES,
  IDEMPOTENCY_KEY_TTL_HOURS,
  type ListRunsQuery,
  type Run,
  type RunAccepted,
  type RunDigest,
  type RunChangesQuery,
  type RunList,
  type RunPipelineRequest,
  type RunStateMessage,
  type RunSummary,
} from '@relayboard/contracts';
import type { PipelineQueue } from '@relayboard/queue';
import { DomainError } from '../common/domain-error';
import { PIPELINE_QUEUE } from '../core/tokens';
import { DatasetsRepository } from '../datasets/datasets.repository';
import { decodeCursor, encodeCursor, page } from '../common/cursor';
import { RunChangesListener } from './run-changes.listener';
import { toEventDto, toRunDto, toRunSummaryDto, toStepDtos } from './runs.dto';
import { RunSummaryFeed } from './run-summary-feed';
import { RunsRepository, type RunKey, type RunWithDataset } from './runs.repository';

/** Events read per query while a stream catches up. */
const EVENTS_PER_READ = 500;
/** How often a stream looks again without a notification (the LISTEN connection may have dropped). */
const SWEEP_MS = 5_000;
const FINAL_STATUSES = new Set<string>(FINAL_RUN_STATUSES);

/** How often an otherwise quiet stream of run changes sends a comment. */
const KEEP_ALIVE_MS = 15_000;

/** Idempotency keys are scoped to the endpoint they were sent to. */
const RUN_REQUEST_SCOPE = 'POST /v1/pipelines/run';

/** The same body, whatever the order of its fields: JSON with sorted keys, hashed. */
function fingerprint(body: object): string {
  const sorted = JSON.stringify(body, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(sorted).digest('hex');
}

/** What POST /v1/pipelines/run answers, and whether it is a stored answer replayed for its Idempotency-Key. */
export interface RunRequestResult {
  status: number;
  body: RunAccepted;
  replayed: boolean;
}

const keyOf = (row: RunWithDataset): [string, string] => [row.created_key, row.id];

function runKey(cursor: string): RunKey {
  const [createdAt, id] = decodeCursor(cursor, ['string', 'string']);
  return { createdAt: String(createdAt), id: String(id) };
}

@Injectable()
export class RunsService {
  private readonly logger = new Logger('runs');

  constructor(
    private readonly runs: RunsRepository,
    private readonly datasets: DatasetsRepository,
    private readonly changes: RunChangesListener,
    private readonly feed: RunSummaryFeed,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {}

  /**
   * A run of the dataset: the dataset's queued run when it has one that does
   * what is asked (unless `force`), else a new one. With an Idempotency-Key,
   * the same key and body replay the first answer (the same run), and the same
   * key with another body is refused.
   */
  async trigger(request: RunPipelineRequest, idempotencyKey?: string, trigger = 'api'): Promise<RunRequestResult> {
    const { datasetName } = request;
    const refresh = request.refresh ?? false;
    const found = await this.datasets.findByName(datasetName);
    if (!found) {
      throw new DomainError(
        ErrorCode.DatasetNotFound,
        `no dataset named "${datasetName}"; register it first with POST /v1/datasets/csv`,
      );
    }
    if (refresh && (found.dataset.source_type !== 'url' || !found.dataset.source_url)) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `dataset "${datasetName}" was uploaded, so it has no URL to fetch again; upload the new file with POST /v1/datasets/${datasetName}/upload, then run it without refresh`,
      );
    }
    const idempotency =
      idempotencyKey === undefined
        ? undefined
        : {
            scope: RUN_REQUEST_SCOPE,
            key: idempotencyKey,
            fingerprint: fingerprint(request),
            ttlHours: IDEMPOTENCY_KEY_TTL_HOURS,
          };
    // A refresh run is pointed at the version its fetch step records; until then it names the current one.
    const outcome = await this.runs.requestRun({
      datasetId: found.dataset.id,
      datasetVersionId: found.dataset.current_version_id,
      trigger,
      refresh,
      force: request.force ?? false,
      idempotency,
    });
    if (outcome.kind === 'replay') {
      if (outcome.stored.fingerprint !== idempotency!.fingerprint) {
        throw new DomainError(
          ErrorCode.IdempotencyKeyReused,
          `Idempotency-Key "${idempotencyKey}" was used at ${outcome.stored.created_at.toISOString()} with another request body; send a new key for a new request (keys are kept ${IDEMPOTENCY_KEY_TTL_HOURS} h)`,
        );
      }
      return {
        status: outcome.stored.response_status,
        body: outcome.stored.response_body as unknown as RunAccepted,
        replayed: true,
      };
    }
    const run = outcome.created;
    if (run) {
      await this.feed
        .created(run.id)
        .catch((error: Error) =>
          this.logger.warn(`run ${run.id} was not sent to the open run streams: ${error.message}`),
        );
      await this.enqueue(run.id, () => this.queue.enqueueRun(run.id));
    }
    return { ...outcome.answer, replayed: false };
  }

  /** Hands the run to the queue; PostgreSQL holds it whatever Redis says, and the reconciler enqueues it once Redis answers again. */
  private async enqueue(runId: string, add: () => Promise<void>): Promise<void> {
    try {
      await add();
    } catch (error) {
      // A retried run's dead job may have been replaced meanwhile by the reconciler's: then the queue has it.
      if ((await this.queue.runJobState(runId).catch(() => null))?.live) return;
      this.logger.warn(`run ${runId} is recorded but not yet enqueued: ${(error as Error).message}`);
      await this.runs.addEvent(
        runId,
        'warn',
        `queue unavailable (${(error as Error).message}); the run will be enqueued when Redis answers again`,
      );
    }
  }

  /**
   * Resumes a failed or canceled run from its first step that did not succeed
   * (POST /v1/runs/:id/retry): the run goes back to queued as its next retry
   * generation and its job is enqueued again.
   */
  async retry(id: string, by: string): Promise<RunSummary> {
    const run = isUuid(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    const retried = await this.runs.retry(id, by);
    if (!retried) {
      const status = (await this.runs.status(id)) ?? run.status;
      const hint =
        status === 'succeeded' || status === 'skipped'
          ? 'start a new run with POST /v1/pipelines/run'
          : `it has not ended yet: wait for it, or cancel it with POST /v1/runs/${id}/cancel and retry it then`;
      throw new DomainError(
        ErrorCode.RunNotRetryable,
        `run ${id} is ${status}; only failed or canceled runs can be retried: ${hint}`,
        { status },
      );
    }
    this.logger.log(`run ${id} retried by ${by} (retry ${retried.generation}), resuming from ${retried.resumeFrom}`);
    await this.enqueue(id, () => this.queue.requeueRun(id));
    return toRunSummaryDto((await this.runs.find(id))!);
  }

  /**
   * Cancels a run (POST /v1/runs/:id/cancel): a queued one at once (its job is
   * taken out of the queue), a running one by its worker, which polls the
   * request and stops the step it is in.
   */
  async cancel(id: string, reason: string | undefined, by: string): Promise<RunSummary> {
    const run = isUuid(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    const outcome = await this.runs.cancel(id, reason ?? 'no reason given', by);
    if (outcome.kind === 'missing')
      throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    if (outcome.kind === 'ended') {
      throw new DomainError(
        ErrorCode.RunNotCancelable,
        `run ${id} already ended (${outcome.status}); only queued or running runs can be canceled${outcome.status === 'failed' || outcome.status === 'canceled' ? `; retry it with POST /v1/runs/${id}/retry` : ''}`,
        { status: outcome.status },
      );
    }
    if (outcome.kind === 'canceled') {
      // A worker that takes the job meanwhile finds the run canceled and leaves it.
      await this.queue
        .removeRun(id)
        .catch((error: Error) =>
          this.logger.warn(`canceled run ${id}'s job was not taken out of the queue: ${(error as Error).message}`),
        );
    }
    this.logger.log(`run ${id} ${outcome.kind === 'canceled' ? 'canceled' : 'asked to stop'} by ${by}`);
    return toRunSummaryDto((await this.runs.find(id))!);
  }

  async get(id: string): Promise<Run> {
    const run = isUuid(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    const [steps, events, nodes, deliveries] = await Promise.all([
      this.runs.steps(id),
      this.runs.events(id),
      this.runs.nodes(id),
      this.runs.deliveries(id),
    ]);
    return toRunDto(run, steps, events, nodes, deliveries);
  }

  async digest(id: string): Promise<RunDigest> {
    const run = isUuid(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    return { runId: id, digest: (await this.runs.digest(id)) as RunDigest['digest'] };
  }

  /**
   * A page of runs, newest first: the first, the one older than `cursor`, or the one
   * newer than `before` (the first page instead once fewer than a page of newer runs remain).
   */
  async list(query: ListRunsQuery): Promise<RunList> {
    const after = query.cursor ? runKey(query.cursor) : undefined;
    const before = query.before ? runKey(query.before) : undefined;
    const rows = await this.runs.list(query, { after, before }, query.limit + 1);
    if (before) {
      // Newest first: with limit + 1 rows the extra one is the newest, and a page before this one exists.
      if (rows.length <= query.limit) return this.list({ ...query, before: undefined });
      const items = rows.slice(1);
      return {
        runs: items.map(toRunSummaryDto),
        nextCursor: encodeCursor(keyOf(items[items.length - 1])),
        prevCursor: encodeCursor(keyOf(items[0])),
      };
    }
    const { items, nextCursor } = page(rows, query.limit, keyOf);
    const prevCursor = after && items.length > 0 ? encodeCursor(keyOf(items[0])) : null;
    return { runs: items.map(toRunSummaryDto), nextCursor, prevCursor };
  }

  /**
   * Every run's summary as it changes, for `GET /v1/runs/events`: one shared feed
   * (one LISTEN connection, one read per batch of changes) filtered per subscriber,
   * with a comment every few seconds so proxies keep the stream open.
   */
  async summaryChanges(query: RunChangesQuery): Promise<Observable<MessageEvent>> {
    // The response starts once the api is listening, so a client that opened the stream sees every change after it.
    await this.changes.listening();
    const runs = this.feed.changes().pipe(
      filter(({ summary, previousStatus }) => {
        if (query.datasetName && summary.datasetName !== query.datasetName) return false;
        return !query.status || summary.status === query.status || previousStatus === query.status;
      }),
      map(({ summary }): MessageEvent => ({ type: 'run', data: summary })),
    );
    return new Observable<MessageEvent>((subscriber) => {
      // The feed ends when the api shuts down, and so does the response, which would otherwise hold the server open.
      const subscription = runs.subscribe(subscriber);
      const keepAlive = setInterval(() => subscriber.next({ comment: 'keep-alive' }), KEEP_ALIVE_MS);
      return () => {
        subscription.unsubscribe();
        clearInterval(keepAlive);
      };
    });
  }

  /**
   * The run's events as server-sent events: those after `lastEventId` first,
   * then each new one as the worker writes it (woken by the database's
   * notifications, and every few seconds in case one was missed), and the run's
   * state whenever it changes; the stream ends once the run has finished and
   * every event was sent.
   */
  async events(id: string, lastEventId: string | undefined): Promise<Observable<MessageEvent>> {
    const run = isUuid(id) ? await this.runs.find(id) : null;
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
            // The state before the events: every event the worker wrote before finishing the run
            // is then read before the stream ends (read the other way round, one could commit in between).
            const current = await this.runs.find(id);
            if (!current) return subscriber.complete();
            const steps = await this.runs.steps(id);
            const events = await this.runs.eventsAfter(id, after, EVENTS_PER_READ);
            for (const event of events) {
              subscriber.next({ id: event.id, type: 'run-event', data: toEventDto(event) });
              after = Number(event.id);
            }
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

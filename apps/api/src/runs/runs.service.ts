import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type ListRunsQuery, type Run, type RunAccepted, type RunDigest, type RunSummary } from '@relayboard/contracts';
import type { PipelineQueue } from '@relayboard/queue';
import { DomainError } from '../common/domain-error';
import { PIPELINE_QUEUE } from '../core/tokens';
import { DatasetsRepository } from '../datasets/datasets.repository';
import { toRunDto, toRunSummaryDto } from './runs.dto';
import { RunsRepository } from './runs.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class RunsService {
  private readonly logger = new Logger('runs');

  constructor(
    private readonly runs: RunsRepository,
    private readonly datasets: DatasetsRepository,
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

  async list(query: ListRunsQuery): Promise<RunSummary[]> {
    return (await this.runs.list(query)).map(toRunSummaryDto);
  }

  /** Enqueues queued runs that Redis does not know (lost on a Redis restart, or Redis was down at trigger time). */
  async reconcile(olderThanMs = 10_000): Promise<number> {
    let enqueued = 0;
    for (const id of await this.runs.queuedBefore(new Date(Date.now() - olderThanMs))) {
      if (await this.queue.hasJob(id)) continue;
      await this.queue.enqueueRun(id);
      await this.runs.addEvent(id, 'info', 'enqueued again: the queue had no job for this queued run');
      enqueued++;
    }
    return enqueued;
  }
}

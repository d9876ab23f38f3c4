import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@relayboard/config';
import type { DatasetLocks } from '@relayboard/db';
import type { PipelineQueue } from '@relayboard/queue';
import { APP_CONFIG, DATASET_LOCKS, PIPELINE_QUEUE } from '../core/tokens';
import { SchedulesService } from '../schedules/schedules.service';
import { decide } from './reconcile-decision';
import { RunsRepository } from './runs.repository';

/** A queued run younger than this may still be between its insert and its enqueue. */
const QUEUED_GRACE_MS = 10_000;

export interface ReconcileOutcome {
  requeued: number;
  failed: number;
  canceled: number;
}

/**
 * The one place that makes the queue agree with PostgreSQL, the source of
 * truth for runs: at start and every RECONCILE_INTERVAL_MS, every run that is
 * queued or running with no live job (Redis restarted empty or flushed, the
 * job removed, or failed by BullMQ as "stalled more than allowable limit"
 * after its worker died twice) is enqueued again, resuming from its step, or,
 * past RUN_MAX_RECOVERIES, failed with its reason (see reconcile-decision.ts).
 * A run whose dataset lock a live run holds is not touched. Each pass also
 * re-syncs the dataset schedules' BullMQ job schedulers from PostgreSQL.
 */
@Injectable()
export class RunsReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('reconciler');
  private timer?: NodeJS.Timeout;
  private running: Promise<ReconcileOutcome> | null = null;

  constructor(
    private readonly runs: RunsRepository,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
    @Inject(DATASET_LOCKS) private readonly locks: DatasetLocks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly schedules: SchedulesService,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () =>
      this.reconcile()
        .then(({ requeued, failed, canceled }) => {
          if (requeued) this.logger.log(`enqueued ${requeued} unfinished run(s) that had no live job in the queue`);
          if (failed) this.logger.warn(`failed ${failed} run(s) recovered as often as RUN_MAX_RECOVERIES allows`);
          if (canceled) this.logger.log(`canceled ${canceled} cancel-requested run(s) that no worker was running`);
        })
        .catch((error: Error) => this.logger.warn(`could not reconcile unfinished runs: ${error.message}`))
        .then(() => this.syncSchedules());
    void tick();
    this.timer = setInterval(tick, this.config.reconcile.intervalMs);
    this.timer.unref();
  }

  /** BullMQ's job schedulers re-created from PostgreSQL's schedules (Redis flushed or restarted empty), stale ones removed. */
  private async syncSchedules(): Promise<void> {
    try {
      const { upserted, removed } = await this.schedules.resync();
      if (upserted)
        this.logger.log(`re-created ${upserted} dataset schedule(s) the queue did not hold as PostgreSQL has them`);
      if (removed) this.logger.log(`removed ${removed} job scheduler(s) of paused or deleted schedules`);
    } catch (error) {
      this.logger.warn(`could not re-sync the dataset schedules with the queue: ${(error as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; passes never overlap. */
  reconcile(): Promise<ReconcileOutcome> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<ReconcileOutcome> {
    const outcome: ReconcileOutcome = { requeued: 0, failed: 0, canceled: 0 };
    const unfinished = await this.runs.unfinished();
    if (!unfinished.length) return outcome;
    const held = await this.locks.held([...new Set(unfinished.map((r) => r.dataset_name))]);
    // Only a cancel-requested run needs to know whether any worker is there to stop it.
    const workers = unfinished.some((r) => r.cancel_requested_at) ? await this.queue.workers() : undefined;
    for (const run of unfinished) {
      const job = await this.queue.runJobState(run.id);
      if (job.live && !(run.cancel_requested_at && workers === 0)) continue;
      // The job is read after the row: a run that ended meanwhile (its row is written before its job ends) is left alone.
      const status = await this.runs.status(run.id);
      if (status !== 'queued' && status !== 'running') continue;
      const decision = decide(
        {
          status,
          ageMs: Date.now() - run.created_at.getTime(),
          job,
          lockHeld: held.has(run.dataset_name),
          recoveries: await this.runs.recoveries(run.id),
          cancelRequested: run.cancel_requested_at ? { reason: run.cancel_reason } : null,
          workers,
        },
        { maxRecoveries: this.config.reconcile.maxRecoveries, queuedGraceMs: QUEUED_GRACE_MS },
      );
      if (decision.action === 'requeue') {
        await this.queue.requeueRun(run.id);
        await this.runs.addEvent(run.id, 'warn', decision.message, { recovery: job.state });
        this.logger.log(`run ${run.id}: ${decision.message}`);
        outcome.requeued++;
      } else if (decision.action === 'cancel') {
        await this.queue.removeRun(run.id);
        if (await this.runs.cancelUnfinished(run.id, decision.reason)) {
          this.logger.log(`run ${run.id}: ${decision.reason}`);
          outcome.canceled++;
        }
      } else if (decision.action === 'fail') {
        if (await this.runs.failUnfinished(run.id, decision.reason)) {
          this.logger.warn(`run ${run.id} failed: ${decision.reason}`);
          outcome.failed++;
        }
      }
    }
    return outcome;
  }
}

import type { StepName } from '@relayboard/contracts';
import { JobDefer, type PipelineJobContext } from '@relayboard/queue';
import type { DatasetLocks, HeldLock, RunContext, RunStore } from '@relayboard/db';
import type { Logger } from './log';

/**
 * The run lock as the runner takes it: one run of a dataset at a time (staging
 * swaps, dbt builds), on any number of workers, by the dataset's advisory lock
 * (DatasetLocks in packages/db, which the api's deletes and reconciler take too).
 * A run that finds it held waits in the queue, not in a worker slot; the run
 * that lets it go wakes the waiting ones.
 */
export class RunLock {
  constructor(
    private readonly locks: DatasetLocks,
    private readonly runs: Pick<RunStore, 'unfinished' | 'markWaiting' | 'waitingRuns' | 'event'>,
    /** RUN_WAIT_RECHECK_MS: how long a run waiting for its dataset stays in the delayed set before it looks again. */
    private readonly waitRecheckMs: number,
  ) {}

  /**
   * The dataset's lock, or null when the run already ended. When another run (or a
   * delete) holds it, the run goes back to queued with the holder on its row (one
   * event per holder) and its job to the delayed set (JobDefer: no attempt spent, no
   * worker slot held); the holder promotes it when it ends, else it looks again after
   * RUN_WAIT_RECHECK_MS.
   */
  async take(job: PipelineJobContext, context: RunContext, log: Logger): Promise<HeldLock | null> {
    const { runId } = job;
    const dataset = context.dataset.name;
    for (let look = 0; ; look++) {
      if (!(await this.runs.unfinished(runId))) {
        log.info(`run ${runId} already ended; nothing to do`);
        return null;
      }
      const lock = await this.locks.tryAcquire(dataset, runId);
      if (lock) return lock;
      // Looked twice: the holder may have ended between the first look and the row saying this run waits (and found nobody to promote).
      if (look === 1) break;
      const holder = await this.locks.holder(dataset);
      if (holder?.runId === runId) {
        // An earlier attempt of this run (a worker BullMQ took for stalled, still alive) holds it: its end ends the run.
        log.info(
          `run ${runId}: an earlier attempt still holds ${dataset}'s lock; this job looks again in ${this.waitRecheckMs} ms`,
        );
        continue;
      }
      const reason = holder?.runId
        ? `waiting for run ${holder.runId} of ${dataset} to finish: runs of one dataset take turns`
        : `waiting for ${dataset}'s lock (held by ${holder ? `session ${holder.session || 'unnamed'}, a delete of the dataset or an older worker` : 'a session that just let it go'}): runs of one dataset take turns`;
      if (await this.runs.markWaiting(runId, holder?.runId ?? null, reason)) {
        log.info(`run ${runId} ${reason}; it waits in the queue without holding a worker slot`);
        await this.runs.event(
          runId,
          null,
          'info',
          `${reason}; this run waits in the queue without holding a worker slot`,
          holder?.runId ? { waitingFor: holder.runId } : undefined,
        );
      }
    }
    throw new JobDefer(
      this.waitRecheckMs,
      `run ${runId} waits for ${dataset}; its job looks again in ${this.waitRecheckMs} ms`,
    );
  }

  /** The dataset is free again: its waiting runs' jobs start now rather than after RUN_WAIT_RECHECK_MS. */
  async wakeWaiting(job: PipelineJobContext, context: RunContext, log: Logger): Promise<void> {
    try {
      const waiting = (await this.runs.waitingRuns(context.dataset.id)).filter((id) => id !== job.runId);
      if (waiting.length) await job.promote(waiting);
    } catch (error) {
      log.error(
        `could not promote the runs waiting for ${context.dataset.name} (${(error as Error).message}); they look again within RUN_WAIT_RECHECK_MS`,
      );
    }
  }

  /**
   * Before a try of a step: if PostgreSQL dropped the dataset's lock (it
   * restarted), takes it again, waiting for a run that took it meanwhile.
   * True when it had been lost (the step may have been done, or the run ended,
   * by another execution meanwhile).
   */
  async retakeIfLost(
    lock: HeldLock,
    runId: string,
    dataset: string,
    step: StepName,
    attempt: number,
  ): Promise<boolean> {
    const retaken = await lock.ensure(() =>
      this.runs.event(
        runId,
        step,
        'info',
        `waiting for another run of ${dataset} to finish: the dataset's lock was lost with its database session`,
      ),
    );
    if (!retaken) return false;
    await this.runs.event(
      runId,
      step,
      'info',
      `took the lock of ${dataset} again before attempt ${attempt} (its database session was lost)`,
    );
    return true;
  }
}

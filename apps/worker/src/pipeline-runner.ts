import { STEP_NAMES, type StepMetrics } from '@relayboard/contracts';
import { JobDefer, JobYield, UnrecoverableError, type PipelineJobContext } from '@relayboard/queue';
import type { DatasetLocks, HeldLock } from '@relayboard/db';
import type { RunContext, RunsRepository } from './runs.repository';
import { DeliveryProblem, PermanentStepError, type PipelineStep, type StepContext, type StepState } from './steps/step';

export interface Logger {
  info(message: string): void;
  error(message: string): void;
}

/**
 * Runs a run's steps in order. Postgres records each step as it goes; a step
 * that already succeeded (in an earlier attempt, maybe on another worker) is
 * not run again, so a retried run finishes without duplicate work.
 */
export class PipelineRunner {
  constructor(
    private readonly repo: RunsRepository,
    private readonly steps: PipelineStep[],
    private readonly log: Logger,
    private readonly locks: DatasetLocks,
    /** RUN_WAIT_RECHECK_MS: how long a run waiting for its dataset stays in the delayed set before it looks again. */
    private readonly waitRecheckMs = 5_000,
  ) {
    const order = steps.map((s) => s.name).join(',');
    if (order !== STEP_NAMES.join(',')) throw new Error(`pipeline steps must be ${STEP_NAMES.join(', ')}; got ${order}`);
  }

  async run(job: PipelineJobContext): Promise<void> {
    const { runId } = job;
    const context = await this.repo.load(runId);
    if (!context) throw new UnrecoverableError(`run ${runId} or its dataset version no longer exists`);
    // Runs of one dataset take turns (staging swaps, dbt builds); runs of different datasets overlap.
    const lock = await this.takeDatasetTurn(job, context);
    if (!lock) return;
    const state: StepState = { metrics: {}, failure: null };
    try {
      if (!(await this.repo.start(runId))) {
        this.log.info(`run ${runId} already ended; nothing to do`);
        return;
      }
      await this.repo.event(runId, null, 'info', `attempt ${job.attempt} started`);
      const run = (await this.repo.load(runId))!.run;
      await this.runSteps(job, context, run, state);
      // Recorded while the dataset's lock is held, so the reconciler never sees a finished run as unfinished with a free lock.
      await this.repo.finish(runId, state.failure ? 'failed' : 'succeeded', state.failure ? `${state.failure.step}: ${state.failure.message}` : null);
    } finally {
      await lock.release();
      await this.wakeWaiting(job, context);
    }

    if (state.failure) {
      this.log.info(`run ${runId} failed at ${state.failure.step}`);
      // The run is recorded failed; BullMQ records its job failed too, and does not try it again.
      throw new UnrecoverableError(`${state.failure.step}: ${state.failure.message}`);
    }
    this.log.info(`run ${runId} of ${context.dataset.name} succeeded`);
  }

  /**
   * The dataset's lock, or null when the run already ended. When another run (or a
   * delete) holds it, the run goes back to queued with the holder on its row (one
   * event per holder) and its job to the delayed set (JobDefer: no attempt spent, no
   * worker slot held); the holder promotes it when it ends, else it looks again after
   * RUN_WAIT_RECHECK_MS.
   */
  private async takeDatasetTurn(job: PipelineJobContext, context: RunContext): Promise<HeldLock | null> {
    const { runId } = job;
    const dataset = context.dataset.name;
    for (let look = 0; ; look++) {
      if (!(await this.repo.unfinished(runId))) {
        this.log.info(`run ${runId} already ended; nothing to do`);
        return null;
      }
      const lock = await this.locks.tryAcquire(dataset, runId);
      if (lock) return lock;
      // Looked twice: the holder may have ended between the first look and the row saying this run waits (and found nobody to promote).
      if (look === 1) break;
      const holder = await this.locks.holder(dataset);
      if (holder?.runId === runId) {
        // An earlier attempt of this run (a worker BullMQ took for stalled, still alive) holds it: its end ends the run.
        this.log.info(`run ${runId}: an earlier attempt still holds ${dataset}'s lock; this job looks again in ${this.waitRecheckMs} ms`);
        continue;
      }
      const reason = holder?.runId
        ? `waiting for run ${holder.runId} of ${dataset} to finish: runs of one dataset take turns`
        : `waiting for ${dataset}'s lock (held by ${holder ? `session ${holder.session || 'unnamed'}, a delete of the dataset or an older worker` : 'a session that just let it go'}): runs of one dataset take turns`;
      if (await this.repo.markWaiting(runId, holder?.runId ?? null, reason)) {
        await this.repo.event(runId, null, 'info', `${reason}; this run waits in the queue without holding a worker slot`, holder?.runId ? { waitingFor: holder.runId } : undefined);
      }
    }
    throw new JobDefer(this.waitRecheckMs, `run ${runId} waits for ${dataset}; its job looks again in ${this.waitRecheckMs} ms`);
  }

  /** The dataset is free again: its waiting runs' jobs start now rather than after RUN_WAIT_RECHECK_MS. */
  private async wakeWaiting(job: PipelineJobContext, context: RunContext): Promise<void> {
    try {
      const waiting = (await this.repo.waitingRuns(context.dataset.id)).filter((id) => id !== job.runId);
      if (waiting.length) await job.promote(waiting);
    } catch (error) {
      this.log.error(`could not promote the runs waiting for ${context.dataset.name} (${(error as Error).message}); they look again within RUN_WAIT_RECHECK_MS`);
    }
  }

  private async runSteps(job: PipelineJobContext, context: RunContext, run: RunContext['run'], state: StepState): Promise<void> {
    const { runId } = job;
    for (const step of this.steps) {
      if (job.stopping()) {
        // Shutting down: the steps done so far are recorded, the job goes back to the queue and resumes from here.
        await this.repo.event(runId, null, 'info', `the worker is shutting down; the run continues from ${step.name} on the next worker`);
        throw new JobYield();
      }
      const done = await this.repo.stepStatus(runId, step.name);
      if (done?.status === 'succeeded') {
        state.metrics[step.name] = done.metrics;
        continue;
      }
      if (state.failure && !step.runsAfterFailure) {
        await this.repo.finishStep(runId, step.name, 'skipped', {});
        continue;
      }
      const ctx: StepContext = {
        ...context,
        run,
        repo: this.repo,
        state,
        progress: async (message: string, metrics: StepMetrics) => {
          await this.repo.updateStepMetrics(runId, step.name, metrics);
          await this.repo.event(runId, step.name, 'info', message, metrics);
        },
      };
      await this.repo.startStep(runId, step.name);
      await this.repo.event(runId, step.name, 'info', `${step.name} started`);
      try {
        const metrics = await step.run(ctx);
        state.metrics[step.name] = metrics;
        await this.repo.finishStep(runId, step.name, 'succeeded', metrics);
        await this.repo.event(runId, step.name, 'info', `${step.name} succeeded`, metrics);
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        if (error instanceof DeliveryProblem) {
          state.metrics[step.name] = error.metrics;
          await this.repo.finishStep(runId, step.name, 'failed', error.metrics, message);
          await this.repo.event(runId, step.name, 'error', message);
          continue;
        }
        const permanent = error instanceof PermanentStepError;
        if (!permanent && !job.isFinalAttempt) {
          // A transient failure (a dropped connection, a restart): BullMQ tries the run again with backoff.
          await this.repo.finishStep(runId, step.name, 'failed', {}, message);
          await this.repo.event(runId, step.name, 'warn', `attempt ${job.attempt} failed (${message}); retrying`);
          throw error;
        }
        await this.repo.finishStep(runId, step.name, 'failed', permanent ? error.metrics : {}, message);
        await this.repo.event(runId, step.name, 'error', message);
        this.log.error(`run ${runId} ${step.name} failed: ${message}`);
        if (state.failure === null) state.failure = { step: step.name, message };
      }
    }
  }
}

import { STEP_NAMES, type StepMetrics } from '@relayboard/contracts';
import { JobYield, UnrecoverableError, type PipelineJobContext } from '@relayboard/queue';
import type { DatasetLocks } from '@relayboard/db';
import { CancelWatcher } from './cancel-watcher';
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
  ) {
    const order = steps.map((s) => s.name).join(',');
    if (order !== STEP_NAMES.join(',')) throw new Error(`pipeline steps must be ${STEP_NAMES.join(', ')}; got ${order}`);
  }

  async run(job: PipelineJobContext): Promise<void> {
    const { runId } = job;
    const context = await this.repo.load(runId);
    if (!context) throw new UnrecoverableError(`run ${runId} or its dataset version no longer exists`);
    if (!(await this.repo.start(runId))) {
      this.log.info(`run ${runId} already ended; nothing to do`);
      return;
    }
    await this.repo.event(runId, null, 'info', `attempt ${job.attempt} started`);
    const run = (await this.repo.load(runId))!.run;
    const state: StepState = { metrics: {}, failure: null };
    // Runs of one dataset take turns (staging swaps, dbt builds); runs of different datasets overlap.
    const lock = await this.locks.acquire(context.dataset.name, () =>
      this.repo.event(runId, null, 'info', `waiting for another run of ${context.dataset.name} to finish: runs of one dataset take turns`),
    );
    let canceled: string | null = null;
    try {
      // POST /v1/runs/:id/cancel: the watcher aborts the steps' signal; the run then ends canceled (see runSteps).
      const cancel = await CancelWatcher.start(this.repo, runId);
      let stopped: boolean;
      try {
        stopped = await this.runSteps(job, context, run, state, cancel);
      } finally {
        cancel.stop();
      }
      canceled = stopped ? cancel.reason : null;
      if (cancel.canceled && !stopped) {
        await this.repo.event(runId, null, 'warn', `the cancel request (${cancel.reason}) came as the last step was finishing; the run ends with its outcome`);
      }
      // Recorded while the dataset's lock is held, so the reconciler never sees a finished run as unfinished with a free lock.
      if (canceled !== null) await this.repo.finish(runId, 'canceled', `canceled: ${canceled}`);
      else await this.repo.finish(runId, state.failure ? 'failed' : 'succeeded', state.failure ? `${state.failure.step}: ${state.failure.message}` : null);
    } finally {
      await lock.release();
    }

    if (canceled !== null) {
      this.log.info(`run ${runId} of ${context.dataset.name} canceled: ${canceled}`);
      return;
    }
    if (state.failure) {
      this.log.info(`run ${runId} failed at ${state.failure.step}`);
      // The run is recorded failed; BullMQ records its job failed too, and does not try it again.
      throw new UnrecoverableError(`${state.failure.step}: ${state.failure.message}`);
    }
    this.log.info(`run ${runId} of ${context.dataset.name} succeeded`);
  }

  /** Runs the steps in order; true when a cancel request stopped the run (a step canceled, or steps skipped for it). */
  private async runSteps(job: PipelineJobContext, context: RunContext, run: RunContext['run'], state: StepState, cancel: CancelWatcher): Promise<boolean> {
    const { runId } = job;
    let stopped = false;
    for (const step of this.steps) {
      if (cancel.canceled) {
        // Canceled: the steps not done are skipped, deliver too (a person canceled the run; no digest is posted).
        const done = await this.repo.stepStatus(runId, step.name);
        if (done?.status !== 'succeeded') {
          await this.repo.finishStep(runId, step.name, 'skipped', {});
          stopped = true;
        }
        continue;
      }
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
        signal: cancel.signal,
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
        if (cancel.canceled) {
          const why = `canceled while ${step.name} ran: ${cancel.reason}`;
          await this.repo.finishStep(runId, step.name, 'canceled', {}, why);
          await this.repo.event(runId, step.name, 'warn', `${why}; ${step.name} was stopped (${message})`);
          stopped = true;
          continue;
        }
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
    return stopped;
  }
}

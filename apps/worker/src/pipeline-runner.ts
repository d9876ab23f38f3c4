import os from 'node:os';
import { STEP_NAMES, type StepMetrics } from '@relayboard/contracts';
import { JobYield, UnrecoverableError, type PipelineJobContext } from '@relayboard/queue';
import type { DatasetLocks, HeldLock, RunContext, RunStore } from '@relayboard/db';
import { CancelWatcher } from './cancel-watcher';
import { DEFAULT_RETRY, messageOf, withoutRetries, type RetryPolicy } from './retry/retries';
import { RunEndedElsewhere, runWithRetries, StepRetriesSpent } from './retry/step-retries';
import type { Logger, RunLogFields } from './log';
import { RunLock } from './run-lock';
import {
  DeliveryProblem,
  PermanentStepError,
  RunSkipped,
  type PipelineStep,
  type StepContext,
  type StepState,
} from './steps/step';

/** `<host>:<pid>` of this worker process, in each attempt's first event. */
const WORKER_IDENTITY = `${os.hostname()}:${process.pid}`;

export type { Logger } from './log';

/** How runSteps ended: every step done, a cancel request stopped the run, or another execution of its job ended it. */
type StepsOutcome = 'done' | 'canceled' | 'ended-elsewhere';

/**
 * Runs a run's steps in order. Postgres records each step as it goes; a step
 * that already succeeded (in an earlier attempt, maybe on another worker) is
 * not run again, so a retried run finishes without duplicate work.
 */
export class PipelineRunner {
  private readonly runLock: RunLock;

  constructor(
    private readonly runs: RunStore,
    private readonly steps: PipelineStep[],
    private readonly log: Logger,
    locks: DatasetLocks,
    /** Per-step retries of transient failures (STEP_RETRY_*). */
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    /** RUN_WAIT_RECHECK_MS: how long a run waiting for its dataset stays in the delayed set before it looks again. */
    waitRecheckMs = 5_000,
  ) {
    this.runLock = new RunLock(locks, runs, waitRecheckMs);
    const order = steps.map((s) => s.name).join(',');
    if (order !== STEP_NAMES.join(','))
      throw new Error(`pipeline steps must be ${STEP_NAMES.join(', ')}; got ${order}`);
  }

  async run(job: PipelineJobContext): Promise<void> {
    const { runId } = job;
    const context = await this.runs.load(runId);
    if (!context) throw new UnrecoverableError(`run ${runId} or its dataset version no longer exists`);
    const log = this.runLog(runId, context.dataset.name, null);
    // Runs of one dataset take turns (staging swaps, dbt builds); runs of different datasets overlap.
    const lock = await this.runLock.take(job, context, log);
    if (!lock) return;
    const state: StepState = { metrics: {}, failure: null };
    let canceled: string | null;
    try {
      if (!(await this.runs.start(runId))) {
        log.info(`run ${runId} already ended; nothing to do`);
        return;
      }
      log.info(`run ${runId} of ${context.dataset.name}: attempt ${job.attempt} started`);
      // Which worker took it (several may share the queue, on several machines): its host and process.
      await this.runs.event(runId, null, 'info', `attempt ${job.attempt} started`, { worker: WORKER_IDENTITY });
      const run = (await this.runs.load(runId))!.run;
      // POST /v1/runs/:id/cancel: the watcher aborts the steps' signal; the run then ends canceled (see runSteps).
      const cancel = await CancelWatcher.start(this.runs, runId);
      let outcome: StepsOutcome;
      try {
        outcome = await this.runSteps(job, context, run, state, lock, cancel, log);
      } finally {
        cancel.stop();
      }
      // Another execution of this run's job ended it meanwhile: nothing more to record.
      if (outcome === 'ended-elsewhere') return;
      canceled = outcome === 'canceled' ? cancel.reason : null;
      if (cancel.canceled && outcome !== 'canceled') {
        await this.runs.event(
          runId,
          null,
          'warn',
          `the cancel request (${cancel.reason}) came as the last step was finishing; the run ends with its outcome`,
        );
      }
      // Recorded while the dataset's lock is held, so the reconciler never sees a finished run as unfinished with a free lock.
      if (canceled !== null) await this.runs.finish(runId, 'canceled', `canceled: ${canceled}`);
      else if (state.skipped !== undefined && !state.failure)
        await this.runs.finish(runId, 'skipped', `skipped: ${state.skipped}`);
      else
        await this.runs.finish(
          runId,
          state.failure ? 'failed' : 'succeeded',
          state.failure ? `${state.failure.step}: ${state.failure.message}` : null,
        );
    } finally {
      await lock.release();
      await this.runLock.wakeWaiting(job, context, log);
    }

    if (canceled !== null) {
      log.info(`run ${runId} of ${context.dataset.name} canceled: ${canceled}`);
      return;
    }
    if (state.skipped !== undefined && !state.failure) {
      this.log.info(`run ${runId} of ${context.dataset.name} skipped: ${state.skipped}`);
      return;
    }
    if (state.failure) {
      log.warn(`run ${runId} of ${context.dataset.name} failed at ${state.failure.step}: ${state.failure.message}`);
      // The run is recorded failed; BullMQ records its job failed too, and does not try it again.
      throw new UnrecoverableError(`${state.failure.step}: ${state.failure.message}`);
    }
    log.info(`run ${runId} of ${context.dataset.name} succeeded`);
  }

  /** The runner's logger with the run's fields on every line (step null: the run as a whole). */
  private runLog(runId: string, dataset: string, step: string | null): Logger {
    const fields: RunLogFields = { runId, dataset, step };
    return this.log.child({ ...fields });
  }

  private async runSteps(
    job: PipelineJobContext,
    context: RunContext,
    run: RunContext['run'],
    state: StepState,
    lock: HeldLock,
    cancel: CancelWatcher,
    log: Logger,
  ): Promise<StepsOutcome> {
    const { runId } = job;
    // A job BullMQ handed out again (its lock expired while Redis was away) waits for the dataset's lock
    // above while the first execution still runs; once that one ended the run, there is nothing left to do.
    const status = (await this.runs.load(runId))?.run.status;
    if (status !== 'running') {
      log.info(`run ${runId} was ended (${status}) by another execution of its job; nothing to do`);
      return 'ended-elsewhere';
    }
    let stopped = false;
    for (const step of this.steps) {
      if (cancel.canceled) {
        // Canceled: the steps not done are skipped, deliver too (a person canceled the run; no digest is posted).
        const done = await this.runs.stepStatus(runId, step.name);
        if (done?.status !== 'succeeded') {
          await this.runs.finishStep(runId, step.name, 'skipped', {});
          stopped = true;
        }
        continue;
      }
      if (job.stopping()) {
        // Shutting down: the steps done so far are recorded, the job goes back to the queue and resumes from here.
        await this.runs.event(
          runId,
          null,
          'info',
          `the worker is shutting down; the run continues from ${step.name} on the next worker`,
        );
        throw new JobYield();
      }
      const done = await this.runs.stepStatus(runId, step.name);
      if (done?.status === 'succeeded') {
        state.metrics[step.name] = done.metrics;
        continue;
      }
      if (state.skipped !== undefined) {
        // Nothing new to load: no stage, no transform, no digest.
        await this.runs.finishStep(runId, step.name, 'skipped', {});
        continue;
      }
      if (state.failure && !step.runsAfterFailure) {
        await this.runs.finishStep(runId, step.name, 'skipped', {});
        continue;
      }
      const stepLog = this.runLog(runId, context.dataset.name, step.name);
      const ctx: StepContext = {
        ...context,
        run,
        log: stepLog,
        state,
        signal: cancel.signal,
        // Progress is best effort: while PostgreSQL is down it fails at once instead of holding the step up.
        progress: async (message: string, metrics: StepMetrics) => {
          await withoutRetries(this.runs).updateStepMetrics(runId, step.name, metrics);
          await withoutRetries(this.runs).event(runId, step.name, 'info', message, metrics);
        },
        event: (level, message, data) => this.runs.event(runId, step.name, level, message, data),
      };
      await this.runs.startStep(runId, step.name);
      await this.runs.event(runId, step.name, 'info', `${step.name} started`);
      stepLog.info(`run ${runId} ${step.name} started`);
      const stepStarted = Date.now();
      // Retry events are written without waiting (PostgreSQL may be what is down), and before the step's outcome.
      const notices: Promise<void>[] = [];
      try {
        const metrics = await runWithRetries({
          policy: this.retry,
          attempt: () => step.run(ctx),
          // A canceled step is not tried again, whatever stopped it.
          isPermanent: (error) => error instanceof PermanentStepError || cancel.canceled,
          beforeTry: (attempt) => {
            if (cancel.canceled) throw new Error(`canceled before attempt ${attempt}`);
            return this.beforeTry(runId, context.dataset.name, step, lock, attempt);
          },
          onRetry: ({ attempt, attempts, delayMs, reason, message }) => {
            const text = `attempt ${attempt} of ${attempts} failed (${message}; ${reason}); trying again in ${(delayMs / 1000).toFixed(1)} s`;
            stepLog.info(`run ${runId} ${step.name}: ${text}`);
            notices.push(
              this.runs
                .event(runId, step.name, 'warn', text, { retry: attempt, attempts, delayMs })
                .catch((e) => stepLog.error(`run ${runId}: could not record a retry event: ${messageOf(e)}`)),
            );
          },
        });
        await Promise.all(notices);
        state.metrics[step.name] = metrics;
        await this.runs.finishStep(runId, step.name, 'succeeded', metrics);
        await this.runs.event(runId, step.name, 'info', `${step.name} succeeded`, metrics);
        stepLog.info({ durationMs: Date.now() - stepStarted, metrics }, `run ${runId} ${step.name} succeeded`);
      } catch (error) {
        await Promise.all(notices);
        if (error instanceof RunEndedElsewhere) {
          stepLog.info(`run ${runId}: ${error.message}; this execution stops`);
          return 'ended-elsewhere';
        }
        const message = messageOf(error);
        if (cancel.canceled) {
          const why = `canceled while ${step.name} ran: ${cancel.reason}`;
          await this.runs.finishStep(runId, step.name, 'canceled', {}, why);
          await this.runs.event(runId, step.name, 'warn', `${why}; ${step.name} was stopped (${message})`);
          stopped = true;
          continue;
        }
        if (error instanceof RunSkipped) {
          state.metrics[step.name] = error.metrics;
          state.skipped = error.message;
          await this.runs.finishStep(runId, step.name, 'succeeded', error.metrics);
          await this.runs.event(runId, step.name, 'info', `run skipped: ${error.message}`, {
            skipped: true,
            unchangedSince: error.unchangedSince,
          });
          continue;
        }
        if (error instanceof DeliveryProblem) {
          state.metrics[step.name] = error.metrics;
          await this.runs.finishStep(runId, step.name, 'failed', error.metrics, message);
          await this.runs.event(runId, step.name, 'error', message);
          continue;
        }
        // A permanent failure, or transient ones that outlasted STEP_RETRY_ATTEMPTS / STEP_RETRY_BUDGET_MS (the message says which).
        const permanent = error instanceof PermanentStepError;
        await this.runs.finishStep(runId, step.name, 'failed', permanent ? error.metrics : {}, message);
        await this.runs.event(
          runId,
          step.name,
          'error',
          message,
          error instanceof StepRetriesSpent ? { retriesSpent: true } : undefined,
        );
        stepLog.error(`run ${runId} ${step.name} failed: ${message}`);
        if (state.failure === null) state.failure = { step: step.name, message };
      }
    }
    return stopped ? 'canceled' : 'done';
  }

  /**
   * Before each try of a step: if PostgreSQL dropped the dataset's lock (it
   * restarted), takes it again, waiting for a run that took it meanwhile; then
   * the step may already be done, or the run ended, by another execution.
   */
  private async beforeTry(
    runId: string,
    dataset: string,
    step: PipelineStep,
    lock: HeldLock,
    attempt: number,
  ): Promise<{ done: StepMetrics } | null> {
    if (!(await this.runLock.retakeIfLost(lock, runId, dataset, step.name, attempt))) return null;
    const status = (await this.runs.load(runId))?.run.status;
    if (status !== 'running') throw new RunEndedElsewhere(String(status));
    const done = await this.runs.stepStatus(runId, step.name);
    return done?.status === 'succeeded' ? { done: done.metrics } : null;
  }
}

import type { StepMetrics, StepName } from '@relayboard/contracts';
import type { RunContext, RunEventRow } from '@relayboard/db';
import type { Logger } from '../log';

/** A failure that retrying cannot fix (bad data, a broken model): the run fails at once. */
export class PermanentStepError extends Error {
  constructor(
    message: string,
    /** What the step measured before it failed (models built, tests failed, values that did not cast). */
    readonly metrics: StepMetrics = {},
  ) {
    super(message);
    this.name = 'PermanentStepError';
  }
}

/**
 * A step that did its work but with a problem that must not fail the run: the
 * digest did not reach a destination. The step is recorded as failed with the
 * reason; the run keeps the outcome of its data.
 */
export class DeliveryProblem extends PermanentStepError {
  override readonly name = 'DeliveryProblem';
}

/**
 * A scheduled run with nothing new to load (see schedule-skip.ts): the step
 * that found it succeeded; the run ends `skipped`, the steps after it are
 * skipped, deliver too (no digest). Permanent, so it is never retried.
 */
export class RunSkipped extends PermanentStepError {
  override readonly name = 'RunSkipped';

  constructor(
    message: string,
    metrics: StepMetrics,
    /** The version whose content the source still has (null: none). */
    readonly unchangedSince: string | null,
  ) {
    super(message, metrics);
  }
}

export interface StepState {
  /** Metrics of earlier steps of this run, by step. */
  metrics: Partial<Record<StepName, StepMetrics>>;
  /** Why the run is failing, when a step before this one failed. */
  failure: { step: StepName; message: string } | null;
  /** Set when a step found the run has nothing new to load (RunSkipped): why. */
  skipped?: string;
}

/**
 * What the runner gives each step run: the run, its dataset and version, and the
 * run's own records (events, progress). The tables a step reads and writes
 * besides come through its constructor, each step with only the ones it uses.
 */
export interface StepContext extends RunContext {
  state: StepState;
  /** The worker's log with runId, dataset and step bound to every line. */
  log: Logger;
  /** Aborted when the run is canceled (POST /v1/runs/:id/cancel): a step stops what it is doing and throws. */
  signal: AbortSignal;
  /** Records a progress event and the step's running metrics. */
  progress(message: string, metrics: StepMetrics): Promise<void>;
  /** Appends an event of this step to the run's log. */
  event(level: RunEventRow['level'], message: string, data?: Record<string, unknown>): Promise<void>;
}

export interface PipelineStep {
  name: StepName;
  /** Deliver runs after a failure too, so people hear about it. */
  runsAfterFailure?: boolean;
  run(context: StepContext): Promise<StepMetrics>;
}

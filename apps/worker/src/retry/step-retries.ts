import { decideRetry, messageOf, sleep, type RetryPolicy } from './retries';

/** A step's transient failures outlasted its retries: the run fails with the last error and what to raise. */
export class StepRetriesSpent extends Error {
  constructor(
    readonly lastError: unknown,
    /** "gave up after 12 attempt(s) (STEP_RETRY_ATTEMPTS=12; raise it ...)" */
    readonly why: string,
  ) {
    super(`${messageOf(lastError)}; ${why}`, { cause: lastError });
    this.name = 'StepRetriesSpent';
  }
}

/** Another execution of the same run (a job BullMQ handed out again while Redis was away) ended the run meanwhile. */
export class RunEndedElsewhere extends Error {
  constructor(readonly status: string) {
    super(`the run was ended (${status}) by another execution of its job meanwhile`);
    this.name = 'RunEndedElsewhere';
  }
}

export interface RetryNotice {
  attempt: number;
  attempts: number;
  delayMs: number;
  /** Why the error counts as passing ("PostgreSQL is starting up ... (57P03)"). */
  reason: string;
  message: string;
}

export interface StepRetryOptions<T> {
  policy: RetryPolicy;
  /** One try of the step. */
  attempt(): Promise<T>;
  /** Failures retrying cannot fix (PermanentStepError): thrown as they are. */
  isPermanent(error: unknown): boolean;
  /**
   * Before every try: takes the dataset's lock again if PostgreSQL dropped it,
   * and may return the step's result when another execution finished it, or
   * throw RunEndedElsewhere. Its own failures count as a failed try.
   */
  beforeTry?(attempt: number): Promise<{ done: T } | null>;
  /** Told of each retry before its delay (not awaited: PostgreSQL may be down). */
  onRetry(notice: RetryNotice): void;
}

/**
 * Runs a step, retrying its transient failures with exponential backoff within
 * the policy's attempts and budget (counted from the first failure). Throws
 * permanent errors as they are, RunEndedElsewhere as it is, and
 * StepRetriesSpent when the retries ran out.
 */
export async function runWithRetries<T>(options: StepRetryOptions<T>): Promise<T> {
  let firstFailureAt = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const early = await options.beforeTry?.(attempt);
      if (early) return early.done;
      return await options.attempt();
    } catch (error) {
      if (error instanceof RunEndedElsewhere) throw error;
      const permanent = options.isPermanent(error);
      if (permanent) throw error;
      firstFailureAt ||= Date.now();
      const decision = decideRetry(options.policy, error, attempt, firstFailureAt, Date.now());
      if (!decision.retry) throw new StepRetriesSpent(error, decision.why);
      options.onRetry({
        attempt,
        attempts: decision.attempts,
        delayMs: decision.delayMs,
        reason: decision.reason,
        message: messageOf(error),
      });
      await sleep(decision.delayMs);
    }
  }
}

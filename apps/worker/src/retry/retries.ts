import type { RetryPolicy } from '@relayboard/config';
import { transientReason } from './transient-errors';

export type { RetryPolicy };

/** The defaults of packages/config: a run rides out a 60 s outage (retries after 1, 2, 4, 8, 15, 15, ... s, within 120 s). */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 12,
  initialDelayMs: 1_000,
  maxDelayMs: 15_000,
  budgetMs: 120_000,
};

/** Errors that are neither known to pass nor known to be permanent (a bug, an unexpected answer) get this many tries at most. */
export const UNKNOWN_ERROR_ATTEMPTS = 3;

/** The delay before retry `retry` (1 for the first retry): initialDelayMs doubling, capped at maxDelayMs. */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry - 1));
}

export type RetryDecision =
  | { retry: true; delayMs: number; attempts: number; reason: string }
  | { retry: false; attempts: number; reason: string | null; why: string };

/**
 * What to do after attempt `attempt` (1-based) failed with `error`, the first
 * failure having been at `firstFailureAt`: retry after a delay, or give up
 * saying which setting stopped it. `permanent` errors are never retried.
 */
export function decideRetry(
  policy: RetryPolicy,
  error: unknown,
  attempt: number,
  firstFailureAt: number,
  now: number,
  permanent = false,
): RetryDecision {
  const reason = permanent ? null : transientReason(error);
  const attempts = reason ? policy.attempts : Math.min(policy.attempts, UNKNOWN_ERROR_ATTEMPTS);
  if (permanent) return { retry: false, attempts, reason, why: 'a permanent failure' };
  if (attempt >= attempts) {
    const why = reason
      ? `gave up after ${attempt} attempt(s) (STEP_RETRY_ATTEMPTS=${policy.attempts}; raise it, or STEP_RETRY_BUDGET_MS, to ride out longer outages)`
      : `gave up after ${attempt} attempt(s): the error is not one known to pass (a dropped connection, a restart, a timeout), so it is tried at most ${UNKNOWN_ERROR_ATTEMPTS} times`;
    return { retry: false, attempts, reason, why };
  }
  const delayMs = retryDelayMs(policy, attempt);
  const spent = now - firstFailureAt;
  if (spent + delayMs > policy.budgetMs) {
    return {
      retry: false,
      attempts,
      reason,
      why: `gave up after ${attempt} attempt(s) over ${(spent / 1000).toFixed(1)} s: the next would start past STEP_RETRY_BUDGET_MS (${policy.budgetMs} ms; raise it to ride out longer outages)`,
    };
  }
  return { retry: true, delayMs, attempts, reason: reason ?? 'an unexpected error' };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The message of any thrown value, on one line. */
export function messageOf(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).replace(/\s+/g, ' ').trim();
}

/**
 * Calls `work` until it succeeds, retrying known-transient failures only
 * (within the policy's attempts and budget); any other error is thrown at once.
 * For bookkeeping writes, which must not be lost while PostgreSQL restarts.
 */
export async function retryTransient<T>(
  work: () => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (message: string) => void,
): Promise<T> {
  let firstFailureAt = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (transientReason(error) === null) throw error;
      firstFailureAt ||= Date.now();
      const decision = decideRetry(policy, error, attempt, firstFailureAt, Date.now());
      if (!decision.retry) throw error;
      onRetry?.(
        `${messageOf(error)} (${decision.reason}); attempt ${attempt} of ${decision.attempts}, trying again in ${decision.delayMs} ms`,
      );
      await sleep(decision.delayMs);
    }
  }
}

const RAW = Symbol('relayboard.withoutRetries');

/**
 * The repository behind retryingRepository, for best-effort writes (progress)
 * that must fail at once while PostgreSQL is down rather than hold their step up.
 */
export function withoutRetries<T extends object>(repo: T): T {
  return ((repo as Record<symbol, unknown>)[RAW] as T | undefined) ?? repo;
}

/**
 * The repository with every method retrying known-transient failures: the
 * runner's records (a step's outcome, events, the run's end) and the steps'
 * own reads and writes wait for PostgreSQL to come back instead of failing.
 */
export function retryingRepository<T extends object>(repo: T, policy: RetryPolicy, log: (message: string) => void): T {
  return new Proxy(repo, {
    get(target, property, receiver) {
      if (property === RAW) return target;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'constructor') return value;
      return (...args: unknown[]) =>
        retryTransient(
          async () => (value as (...a: unknown[]) => unknown).apply(target, args),
          policy,
          (message) => log(`metadata database: ${String(property)} failed: ${message}`),
        );
    },
  });
}

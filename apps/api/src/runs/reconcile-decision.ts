import type { RunJobState } from '@relayboard/queue';

/** What the reconciler knows of one unfinished run. */
export interface UnfinishedRun {
  status: 'queued' | 'running';
  /** Since the run was created. */
  ageMs: number;
  job: RunJobState;
  /** Another session (a live run, or a delete) holds the dataset's lock. */
  lockHeld: boolean;
  /** Times the reconciler already enqueued this run again. */
  recoveries: number;
  /** POST /v1/runs/:id/cancel asked the run's worker to stop it (with this reason). */
  cancelRequested?: { reason: string | null } | null;
  /** Workers connected to the queue (read only for cancel-requested runs). */
  workers?: number;
}

export interface ReconcilePolicy {
  /** RUN_MAX_RECOVERIES: enqueued again at most this often, then failed. */
  maxRecoveries: number;
  /** A queued run younger than this may be between its insert and its enqueue. */
  queuedGraceMs: number;
}

export type ReconcileDecision =
  | { action: 'leave' }
  | { action: 'requeue'; message: string }
  | { action: 'fail'; reason: string }
  | { action: 'cancel'; reason: string };

function lostJob(job: Extract<RunJobState, { live: false }>): string {
  if (job.state === 'missing')
    return 'the queue had no job for it (Redis restarted empty, was flushed or lost the key)';
  if (job.state === 'completed') return 'its job ended in the queue while the run did not';
  return `its job failed in the queue${job.reason ? ` (${job.reason})` : ''}`;
}

/**
 * PostgreSQL is the source of truth for runs: a run that is queued or running
 * there and has no live job in the queue is enqueued again (the pipeline
 * runner skips the steps that already succeeded), or, once it was recovered
 * RUN_MAX_RECOVERIES times, failed with a reason a person can act on.
 */
export function decide(run: UnfinishedRun, policy: ReconcilePolicy): ReconcileDecision {
  // A cancel-requested run that no live run of its dataset holds and no worker will take: nobody else can end it.
  if (run.cancelRequested && !run.lockHeld && (!run.job.live || run.workers === 0)) {
    const why = run.job.live ? 'no worker is connected to the queue' : lostJob(run.job);
    return {
      action: 'cancel',
      reason: `canceled (${run.cancelRequested.reason ?? 'no reason given'}); no worker was running it to stop it: ${why}`,
    };
  }
  if (run.job.live) return { action: 'leave' };
  // A live run of the dataset (maybe this run, on a worker that lost its job in Redis) is still at work.
  if (run.lockHeld) return { action: 'leave' };
  if (run.status === 'queued' && run.ageMs < policy.queuedGraceMs) return { action: 'leave' };
  const why = lostJob(run.job);
  if (run.recoveries >= policy.maxRecoveries) {
    const times = run.recoveries + 1;
    const reason =
      run.status === 'running'
        ? `the worker running it stopped ${times} time(s) (${why}); it was resumed ${run.recoveries} time(s), the most RUN_MAX_RECOVERIES allows; see the worker log`
        : `it was enqueued ${times} time(s) and its job was lost each time (${why}); check that Redis keeps its keys (maxmemory-policy noeviction) and see the worker log`;
    return { action: 'fail', reason };
  }
  const resume = run.status === 'running' ? 'enqueued again to resume from its last unfinished step' : 'enqueued again';
  return {
    action: 'requeue',
    message: `${resume}: ${why} (recovery ${run.recoveries + 1} of at most ${policy.maxRecoveries})`,
  };
}

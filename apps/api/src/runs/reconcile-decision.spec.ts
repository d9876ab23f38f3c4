import { decide, type UnfinishedRun } from './reconcile-decision';

const policy = { maxRecoveries: 3, queuedGraceMs: 10_000 };
const missing = { live: false, state: 'missing', reason: null } as const;
const running = (over: Partial<UnfinishedRun> = {}): UnfinishedRun => ({
  status: 'running',
  ageMs: 60_000,
  job: missing,
  lockHeld: false,
  recoveries: 0,
  ...over,
});

describe('the reconciler decision', () => {
  it('leaves a run whose job is live (waiting, delayed or active)', () => {
    for (const state of ['waiting', 'delayed', 'active', 'prioritized']) {
      expect(decide(running({ job: { live: true, state } }), policy)).toEqual({ action: 'leave' });
      expect(decide(running({ status: 'queued', job: { live: true, state } }), policy)).toEqual({ action: 'leave' });
    }
  });

  it('leaves a run whose dataset lock a live run holds, whatever its job', () => {
    expect(decide(running({ lockHeld: true }), policy)).toEqual({ action: 'leave' });
    expect(decide(running({ lockHeld: true, recoveries: 10 }), policy)).toEqual({ action: 'leave' });
  });

  it('leaves a queued run young enough to be between its insert and its enqueue', () => {
    expect(decide(running({ status: 'queued', ageMs: 9_999 }), policy)).toEqual({ action: 'leave' });
    expect(decide(running({ status: 'queued', ageMs: 10_000 }), policy).action).toBe('requeue');
  });

  it('enqueues again a running run whose job is missing, completed or failed', () => {
    const gone = decide(running(), policy);
    expect(gone).toEqual({ action: 'requeue', message: expect.stringContaining('Redis restarted empty') });
    expect(gone.action === 'requeue' && gone.message).toContain('resume from its last unfinished step');
    expect(gone.action === 'requeue' && gone.message).toContain('recovery 1 of at most 3');
    const stalled = decide(
      running({
        job: { live: false, state: 'failed', reason: 'job stalled more than allowable limit' },
        recoveries: 2,
      }),
      policy,
    );
    expect(stalled).toEqual({
      action: 'requeue',
      message: expect.stringContaining('job stalled more than allowable limit'),
    });
    expect(stalled.action === 'requeue' && stalled.message).toContain('recovery 3 of at most 3');
    expect(decide(running({ job: { live: false, state: 'completed', reason: null } }), policy).action).toBe('requeue');
  });

  it('fails the run once it was recovered as often as allowed, saying why and where to look', () => {
    const failed = decide(
      running({
        recoveries: 3,
        job: { live: false, state: 'failed', reason: 'job stalled more than allowable limit' },
      }),
      policy,
    );
    expect(failed.action).toBe('fail');
    const reason = failed.action === 'fail' ? failed.reason : '';
    expect(reason).toContain('the worker running it stopped 4 time(s)');
    expect(reason).toContain('RUN_MAX_RECOVERIES');
    expect(reason).toContain('see the worker log');
    const queued = decide(running({ status: 'queued', recoveries: 3 }), policy);
    expect(queued.action === 'fail' && queued.reason).toContain('noeviction');
  });

  it('fails at once when no recovery is allowed', () => {
    expect(decide(running(), { ...policy, maxRecoveries: 0 }).action).toBe('fail');
  });

  it('ends a cancel-requested run as canceled when no live run holds its dataset and no worker will take its job', () => {
    const cancelRequested = { reason: 'wrong file' };
    const lost = decide(running({ cancelRequested }), policy);
    expect(lost).toEqual({ action: 'cancel', reason: expect.stringContaining('canceled (wrong file)') });
    expect(lost.action === 'cancel' && lost.reason).toContain('the queue had no job for it');
    const noWorker = decide(running({ cancelRequested, job: { live: true, state: 'active' }, workers: 0 }), policy);
    expect(noWorker).toEqual({
      action: 'cancel',
      reason: expect.stringContaining('no worker is connected to the queue'),
    });
  });

  it('leaves a cancel-requested run to its worker while one can take it or a live run holds its dataset', () => {
    const cancelRequested = { reason: null };
    expect(decide(running({ cancelRequested, job: { live: true, state: 'active' }, workers: 1 }), policy)).toEqual({
      action: 'leave',
    });
    expect(decide(running({ cancelRequested, job: { live: true, state: 'waiting' }, workers: 2 }), policy)).toEqual({
      action: 'leave',
    });
    expect(decide(running({ cancelRequested, lockHeld: true }), policy)).toEqual({ action: 'leave' });
  });
});

import {
  decideRetry,
  DEFAULT_RETRY,
  retryDelayMs,
  retryingRepository,
  UNKNOWN_ERROR_ATTEMPTS,
  withoutRetries,
} from './retries';
import { RunEndedElsewhere, runWithRetries, StepRetriesSpent } from './step-retries';
import { TransientStepError, transientReason } from './transient-errors';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('which failures are transient', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' })],
    ['a reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['PostgreSQL admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['PostgreSQL starting up', pgError('57P03', 'the database system is starting up')],
    ['a connection exception', pgError('08006')],
    ["pg's own words", new Error('Connection terminated unexpectedly')],
    [
      "knex's pool timeout",
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }),
    ],
    ['S3 SlowDown', Object.assign(new Error('Please reduce your request rate.'), { code: 'SlowDown' })],
    ['S3 5xx', Object.assign(new Error('We encountered an internal error.'), { code: 'InternalError' })],
    ['an object store timeout', Object.assign(new Error('sent or received nothing'), { code: 'S3_TIMEOUT' })],
    ['a stream cut mid-body', Object.assign(new Error('aborted'), { code: 'ECONNRESET' })],
    ['a wrapped cause', new Error('the warehouse connection was cut while staging "x"', { cause: pgError('57P01') })],
    [
      "dbt's words",
      new TransientStepError(
        'dbt build failed because its database connection failed: server closed the connection unexpectedly',
      ),
    ],
  ])('%s is transient', (_what, error) => {
    expect(transientReason(error)).not.toBeNull();
  });

  it.each([
    ['bad data (22P04)', pgError('22P04', 'extra data after last expected column')],
    ['a missing relation (42P01)', pgError('42P01', 'relation "x" does not exist')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'rows')")],
    ['S3 access denied', Object.assign(new Error('Access Denied.'), { code: 'AccessDenied' })],
  ])('%s is not', (_what, error) => {
    expect(transientReason(error)).toBeNull();
  });
});

describe('the retry schedule', () => {
  it('doubles from the initial delay up to the cap: by default 1, 2, 4, 8, 15, 15 ... s', () => {
    expect([1, 2, 3, 4, 5, 6, 11].map((n) => retryDelayMs(DEFAULT_RETRY, n))).toEqual([
      1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
  });

  it('by default keeps retrying a transient failure through a 60 s outage', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    // Each try fails at once while the outage lasts: the retries are the delays alone.
    let now = 0;
    let attempt = 1;
    for (; now < 60_000; attempt++) {
      const decision = decideRetry(DEFAULT_RETRY, refused, attempt, 0, now);
      expect(decision.retry).toBe(true);
      if (decision.retry) now += decision.delayMs;
    }
    expect(attempt).toBeLessThan(DEFAULT_RETRY.attempts);
  });

  it('gives up past the budget, naming STEP_RETRY_BUDGET_MS', () => {
    const decision = decideRetry(
      { attempts: 10, initialDelayMs: 1000, maxDelayMs: 1000, budgetMs: 3000 },
      pgError('57P03'),
      3,
      0,
      2500,
    );
    expect(decision.retry).toBe(false);
    expect(!decision.retry && decision.why).toMatch(/STEP_RETRY_BUDGET_MS \(3000 ms; raise it/);
  });

  it('gives up after the attempts, naming STEP_RETRY_ATTEMPTS', () => {
    const decision = decideRetry(
      { attempts: 3, initialDelayMs: 10, maxDelayMs: 10, budgetMs: 60_000 },
      pgError('57P03'),
      3,
      0,
      100,
    );
    expect(!decision.retry && decision.why).toMatch(/gave up after 3 attempt\(s\) \(STEP_RETRY_ATTEMPTS=3/);
  });

  it(`tries an error not known to pass at most ${UNKNOWN_ERROR_ATTEMPTS} times, and a permanent one once`, () => {
    const bug = new TypeError('x is undefined');
    expect(decideRetry(DEFAULT_RETRY, bug, UNKNOWN_ERROR_ATTEMPTS - 1, 0, 0).retry).toBe(true);
    expect(decideRetry(DEFAULT_RETRY, bug, UNKNOWN_ERROR_ATTEMPTS, 0, 0).retry).toBe(false);
    expect(decideRetry(DEFAULT_RETRY, pgError('57P03'), 1, 0, 0, true).retry).toBe(false);
  });
});

describe('runWithRetries', () => {
  const policy = { attempts: 5, initialDelayMs: 10, maxDelayMs: 20, budgetMs: 10_000 };
  const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('retries transient failures, telling each retry, until the step succeeds', async () => {
    const notices: string[] = [];
    let tries = 0;
    const result = await runWithRetries({
      policy,
      attempt: async () => {
        if (++tries < 3) throw refused();
        return 'done';
      },
      isPermanent: () => false,
      onRetry: (n) => notices.push(`${n.attempt}/${n.attempts} in ${n.delayMs}`),
    });
    expect(result).toBe('done');
    expect(notices).toEqual(['1/5 in 10', '2/5 in 20']);
  });

  it('throws a permanent error at once, and StepRetriesSpent with the last error when the retries run out', async () => {
    const permanent = new Error('bad data');
    await expect(
      runWithRetries({
        policy,
        attempt: async () => Promise.reject(permanent),
        isPermanent: () => true,
        onRetry: () => undefined,
      }),
    ).rejects.toBe(permanent);
    const spent = runWithRetries({
      policy,
      attempt: async () => Promise.reject(refused()),
      isPermanent: () => false,
      onRetry: () => undefined,
    });
    await expect(spent).rejects.toBeInstanceOf(StepRetriesSpent);
    await expect(spent).rejects.toThrow(/^connect ECONNREFUSED; gave up after 5 attempt\(s\)/);
  });

  it('uses what beforeTry returns instead of trying, and stops when the run ended elsewhere', async () => {
    let tries = 0;
    const early = await runWithRetries({
      policy,
      attempt: async () => {
        tries++;
        throw refused();
      },
      beforeTry: async (attempt) => (attempt === 2 ? { done: 'finished by another execution' } : null),
      isPermanent: () => false,
      onRetry: () => undefined,
    });
    expect({ early, tries }).toEqual({ early: 'finished by another execution', tries: 1 });
    await expect(
      runWithRetries({
        policy,
        attempt: async () => 'x',
        beforeTry: async () => Promise.reject(new RunEndedElsewhere('succeeded')),
        isPermanent: () => false,
        onRetry: () => undefined,
      }),
    ).rejects.toBeInstanceOf(RunEndedElsewhere);
  });
});

describe('retryingRepository', () => {
  const policy = { attempts: 4, initialDelayMs: 5, maxDelayMs: 5, budgetMs: 10_000 };
  class Repo {
    calls = 0;
    async write(failures: number): Promise<string> {
      if (++this.calls <= failures)
        throw Object.assign(new Error('the database system is starting up'), { code: '57P03' });
      return `written after ${this.calls} call(s)`;
    }
    async broken(): Promise<void> {
      this.calls++;
      throw new TypeError('a bug');
    }
  }

  it('retries transient failures of every method, and nothing else', async () => {
    const logged: string[] = [];
    const repo = retryingRepository(new Repo(), policy, (m: string) => logged.push(m));
    expect(await repo.write(2)).toBe('written after 3 call(s)');
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/^metadata database: write failed: the database system is starting up .*attempt 1 of 4/);
    await expect(repo.broken()).rejects.toThrow('a bug');
    expect(repo.calls).toBe(4);
  });

  it('withoutRetries gives the plain repository, whose transient failures are thrown at once', async () => {
    const plain = new Repo();
    const repo = retryingRepository(plain, policy, () => undefined);
    expect(withoutRetries(repo)).toBe(plain);
    await expect(withoutRetries(repo).write(1)).rejects.toThrow('starting up');
  });
});

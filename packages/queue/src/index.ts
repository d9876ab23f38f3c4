import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';

export { UnrecoverableError };
export * from './cron';

export const PIPELINE_QUEUE = 'pipeline-runs';
/**
 * The queue of schedule ticks: BullMQ job schedulers (one per scheduled dataset)
 * add a tick here when the cron fires; the api's ScheduleConsumer turns each
 * tick into a run the way POST /v1/pipelines/run does. Its own queue, so the
 * workers' queue holds only runs and the api takes only ticks.
 */
export const SCHEDULE_QUEUE = 'pipeline-schedules';
export const SCHEDULED_RUN_JOB = 'scheduled-run';

export interface ScheduledRunJobData {
  datasetId: string;
}

/** A job scheduler as BullMQ holds it. */
export interface QueuedSchedule {
  datasetId: string;
  cron: string;
  timezone: string;
  /** When BullMQ adds the next tick (null when it has none pending). */
  next: Date | null;
}

const SCHEDULER_PREFIX = 'dataset-';

/** The BullMQ job scheduler id of a dataset's schedule. */
export function schedulerIdOf(datasetId: string): string {
  return `${SCHEDULER_PREFIX}${datasetId}`;
}

export enum JobName {
  RunPipeline = 'run-pipeline',
  ForgetDataset = 'forget-dataset',
}

export interface RunPipelineJobData {
  runId: string;
}

/** A deleted dataset: a worker removes what it keeps of it outside the databases (its generated dbt files). */
export interface ForgetDatasetJobData {
  datasetId: string;
  name: string;
}

type JobData = RunPipelineJobData | ForgetDatasetJobData;

export interface PipelineJobContext {
  runId: string;
  /** 1 for the first try. */
  attempt: number;
  /** True when BullMQ will not try this job again if it throws now. */
  isFinalAttempt: boolean;
  /** True once the worker is shutting down: the runner starts no further step and throws JobYield. */
  stopping(): boolean;
  /**
   * Moves the jobs of these runs out of the delayed set so they start now (runs that
   * waited for a dataset this run just released). Jobs that are not delayed are left as they are.
   */
  promote(runIds: string[]): Promise<void>;
}

/**
 * Thrown by a handler that stops between steps because its worker is shutting
 * down: the job goes back to waiting (no attempt is spent) for another worker.
 */
export class JobYield extends Error {
  constructor(message = 'the worker is shutting down; the job goes back to the queue') {
    super(message);
    this.name = 'JobYield';
  }
}

/**
 * Thrown by a handler whose job cannot start yet (its dataset is held by another
 * run): the job goes to the delayed set for delayMs (no attempt is spent, no worker
 * slot is held meanwhile) and is tried again then, or sooner when promoted.
 */
export class JobDefer extends Error {
  constructor(
    readonly delayMs: number,
    message = `the job waits ${delayMs} ms in the delayed set`,
  ) {
    super(message);
    this.name = 'JobDefer';
  }
}

/** What the queue says of a run's job: live (waiting, delayed, active) or dead (missing, or ended while the run did not). */
export type RunJobState =
  | { live: true; state: string }
  | { live: false; state: 'missing' | 'completed' | 'failed' | 'unknown'; reason: string | null };

/** The BullMQ job states the queue's counts report (relayboard_queue_jobs{state}). */
export const QUEUE_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

/** Default of REDIS_COMMAND_TIMEOUT_MS: a command of the api's (producer's) connection that gets no answer for this long fails. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 5_000;

function connect(
  redisUrl: string,
  role: 'producer' | 'consumer',
  commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
): IORedis {
  return new IORedis(redisUrl, {
    // Workers block on Redis and must never give up a command; producers answer
    // HTTP requests and should fail fast instead of queueing commands forever.
    maxRetriesPerRequest: role === 'consumer' ? null : 2,
    enableOfflineQueue: role === 'consumer',
    connectTimeout: 5_000,
    // A hung Redis (accepting, never answering) fails the producer's commands; the worker's blocking
    // commands (BullMQ waits on Redis for new jobs) must not time out, so its connection has none.
    ...(role === 'producer' && { commandTimeout: commandTimeoutMs }),
    keepAlive: 10_000,
  });
}

/** The api's side of the queue: the only way feature code enqueues work. */
export class PipelineQueue {
  private readonly connection: IORedis;
  private readonly queue: Queue<JobData, void, JobName>;
  private readonly schedules: Queue<ScheduledRunJobData, void, string>;

  /** commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS. */
  constructor(
    redisUrl: string,
    private readonly attempts: number,
    options: { commandTimeoutMs?: number } = {},
  ) {
    this.connection = connect(redisUrl, 'producer', options.commandTimeoutMs);
    this.connection.on('error', () => {
      // Reported through ping() and failed enqueues; without a listener ioredis would print every retry.
    });
    this.queue = new Queue<JobData, void, JobName>(PIPELINE_QUEUE, { connection: this.connection });
    this.queue.on('error', () => undefined);
    this.schedules = new Queue<ScheduledRunJobData, void, string>(SCHEDULE_QUEUE, { connection: this.connection });
    this.schedules.on('error', () => undefined);
  }

  /**
   * Creates or replaces the dataset's job scheduler: BullMQ adds a tick to the
   * schedule queue each time the cron fires in the time zone (one tick pending
   * at a time: the next is added when the api takes the last).
   */
  async upsertSchedule(datasetId: string, schedule: { cron: string; timezone: string }): Promise<void> {
    await this.schedules.upsertJobScheduler(
      schedulerIdOf(datasetId),
      { pattern: schedule.cron, tz: schedule.timezone },
      {
        name: SCHEDULED_RUN_JOB,
        data: { datasetId },
        opts: {
          attempts: this.attempts,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: { count: 1_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      },
    );
  }

  /** Removes the dataset's job scheduler (and its pending tick); false when there was none. */
  async removeSchedule(datasetId: string): Promise<boolean> {
    return this.schedules.removeJobScheduler(schedulerIdOf(datasetId));
  }

  /** The dataset's job scheduler as BullMQ holds it, or null. */
  async schedule(datasetId: string): Promise<QueuedSchedule | null> {
    const found = await this.schedules.getJobScheduler(schedulerIdOf(datasetId));
    return found ? toQueuedSchedule(found) : null;
  }

  /** Every dataset job scheduler BullMQ holds (one Redis read of the scheduler set, then one per scheduler). */
  async allSchedules(): Promise<QueuedSchedule[]> {
    const found = await this.schedules.getJobSchedulers(0, -1, true);
    return found.map(toQueuedSchedule).filter((s): s is QueuedSchedule => s !== null);
  }

  /** The job id is the run id, so enqueueing a run twice leaves one job. */
  async enqueueRun(runId: string): Promise<void> {
    await this.queue.add(
      JobName.RunPipeline,
      { runId },
      {
        jobId: runId,
        attempts: this.attempts,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    );
  }

  /** One job per deleted dataset (its id is in the job id); retried, since a worker may be restarting. */
  async enqueueForgetDataset(data: ForgetDatasetJobData): Promise<void> {
    await this.queue.add(JobName.ForgetDataset, data, {
      jobId: `forget-${data.datasetId}`,
      attempts: this.attempts,
      backoff: { type: 'exponential', delay: 2_000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async hasJob(runId: string): Promise<boolean> {
    return (await this.queue.getJob(runId)) !== undefined;
  }

  /** The state of the run's job; completed and failed jobs are dead (a run whose job ended must itself have ended). */
  async runJobState(runId: string): Promise<RunJobState> {
    const job = await this.queue.getJob(runId);
    if (!job) return { live: false, state: 'missing', reason: null };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown')
      return { live: false, state, reason: job.failedReason || null };
    return { live: true, state };
  }

  /**
   * Enqueues a run whose job is dead: BullMQ will not add a job whose id still
   * exists as completed or failed, so that job is removed first. The job id
   * stays the run id, so hasJob and runJobState keep answering for the run.
   */
  async requeueRun(runId: string): Promise<void> {
    const job = await this.queue.getJob(runId);
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown')
        throw new Error(`run ${runId} has a live job (${state}); it is not enqueued again`);
      await job.remove();
    }
    await this.enqueueRun(runId);
  }

  /**
   * Takes a canceled run's job out of the queue. A job a worker holds (active)
   * is left: that worker sees the run canceled and ends it. Returns the state
   * the job was in (`missing` when there was none).
   */
  async removeRun(runId: string): Promise<string> {
    const job = await this.queue.getJob(runId);
    if (!job) return 'missing';
    const state = await job.getState();
    if (state === 'active') return state;
    // A worker may take it between the read and the removal: BullMQ then refuses (the job is locked), and that worker ends the run.
    await job.remove().catch(() => undefined);
    return state;
  }

  /** Workers connected to the queue now (BullMQ lists them from Redis' client list). */
  async workers(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  /** Jobs in each state now (GET /metrics: relayboard_queue_jobs{state}); every state of QUEUE_JOB_STATES is present. */
  async jobCounts(): Promise<Record<QueueJobState, number>> {
    const counts = await this.queue.getJobCounts(...QUEUE_JOB_STATES);
    return Object.fromEntries(QUEUE_JOB_STATES.map((state) => [state, counts[state] ?? 0])) as Record<
      QueueJobState,
      number
    >;
  }

  /**
   * How long (ms) the oldest job waiting for a worker has been in the queue, counted from when
   * it was enqueued; 0 when none waits (GET /metrics: relayboard_oldest_queued_seconds).
   */
  async oldestWaitingMs(now = Date.now()): Promise<number> {
    // The wait list is taken from its far end; ascending order puts that end (the oldest job) first.
    const jobs = await this.queue.getJobs(['wait', 'prioritized'], 0, 0, true);
    const oldest = Math.min(...jobs.map((job) => job.timestamp).filter((t) => Number.isFinite(t)));
    return Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0;
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.schedules.close();
    this.connection.disconnect();
  }
}

function toQueuedSchedule(found: {
  key: string;
  id?: string | null;
  pattern?: string;
  tz?: string;
  next?: number;
}): QueuedSchedule | null {
  const id = found.id ?? found.key;
  if (!id.startsWith(SCHEDULER_PREFIX) || !found.pattern) return null;
  return {
    datasetId: id.slice(SCHEDULER_PREFIX.length),
    cron: found.pattern,
    timezone: found.tz ?? 'UTC',
    next: found.next ? new Date(found.next) : null,
  };
}

/**
 * The api's consumer of schedule ticks: each tick becomes a run (or meets the
 * dataset's queued one). A tick that fails is tried again (attempts, backoff);
 * its scheduler adds the next tick meanwhile, so ticks never pile up behind it.
 */
export class ScheduleConsumer {
  private readonly connection: IORedis;
  private readonly worker: Worker<ScheduledRunJobData, void, string>;

  constructor(
    redisUrl: string,
    handler: (data: ScheduledRunJobData, firedAt: Date) => Promise<void>,
    onError: (error: Error) => void,
  ) {
    this.connection = connect(redisUrl, 'consumer');
    this.connection.on('error', onError);
    this.worker = new Worker<ScheduledRunJobData, void, string>(
      SCHEDULE_QUEUE,
      async (job) => {
        if (job.name !== SCHEDULED_RUN_JOB) throw new UnrecoverableError(`unknown schedule job name ${job.name}`);
        await handler(job.data, new Date(job.timestamp + (job.opts.delay ?? 0)));
      },
      { connection: this.connection, concurrency: 4, autorun: true },
    );
    this.worker.on('error', onError);
  }

  async close(): Promise<void> {
    await this.worker.close();
    this.connection.disconnect();
  }
}

export interface PipelineWorkerOptions {
  redisUrl: string;
  concurrency: number;
  /** BullMQ lockDuration and stalledInterval: how soon a dead worker's job is taken over. */
  lockMs?: number;
  stalledCheckMs?: number;
  /** BullMQ maxStalledCount: how often a stalled job goes back to waiting before BullMQ fails it. */
  maxStalledCount?: number;
  onError: (error: Error) => void;
  /** Told of jobs BullMQ found stalled (their worker stopped renewing the lock) and of failed jobs, for the log. */
  onStalled?: (jobId: string) => void;
  onFailed?: (jobId: string | undefined, reason: string) => void;
}

/** What the worker does for each job name; every name must have a handler. */
export interface PipelineJobHandlers {
  [JobName.RunPipeline]: (context: PipelineJobContext) => Promise<void>;
  [JobName.ForgetDataset]: (data: ForgetDatasetJobData) => Promise<void>;
}

/** The worker's side of the queue. */
export class PipelineWorker {
  private readonly connection: IORedis;
  private readonly worker: Worker<JobData, void, JobName>;
  /** For promoting delayed jobs of waiting runs. */
  private readonly queue: Queue<JobData, void, JobName>;
  private stopping = false;

  constructor(options: PipelineWorkerOptions, handlers: PipelineJobHandlers) {
    const missing = Object.values(JobName).filter((name) => typeof handlers[name] !== 'function');
    if (missing.length) throw new Error(`the worker has no handler for job(s) ${missing.join(', ')}`);
    this.connection = connect(options.redisUrl, 'consumer');
    this.connection.on('error', options.onError);
    this.queue = new Queue<JobData, void, JobName>(PIPELINE_QUEUE, { connection: this.connection });
    this.queue.on('error', options.onError);
    this.worker = new Worker<JobData, void, JobName>(
      PIPELINE_QUEUE,
      async (job: Job<JobData, void, JobName>, token?: string) => {
        if (job.name === JobName.ForgetDataset)
          return handlers[JobName.ForgetDataset](job.data as ForgetDatasetJobData);
        if (job.name !== JobName.RunPipeline) throw new UnrecoverableError(`unknown job name ${job.name}`);
        const attempt = job.attemptsMade + 1;
        try {
          await handlers[JobName.RunPipeline]({
            runId: (job.data as RunPipelineJobData).runId,
            attempt,
            isFinalAttempt: attempt >= (job.opts.attempts ?? 1),
            stopping: () => this.stopping,
            promote: (runIds) => this.promote(runIds),
          });
        } catch (error) {
          if (error instanceof JobDefer) {
            // To the delayed set without spending an attempt (moveToDelayed skips it); DelayedError tells the worker it was moved.
            await job.moveToDelayed(Date.now() + error.delayMs, token);
            throw new DelayedError();
          }
          if (!(error instanceof JobYield)) throw error;
          // Back to waiting without spending an attempt; BullMQ's WaitingError tells the worker it was moved.
          await job.moveToWait(token);
          throw new WaitingError();
        }
      },
      {
        connection: this.connection,
        concurrency: options.concurrency,
        autorun: true,
        ...(options.lockMs && { lockDuration: options.lockMs }),
        ...(options.stalledCheckMs && { stalledInterval: options.stalledCheckMs }),
        ...(options.maxStalledCount !== undefined && { maxStalledCount: options.maxStalledCount }),
      },
    );
    this.worker.on('error', options.onError);
    if (options.onStalled) this.worker.on('stalled', (jobId) => options.onStalled!(jobId));
    if (options.onFailed) this.worker.on('failed', (job, error) => options.onFailed!(job?.id, error.message));
  }

  private async promote(runIds: string[]): Promise<void> {
    for (const runId of runIds) {
      const job = await this.queue.getJob(runId);
      // Only a delayed job can be promoted; one that is waiting or active already runs soon.
      if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
    }
  }

  /** Takes no new jobs; running handlers see stopping() and end at their next step. */
  beginShutdown(): void {
    this.stopping = true;
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Lets running jobs finish (or, with force, leaves them locked for BullMQ's stalled check), then disconnects. */
  async close(force = false): Promise<void> {
    this.stopping = true;
    await this.worker.close(force);
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}

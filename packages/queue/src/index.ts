import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';

export { UnrecoverableError };

export const PIPELINE_QUEUE = 'pipeline-runs';

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
}

function connect(redisUrl: string, role: 'producer' | 'consumer'): IORedis {
  return new IORedis(redisUrl, {
    // Workers block on Redis and must never give up a command; producers answer
    // HTTP requests and should fail fast instead of queueing commands forever.
    maxRetriesPerRequest: role === 'consumer' ? null : 2,
    enableOfflineQueue: role === 'consumer',
    connectTimeout: 5_000,
  });
}

/** The api's side of the queue: the only way feature code enqueues work. */
export class PipelineQueue {
  private readonly connection: IORedis;
  private readonly queue: Queue<JobData, void, JobName>;

  constructor(
    redisUrl: string,
    private readonly attempts: number,
  ) {
    this.connection = connect(redisUrl, 'producer');
    this.connection.on('error', () => {
      // Reported through ping() and failed enqueues; without a listener ioredis would print every retry.
    });
    this.queue = new Queue<JobData, void, JobName>(PIPELINE_QUEUE, { connection: this.connection });
    this.queue.on('error', () => undefined);
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

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}

export interface PipelineWorkerOptions {
  redisUrl: string;
  concurrency: number;
  /** BullMQ lockDuration and stalledInterval: how soon a dead worker's job is taken over. */
  lockMs?: number;
  stalledCheckMs?: number;
  onError: (error: Error) => void;
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

  constructor(options: PipelineWorkerOptions, handlers: PipelineJobHandlers) {
    const missing = Object.values(JobName).filter((name) => typeof handlers[name] !== 'function');
    if (missing.length) throw new Error(`the worker has no handler for job(s) ${missing.join(', ')}`);
    this.connection = connect(options.redisUrl, 'consumer');
    this.connection.on('error', options.onError);
    this.worker = new Worker<JobData, void, JobName>(
      PIPELINE_QUEUE,
      async (job: Job<JobData, void, JobName>) => {
        if (job.name === JobName.ForgetDataset) return handlers[JobName.ForgetDataset](job.data as ForgetDatasetJobData);
        if (job.name !== JobName.RunPipeline) throw new UnrecoverableError(`unknown job name ${job.name}`);
        const attempt = job.attemptsMade + 1;
        await handlers[JobName.RunPipeline]({
          runId: (job.data as RunPipelineJobData).runId,
          attempt,
          isFinalAttempt: attempt >= (job.opts.attempts ?? 1),
        });
      },
      {
        connection: this.connection,
        concurrency: options.concurrency,
        autorun: true,
        ...(options.lockMs && { lockDuration: options.lockMs }),
        ...(options.stalledCheckMs && { stalledInterval: options.stalledCheckMs }),
      },
    );
    this.worker.on('error', options.onError);
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Lets running jobs finish, then disconnects. */
  async close(): Promise<void> {
    await this.worker.close();
    this.connection.disconnect();
  }
}

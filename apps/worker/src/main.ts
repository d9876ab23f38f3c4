import { Pool } from 'pg';
import { loadConfig, routeConsoleTo } from '@relayboard/config';
import {
  CheckStore,
  createKnex,
  DatasetLocks,
  DatasetStore,
  DeliveryStore,
  migrateLatest,
  ModelBuildLocks,
  pgTimeoutOptions,
  RunStore,
  verifySecretsKey,
} from '@relayboard/db';
import { JobName, PipelineWorker } from '@relayboard/queue';
import { secretBoxFromConfig } from '@relayboard/secrets';
import { createSources } from '@relayboard/sources';
import { ObjectStore } from '@relayboard/storage';
import { DbtDataRepository } from './dbt/dbt-data.repository';
import { DbtRunner } from './dbt/dbt-runner';
import { ProfileRepository } from './dbt/profile.repository';
import { Heartbeat } from './health/heartbeat';
import { createLog, type Logger } from './log';
import { PipelineRunner } from './pipeline-runner';
import { retryingRepository } from './retry/retries';
import { DeliverStep } from './steps/deliver.step';
import { SourceStep } from './steps/source.step';
import { StageStep } from './steps/stage.step';
import { ColumnOverridesRepository } from './staging/column-overrides.repository';
import { TransformStep } from './steps/transform.step';

// JSON lines on stdout; LOG_LEVEL applies once the settings are read (a bad setting is logged at info).
let log: Logger = createLog('info');

async function main(): Promise<void> {
  const config = loadConfig();
  log = createLog(config.logLevel);
  // Libraries that print to the console (ioredis's unhandled error events, say) write JSON lines too.
  routeConsoleTo(log);
  const secrets = secretBoxFromConfig(config);
  const { timeouts } = config;
  const knex = createKnex(
    config.databaseUrl,
    {},
    { connectMs: timeouts.dbConnectMs, statementMs: timeouts.dbStatementMs },
    log,
  );
  await migrateLatest(knex);
  await verifySecretsKey(knex, secrets);
  // No statement timeout on the warehouse: COPY of a large file and the profile queries may run long (a cut connection still fails them).
  const warehouse = new Pool({
    connectionString: config.warehouseUrl,
    max: config.worker.concurrency * config.staging.copyStreams + 2,
    application_name: 'relayboard-worker',
    ...pgTimeoutOptions({ connectMs: timeouts.dbConnectMs }),
  });
  // An idle pooled connection that PostgreSQL drops (a restart) is reported here; without a listener it would end the process.
  warehouse.on('error', (error) =>
    log.error(`warehouse: an idle connection failed (${error.message}); the pool opens a new one when needed`),
  );
  const store = new ObjectStore(config.s3, { idleTimeoutMs: timeouts.s3IdleMs });
  // Every write and read of the metadata database rides out a restart of PostgreSQL (STEP_RETRY_*), so no step's outcome is lost.
  const retrying = <T extends object>(repository: T) =>
    retryingRepository(repository, config.retry, (message) => log.error(message));
  const records = {
    runs: retrying(new RunStore(knex)),
    datasets: retrying(new DatasetStore(knex)),
    checks: retrying(new CheckStore(knex)),
    deliveries: retrying(new DeliveryStore(knex)),
  };
  const dbt = new DbtRunner(config);
  dbt.warmUp((message) => log.warn(message));
  const dbtData = new DbtDataRepository(warehouse);
  const profiles = new ProfileRepository(warehouse);
  await dbtData.ensureTables();
  const runner = new PipelineRunner(
    records.runs,
    [
      new SourceStep(store, createSources(store, config).urls, records.datasets, records.runs),
      new StageStep(
        store,
        warehouse,
        records.datasets,
        retryingRepository(new ColumnOverridesRepository(knex), config.retry, (message) => log.error(message)),
        config.staging,
      ),
      new TransformStep(dbt, profiles, dbtData, new ModelBuildLocks(config.warehouseUrl), records),
      new DeliverStep(config, secrets, profiles, records),
    ],
    log,
    new DatasetLocks(config.warehouseUrl, timeouts.dbConnectMs),
    config.retry,
    config.worker.waitRecheckMs,
  );
  const worker = new PipelineWorker(
    {
      redisUrl: config.redisUrl,
      concurrency: config.worker.concurrency,
      lockMs: config.worker.lockMs,
      stalledCheckMs: config.worker.stalledCheckMs,
      maxStalledCount: config.worker.maxStalledCount,
      onError: (error) => log.error(`queue: ${error.message}`),
      onStalled: (jobId) =>
        log.warn(
          { jobId },
          `job ${jobId} stalled (its worker stopped renewing its lock); BullMQ moved it back to the queue`,
        ),
      onFailed: (jobId, reason) => log.info({ jobId }, `job ${jobId} failed: ${reason}`),
    },
    {
      [JobName.RunPipeline]: (job) => runner.run(job),
      [JobName.ForgetDataset]: async ({ datasetId, name }) => {
        await dbt.forget(name, datasetId);
        log.info(`removed the generated dbt files of deleted dataset ${name}`);
      },
    },
  );
  await worker.waitUntilReady();
  // The healthcheck's liveness signal (dist/health/healthcheck.js): beats only once the worker takes jobs, and stops when it
  // begins to shut down. Its first beat is written before "ready" is said, so whoever waits for that finds the file.
  const heartbeat = config.worker.heartbeatFile
    ? new Heartbeat(config.worker.heartbeatFile, config.worker.heartbeatMs, (message) => log.error(message))
    : null;
  heartbeat?.start();
  log.info(`Relayboard worker ready (concurrency ${config.worker.concurrency}, dbt ${config.dbt.bin})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.worker.shutdownGraceMs;
    log.info(
      `${signal}: taking no new jobs; running steps get ${graceMs} ms (WORKER_SHUTDOWN_GRACE_MS) to finish, then their runs are left to resume on another worker`,
    );
    // Running runs end at their next step: their jobs go back to the queue (see PipelineRunner).
    worker.beginShutdown();
    heartbeat?.stop();
    const closed = worker.close().then(() => true);
    const inTime = await Promise.race([
      closed,
      new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
    if (!inTime) {
      // A step is still running: dbt's process groups are stopped, and the jobs stay locked until
      // BullMQ's stalled check (or the api's reconciler) gives them to another worker.
      log.info(`a step was still running after ${graceMs} ms; stopping dbt and leaving its run to resume`);
      await dbt.stopAll();
      process.exit(1);
    }
    await warehouse.end();
    await knex.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: Error) => {
  log.error(`Relayboard worker failed to start: ${error.message}`);
  process.exit(1);
});

import { Pool } from 'pg';
import { loadConfig } from '@relayboard/config';
import { createKnex, DatasetLocks, migrateLatest, verifySecretsKey } from '@relayboard/db';
import { JobName, PipelineWorker } from '@relayboard/queue';
import { secretBoxFromConfig } from '@relayboard/secrets';
import { createSources } from '@relayboard/sources';
import { ObjectStore } from '@relayboard/storage';
import { DbtDataRepository } from './dbt/dbt-data.repository';
import { DbtRunner } from './dbt/dbt-runner';
import { ProfileRepository } from './dbt/profile.repository';
import { PipelineRunner, type Logger } from './pipeline-runner';
import { RunsRepository } from './runs.repository';
import { DeliverStep } from './steps/deliver.step';
import { FetchStep } from './steps/fetch.step';
import { StageStep } from './steps/stage.step';
import { TransformStep } from './steps/transform.step';

const log: Logger = {
  info: (message) => console.log(`${new Date().toISOString()} [worker] ${message}`),
  error: (message) => console.error(`${new Date().toISOString()} [worker] ${message}`),
};

async function main(): Promise<void> {
  const config = loadConfig();
  const secrets = secretBoxFromConfig(config);
  const knex = createKnex(config.databaseUrl);
  await migrateLatest(knex);
  await verifySecretsKey(knex, secrets);
  const warehouse = new Pool({ connectionString: config.warehouseUrl, max: config.worker.concurrency * config.staging.copyStreams + 2, application_name: 'relayboard-worker' });
  const store = new ObjectStore(config.s3);
  const repo = new RunsRepository(knex);
  const dbt = new DbtRunner(config);
  const dbtData = new DbtDataRepository(warehouse);
  const profiles = new ProfileRepository(warehouse);
  await dbtData.ensureTables();
  const runner = new PipelineRunner(
    repo,
    [
      new FetchStep(store, createSources(store, config).urls),
      new StageStep(store, warehouse, config.staging),
      new TransformStep(dbt, profiles, dbtData),
      new DeliverStep(config, secrets, profiles),
    ],
    log,
    new DatasetLocks(config.warehouseUrl),
  );
  const worker = new PipelineWorker(
    { redisUrl: config.redisUrl, concurrency: config.worker.concurrency, lockMs: config.worker.lockMs, stalledCheckMs: config.worker.stalledCheckMs, onError: (error) => log.error(`queue: ${error.message}`) },
    {
      [JobName.RunPipeline]: (job) => runner.run(job),
      [JobName.ForgetDataset]: async ({ datasetId, name }) => {
        await dbt.forget(name, datasetId);
        log.info(`removed the generated dbt files of deleted dataset ${name}`);
      },
    },
  );
  await worker.waitUntilReady();
  log.info(`Relayboard worker ready (concurrency ${config.worker.concurrency}, dbt ${config.dbt.bin})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing running jobs, then stopping`);
    await worker.close();
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

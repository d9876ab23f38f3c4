import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { loadConfig, type AppConfig } from '@relayboard/config';
import { createKnex, DatasetLocks, migrateLatest, verifySecretsKey, type Knex, type PgTimeouts } from '@relayboard/db';
import { PipelineQueue } from '@relayboard/queue';
import { secretBoxFromConfig, SecretsKeyError, type SecretBox } from '@relayboard/secrets';
import { ObjectStore } from '@relayboard/storage';
import { encryptLegacyWebhooks } from '../destinations/legacy-webhooks';
import { APP_CONFIG, DATASET_LOCKS, KNEX, OBJECT_STORE, PIPELINE_QUEUE, SECRET_BOX, WAREHOUSE_KNEX } from './tokens';

/** knex's own warnings (a connection that ended, say) go to the api's JSON log, not the console. */
const knexLogger = new Logger('knex');
const knexLog = {
  warn: (message: string) => knexLogger.warn(message),
  error: (message: string) => knexLogger.error(message),
};

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadConfig() },
    // No plaintext fallback: without a usable SECRETS_KEY the api does not start (main.ts checks it first).
    { provide: SECRET_BOX, inject: [APP_CONFIG], useFactory: (config: AppConfig) => secretBoxFromConfig(config) },
    // Every outbound call has a timeout (DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS, S3_TIMEOUT_MS, REDIS_COMMAND_TIMEOUT_MS): a hung store fails a request, it never holds it.
    {
      provide: KNEX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createKnex(config.databaseUrl, {}, pgTimeouts(config), knexLog),
    },
    {
      provide: WAREHOUSE_KNEX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createKnex(config.warehouseUrl, { max: 2 }, pgTimeouts(config), knexLog),
    },
    {
      provide: DATASET_LOCKS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new DatasetLocks(config.warehouseUrl, config.timeouts.dbConnectMs),
    },
    {
      provide: OBJECT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ObjectStore(config.s3, { idleTimeoutMs: config.timeouts.s3IdleMs }),
    },
    {
      provide: PIPELINE_QUEUE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new PipelineQueue(config.redisUrl, config.worker.attempts, {
          commandTimeoutMs: config.timeouts.redisCommandMs,
        }),
    },
  ],
  exports: [APP_CONFIG, SECRET_BOX, KNEX, WAREHOUSE_KNEX, DATASET_LOCKS, OBJECT_STORE, PIPELINE_QUEUE],
})
export class CoreModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('core');

  constructor(
    @Inject(KNEX) private readonly knex: Knex,
    @Inject(WAREHOUSE_KNEX) private readonly warehouse: Knex,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      const applied = await migrateLatest(this.knex);
      if (applied.length > 0) this.logger.log(`applied migrations: ${applied.join(', ')}`);
    } catch (error) {
      throw new Error(
        `cannot prepare the metadata database at DATABASE_URL (${redact(this.config.databaseUrl)}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    try {
      // A wrong key would otherwise show up later, as deliveries that cannot decrypt their webhooks.
      await verifySecretsKey(this.knex, this.box);
    } catch (error) {
      if (!(error instanceof SecretsKeyError) && !(error as Error).message.startsWith('SECRETS_KEY')) throw error;
      throw new Error(
        `the metadata database at DATABASE_URL (${redact(this.config.databaseUrl)}) was set up with another SECRETS_KEY: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const encrypted = await encryptLegacyWebhooks(this.knex, this.box, this.logger);
    if (encrypted > 0)
      this.logger.log(`encrypted the webhook URLs of ${encrypted} destination(s) stored before SECRETS_KEY`);
    try {
      await this.store.ensureBucket();
    } catch (error) {
      throw new Error(
        `cannot reach bucket "${this.config.s3.bucket}" at S3_ENDPOINT ${this.config.s3.endpoint}: ${(error as Error).message} (check S3_ACCESS_KEY / S3_SECRET_KEY)`,
        { cause: error },
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.knex.destroy();
    await this.warehouse.destroy();
  }
}

function pgTimeouts(config: AppConfig): PgTimeouts {
  return { connectMs: config.timeouts.dbConnectMs, statementMs: config.timeouts.dbStatementMs };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

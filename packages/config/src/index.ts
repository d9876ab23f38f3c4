import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A size in bytes, or with a unit: `1048576`, `512kb`, `1mb`. */
const byteSize = z
  .string()
  .regex(/^\s*\d+\s*(b|kb|mb|gb)?\s*$/i, {
    message: 'must be a number of bytes, or a number with b, kb, mb or gb (e.g. 1mb)',
  })
  .transform((value) => {
    const [, digits, unit] = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value)!;
    return Number(digits) * UNITS[(unit || 'b').toLowerCase()];
  })
  .refine((bytes) => bytes > 0, { message: 'must be more than 0 bytes' });

const csvList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean),
);

/** Finds the checkout (or image) root, so relative paths work from any working directory. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** LOG_LEVEL's values, pino's level names from most to least verbose. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // pino's levels: api and worker write JSON lines at this level and above.
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),

  DATABASE_URL: z.string().url().default('postgres://relayboard:relayboard@127.0.0.1:5433/relayboard'),
  WAREHOUSE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),

  S3_ENDPOINT: z.string().url().default('http://127.0.0.1:9000'),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1).default('relayboard'),
  S3_SECRET_KEY: z.string().min(1).default('relayboard-secret'),
  S3_BUCKET: z.string().min(3).default('relayboard'),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  API_URL: z.string().url().default('http://127.0.0.1:4000'),
  WEB_URL: z.string().url().default('http://127.0.0.1:3000'),
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  API_JSON_BODY_LIMIT: byteSize.default(1024 ** 2),
  READY_CHECK_DBT: boolean.default(true),
  // off: no token is asked for on any route. Only for a single trusted laptop: anyone who reaches the api may then change everything.
  AUTH: z
    .enum(['on', 'off'], { error: () => 'must be on or off (off is only for a single trusted laptop)' })
    .default('on'),
  // Where the api writes a first admin token at start when no active admin token exists (the local stack sets it); unset: never.
  AUTH_BOOTSTRAP_TOKEN_FILE: z.string().min(1).optional(),

  SLACK_WEBHOOK_HOSTS: csvList.default(['hooks.slack.com']),
  ALLOW_PRIVATE_URLS: boolean.default(false),
  MAX_CSV_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 ** 3),
  FETCH_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  FETCH_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  FETCH_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  FETCH_DEADLINE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 60_000),

  DBT_BIN: z.string().optional(),
  DBT_PROJECT_DIR: z.string().optional(),
  DBT_THREADS: z.coerce.number().int().min(1).max(32).default(2),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  RUN_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  REJECT_MAX_SHARE: z.coerce.number().min(0).max(1).default(0.01),
  STAGING_COPY_STREAMS: z.coerce.number().int().min(1).max(8).default(2),
  SECRETS_KEY: z.string().min(1).optional(),
  DIGEST_PREVIEW_ROWS: z.coerce.number().int().min(0).max(50).default(10),
  SLACK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  SLACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_STALLED_CHECK_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().min(0).max(10).default(1),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  // Liveness signal for container healthchecks: the worker rewrites this file every WORKER_HEARTBEAT_MS (unset: no file).
  WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  RUN_WAIT_RECHECK_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  // Keep one dbt process started ahead, its Python modules imported (about 3 s of CPU per build saved; about 100 MB while it waits).
  DBT_WARM_START: boolean.default(true),
  DBT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(500).default(15_000),
  RUN_MAX_RECOVERIES: z.coerce.number().int().min(0).max(100).default(3),

  // Per-step retries of transient failures (a restart of PostgreSQL, Redis or the object store): by default a run rides out a 60 s outage.
  STEP_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  STEP_RETRY_INITIAL_MS: z.coerce.number().int().min(10).default(1_000),
  STEP_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(10).default(15_000),
  STEP_RETRY_BUDGET_MS: z.coerce.number().int().min(0).default(120_000),
  // Timeouts of outbound calls (packages/db, packages/storage, packages/queue).
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  S3_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
});

/** Every environment variable the loader reads (for docs and the compose checks). */
export const SETTING_NAMES: readonly string[] = Object.keys(envSchema.shape);

/** Settings without a default that the api and the worker refuse to start without. */
export const REQUIRED_SETTINGS: readonly string[] = ['SECRETS_KEY'];

/** The default of each setting that has one, as parsed from an empty environment (settings without a default are absent). */
export function settingDefaults(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(envSchema.parse({})).filter(([, value]) => value !== undefined));
}

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  logLevel: LogLevel;
  repoRoot: string;
  databaseUrl: string;
  warehouseUrl: string;
  redisUrl: string;
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string; bucket: string };
  /** jsonBodyLimit: bytes of a JSON request body (API_JSON_BODY_LIMIT); readyChecksDbt: whether /ready runs `dbt --version` (READY_CHECK_DBT). */
  api: { host: string; port: number; url: string; jsonBodyLimit: number; readyChecksDbt: boolean };
  web: { port: number; url: string };
  /**
   * enabled: whether every `/v1` route needs an api token (AUTH, default on; off only for a single trusted laptop);
   * bootstrapTokenFile: where the api writes a first admin token at start when no active admin token exists (AUTH_BOOTSTRAP_TOKEN_FILE).
   */
  auth: { enabled: boolean; bootstrapTokenFile: string | null };
  slackWebhookHosts: string[];
  allowPrivateUrls: boolean;
  /** headersTimeoutMs: from connecting to the response headers; deadlineMs: the whole download, however steadily it trickles. */
  fetch: {
    maxBytes: number;
    connectTimeoutMs: number;
    idleTimeoutMs: number;
    headersTimeoutMs: number;
    deadlineMs: number;
  };
  /**
   * timeoutMs: a dbt build still running after this is killed (its process group) and the run fails.
   * warmStart: the worker keeps one dbt process ready with its modules imported (dbt-warm.py) and hands the next build to it.
   */
  dbt: { bin: string; projectDir: string; threads: number; timeoutMs: number; warmStart: boolean };
  /**
   * lockMs / stalledCheckMs: how long a dead worker's job stays locked before another worker takes it over (BullMQ lockDuration, stalledInterval);
   * maxStalledCount: how often BullMQ moves a stalled job back before failing it (the reconciler then takes over);
   * shutdownGraceMs: on SIGTERM/SIGINT, how long the running steps get to finish before the worker exits and leaves them to be resumed;
   * heartbeatFile / heartbeatMs: the file the worker rewrites every heartbeatMs while it takes jobs (null: none), read by its healthcheck;
   * waitRecheckMs: a run whose dataset another run holds waits in the delayed set this long before it looks again (it is promoted sooner when that run ends).
   */
  worker: {
    concurrency: number;
    attempts: number;
    lockMs: number;
    stalledCheckMs: number;
    maxStalledCount: number;
    shutdownGraceMs: number;
    waitRecheckMs: number;
    heartbeatFile: string | null;
    heartbeatMs: number;
  };
  /** The api's reconciler: how often it compares PostgreSQL's unfinished runs with the queue, and how often one run may be recovered before it is failed. */
  reconcile: { intervalMs: number; maxRecoveries: number };
  /** previewRows: first rows of the table shown in a digest; attempts and timeoutMs: per destination and post. */
  slack: { previewRows: number; attempts: number; timeoutMs: number };
  /** Largest share of a file's rows that may be rejected before its load fails (0..1). */
  /** copyStreams: COPY connections one load uses at once (the worker's pool holds concurrency x copyStreams + 2). */
  staging: { rejectMaxShare: number; copyStreams: number };
  /** Base64 of 32 bytes; encrypts webhook URLs at rest (packages/secrets). The api and worker refuse to start without it. */
  secretsKey: string | null;
  /**
   * Retries of a step's transient failures within one job (STEP_RETRY_*): `attempts` tries in all, the delay
   * starting at initialDelayMs and doubling up to maxDelayMs, and no retry that would start more than budgetMs
   * after the step's first failure. The worker's bookkeeping writes to PostgreSQL ride out outages the same way.
   */
  retry: RetryPolicy;
  /**
   * Timeouts of outbound calls: connectMs and statementMs for PostgreSQL (statementMs only on metadata queries, never
   * on COPY or dbt; 0 turns it off), s3IdleMs for a request to the object store that sends or receives nothing
   * for that long, redisCommandMs for a command of the api's Redis connection.
   */
  timeouts: { dbConnectMs: number; dbStatementMs: number; s3IdleMs: number; redisCommandMs: number };
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The one place that reads process.env. Invalid settings stop the process with
 * a message naming each variable and what is wrong with it.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid Relayboard settings (fix these environment variables):\n${problems}`);
  }
  const e = parsed.data;
  const repoRoot = findRepoRoot();
  const projectDir = path.resolve(repoRoot, e.DBT_PROJECT_DIR ?? 'dbt');
  const venvDbt = path.join(repoRoot, '.venv', 'bin', 'dbt');
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    repoRoot,
    databaseUrl: e.DATABASE_URL,
    warehouseUrl: e.WAREHOUSE_URL ?? e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKey: e.S3_ACCESS_KEY,
      secretKey: e.S3_SECRET_KEY,
      bucket: e.S3_BUCKET,
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      url: e.API_URL,
      jsonBodyLimit: e.API_JSON_BODY_LIMIT,
      readyChecksDbt: e.READY_CHECK_DBT,
    },
    web: { port: e.WEB_PORT, url: e.WEB_URL },
    auth: {
      enabled: e.AUTH === 'on',
      bootstrapTokenFile: e.AUTH_BOOTSTRAP_TOKEN_FILE ? path.resolve(repoRoot, e.AUTH_BOOTSTRAP_TOKEN_FILE) : null,
    },
    slackWebhookHosts: e.SLACK_WEBHOOK_HOSTS,
    allowPrivateUrls: e.ALLOW_PRIVATE_URLS,
    fetch: {
      maxBytes: e.MAX_CSV_BYTES,
      connectTimeoutMs: e.FETCH_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: e.FETCH_IDLE_TIMEOUT_MS,
      headersTimeoutMs: e.FETCH_HEADERS_TIMEOUT_MS,
      deadlineMs: e.FETCH_DEADLINE_MS,
    },
    dbt: {
      bin: e.DBT_BIN ?? (existsSync(venvDbt) ? venvDbt : 'dbt'),
      projectDir,
      threads: e.DBT_THREADS,
      timeoutMs: e.DBT_TIMEOUT_MS,
      warmStart: e.DBT_WARM_START,
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      attempts: e.RUN_ATTEMPTS,
      lockMs: e.WORKER_LOCK_MS,
      stalledCheckMs: e.WORKER_STALLED_CHECK_MS,
      maxStalledCount: e.WORKER_MAX_STALLED_COUNT,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      waitRecheckMs: e.RUN_WAIT_RECHECK_MS,
      heartbeatFile: e.WORKER_HEARTBEAT_FILE ? path.resolve(e.WORKER_HEARTBEAT_FILE) : null,
      heartbeatMs: e.WORKER_HEARTBEAT_MS,
    },
    reconcile: { intervalMs: e.RECONCILE_INTERVAL_MS, maxRecoveries: e.RUN_MAX_RECOVERIES },
    slack: { previewRows: e.DIGEST_PREVIEW_ROWS, attempts: e.SLACK_ATTEMPTS, timeoutMs: e.SLACK_TIMEOUT_MS },
    staging: { rejectMaxShare: e.REJECT_MAX_SHARE, copyStreams: e.STAGING_COPY_STREAMS },
    secretsKey: e.SECRETS_KEY ?? null,
    retry: {
      attempts: e.STEP_RETRY_ATTEMPTS,
      initialDelayMs: e.STEP_RETRY_INITIAL_MS,
      maxDelayMs: e.STEP_RETRY_MAX_DELAY_MS,
      budgetMs: e.STEP_RETRY_BUDGET_MS,
    },
    timeouts: {
      dbConnectMs: e.DB_CONNECT_TIMEOUT_MS,
      dbStatementMs: e.DB_STATEMENT_TIMEOUT_MS,
      s3IdleMs: e.S3_TIMEOUT_MS,
      redisCommandMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
  };
}

/** Connection settings split out of a postgres:// URL, for tools (dbt, psql) that want fields. */
export function pgConnectionFields(url: string): {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
} {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
  };
}

/** Variables of the parent's environment a dbt child keeps: what a process needs to run, and dbt's own. */
const DBT_INHERITED = [
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'USER',
  'LOGNAME',
];
const DBT_INHERITED_PREFIXES = ['LC_', 'DBT_'];

/**
 * The whole environment of a dbt child process: the warehouse connection
 * that profiles.yml reads, dbt's own variables (DBT_*, including its
 * DBT_ENV_SECRET_* and DBT_ENV_CUSTOM_ENV_* conventions for people's models)
 * and what any process needs (PATH, HOME, locale, temp folders). Nothing else
 * of the parent's: the metadata database URL, Redis, the S3 keys and any
 * other secret of the worker stay out of dbt's reach.
 */
export function dbtEnvironment(config: AppConfig, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const pg = pgConnectionFields(config.warehouseUrl);
  const inherited = Object.fromEntries(
    Object.entries(base).filter(
      ([name, value]) =>
        value !== undefined && (DBT_INHERITED.includes(name) || DBT_INHERITED_PREFIXES.some((p) => name.startsWith(p))),
    ),
  );
  return {
    ...inherited,
    DBT_PROFILES_DIR: config.dbt.projectDir,
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    DBT_THREADS: String(config.dbt.threads),
    RELAYBOARD_PGHOST: pg.host,
    RELAYBOARD_PGPORT: String(pg.port),
    RELAYBOARD_PGUSER: pg.user,
    RELAYBOARD_PGPASSWORD: pg.password,
    RELAYBOARD_PGDATABASE: pg.database,
  };
}
export { jsonLogOptions, routeConsoleTo, type ConsoleSink } from './console-log';

import { chmodSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { REPO_ROOT, requireBuilt } from './workspace';

type Devstack = typeof import('../../packages/devstack/dist/index');
type Storage = typeof import('../../packages/storage/dist/index');
export type ObjectStore = InstanceType<Storage['ObjectStore']>;

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
}

export interface BenchServices {
  pgUrl: string;
  s3: S3Settings;
  store: ObjectStore;
  admin: Pool;
  /** Server facts for the report: version and the settings that shape load speed. */
  server: Record<string, string>;
  stop(): Promise<void>;
}

/** The environment of a benchmark child that runs worker code: the bench's own servers win over whatever the shell points the worker at. */
export function benchChildEnv(services: BenchServices): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: services.pgUrl,
    WAREHOUSE_URL: services.pgUrl,
    S3_ENDPOINT: services.s3.endpoint,
    S3_REGION: services.s3.region,
    S3_ACCESS_KEY: services.s3.accessKey,
    S3_SECRET_KEY: services.s3.secretKey,
    S3_BUCKET: services.s3.bucket,
  };
}

/** Stops servers whose pid files are still under root: what an interrupted start left running. */
export async function stopLeftovers(root: string): Promise<void> {
  const devstack = requireBuilt<Devstack>('packages/devstack/dist/index.js');
  await devstack.stopRecorded(devstack.stackDirs(root).runDir, ['s3', 'postgres']);
}

const BENCH_DATABASE = 'relayboard_bench';
const SHOWN_SETTINGS = [
  'server_version',
  'shared_buffers',
  'max_wal_size',
  'wal_level',
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'max_parallel_workers',
];

/**
 * Starts a PostgreSQL server and a SeaweedFS S3 gateway of the benchmark's own
 * under `root`, with durable (non-ephemeral) settings: every contender loads into
 * the same server as a production-like deployment would run it.
 */
export async function startBenchServices(
  root: string,
  portBase: number,
  log: (line: string) => void,
): Promise<BenchServices> {
  const devstack = requireBuilt<Devstack>('packages/devstack/dist/index.js');
  const { ObjectStore } = requireBuilt<Storage>('packages/storage/dist/index.js');
  const { CREDENTIALS } = devstack;
  const busy: number[] = [];
  for (let port = portBase; port <= portBase + 12; port++) if (!(await devstack.isPortFree(port))) busy.push(port);
  if (busy.length > 0) throw new Error(`ports ${busy.join(', ')} are in use: pick other ports with --port-base`);

  // PostgreSQL runs as the postgres OS user when we are root; it must be able to enter the folder.
  chmodSync(root, 0o755);
  const dirs = devstack.stackDirs(root);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    log(`starting PostgreSQL on 127.0.0.1:${portBase}`);
    const pg = await devstack.startPostgres({
      dataDir: path.join(root, 'postgres'),
      port: portBase,
      user: CREDENTIALS.pgUser,
      password: CREDENTIALS.pgPassword,
      database: BENCH_DATABASE,
      ...dirs,
    });
    stoppers.push(() => pg.stop());

    log(`starting the S3 server (SeaweedFS) on 127.0.0.1:${portBase + 1}`);
    const s3Handle = await devstack.startS3({
      dataDir: path.join(root, 's3'),
      port: portBase + 1,
      accessKey: CREDENTIALS.s3AccessKey,
      secretKey: CREDENTIALS.s3SecretKey,
      bucket: CREDENTIALS.bucket,
      weedBin: path.join(REPO_ROOT, '.venv', 'bin', 'weed'),
      ...dirs,
    });
    stoppers.push(() => s3Handle.stop());

    const s3: S3Settings = {
      endpoint: s3Handle.endpoint,
      region: 'us-east-1',
      accessKey: CREDENTIALS.s3AccessKey,
      secretKey: CREDENTIALS.s3SecretKey,
      bucket: CREDENTIALS.bucket,
    };
    const store = new ObjectStore(s3);
    await store.ensureBucket();

    const admin = new Pool({ connectionString: pg.url, max: 2, application_name: 'relayboard-bench' });
    stoppers.push(() => admin.end());
    const { rows } = await admin.query<{ name: string; setting: string }>(
      `select name, current_setting(name) as setting from unnest($1::text[]) as name`,
      [SHOWN_SETTINGS],
    );
    const server = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    return { pgUrl: pg.url, s3, store, admin, server, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

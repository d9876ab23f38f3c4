import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretBox } from '@relayboard/secrets';
import { startFileServer, type FileServer } from './file-server';
import { startPostgres, type PostgresHandle } from './postgres';
import { isPortFree, startProcess, superviseProcess, tail, waitFor, type ManagedProcess } from './process';
import { startRedis, type RedisHandle } from './redis';
import { startS3, type S3Handle } from './s3';
import { emptyFolder, ServiceControl, startControlServer, type ServiceName } from './services';
import { startSlackStandIn, type ReceivedSlackMessage, type SlackStandIn } from './slack-stand-in';

export interface StackPorts {
  postgres: number;
  redis: number;
  s3: number;
  api: number;
  web: number;
  slack: number;
  files: number;
}

/**
 * A stack's ports laid out from one base, for stacks that run beside others (tests,
 * benchmarks): PostgreSQL N, Redis N+1, api N+2, board N+3, Slack N+4, files N+5,
 * S3 N+10 (its gateway takes N+10 to N+21).
 */
export function portsFrom(base: number): StackPorts {
  return {
    postgres: base,
    redis: base + 1,
    api: base + 2,
    web: base + 3,
    slack: base + 4,
    files: base + 5,
    s3: base + 10,
  };
}

export const DEFAULT_PORTS: StackPorts = {
  postgres: 5433,
  redis: 6379,
  s3: 9000,
  api: 4000,
  web: 3000,
  slack: 4010,
  files: 4011,
};

export interface StackOptions {
  repoRoot: string;
  /** Where every service keeps its data, logs and pid files. */
  home: string;
  ports: StackPorts;
  web: boolean;
  ephemeral?: boolean;
  /** Folder served over loopback HTTP, for sample and test CSVs. */
  filesDir: string;
  onSlackMessage?: (message: ReceivedSlackMessage) => void;
  log?: (line: string) => void;
  /** Settings for the api and worker on top of the stack's own (tests use short timeouts, small caps). */
  extraEnv?: NodeJS.ProcessEnv;
  /** Start the api and the worker again when one dies, with a backoff, saying so through `log` (compose's restart: unless-stopped). */
  restartApps?: boolean;
  /** Serve the service controls (stop/start/restart/pause PostgreSQL, Redis, the object store) over loopback HTTP on this port, for fault tests. */
  controlPort?: number;
}

export interface Stack {
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  webUrl: string;
  filesUrl: string;
  slack: SlackStandIn;
  processes: ManagedProcess[];
  /** Stop, start, restart (Redis optionally empty) and pause the stores; see packages/devstack/src/services.ts. */
  services: ServiceControl;
  /** The control server's URL when controlPort was given. */
  controlUrl: string | null;
  /** The admin token the api wrote to adminTokenFile when it bootstrapped (null with AUTH=off). */
  adminToken: string | null;
  /** <home>/admin-token (mode 0600): where the api writes the first admin token (AUTH_BOOTSTRAP_TOKEN_FILE). */
  adminTokenFile: string;
  stop(): Promise<void>;
}

export const CREDENTIALS = {
  pgUser: 'relayboard',
  pgPassword: 'relayboard',
  pgDatabase: 'relayboard',
  s3AccessKey: 'relayboard',
  s3SecretKey: 'relayboard-secret',
  bucket: 'relayboard',
};

/** The order `down` stops recorded processes in: apps first, stores last. */
export const STOP_ORDER = ['stack', 'web', 'worker', 'api', 's3', 'redis', 'postgres'];

/**
 * The local stack's SECRETS_KEY: made once and kept in <home>/secrets.key (mode
 * 0600), since the webhook URLs stored in its database can only be read with it.
 */
export function stackSecretsKey(home: string): string {
  const file = path.join(home, 'secrets.key');
  if (!existsSync(file)) writeFileSync(file, `${SecretBox.generateKey()}\n`, { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

/** Where the stack's api writes its first admin token (AUTH_BOOTSTRAP_TOKEN_FILE), mode 0600; `.relayboard/admin-token` for ./relayboard up. */
export function stackAdminTokenFile(home: string): string {
  return path.join(home, 'admin-token');
}

/** The admin token in a token file, or null when there is none (AUTH=off, or the api has not written it). */
export function readTokenFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

export function stackDirs(home: string) {
  return { logDir: path.join(home, 'logs'), runDir: path.join(home, 'run') };
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.status < 500;
  } catch {
    return false;
  }
}

/**
 * Starts PostgreSQL, Redis, the S3 server, the Slack stand-in, a loopback file
 * server, the api, the worker and (optionally) the board, each a real process.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => undefined);
  const dirs = stackDirs(options.home);
  mkdirSync(options.home, { recursive: true });
  const stoppers: (() => Promise<void>)[] = [];
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };

  // A port someone else holds would pass the readiness checks with their server's answers.
  for (const [name, port] of Object.entries(options.ports).filter(([name]) => options.web || name !== 'web')) {
    if (!(await isPortFree(port))) {
      throw new Error(
        `port ${port} (${name}) is in use: stop what uses it, or choose another port (see "Ports" in the README)`,
      );
    }
  }

  try {
    // The stores are started through ServiceControl, which fault tests use to stop and start them again (same port, same data).
    const storeIndex = new Map<ServiceName, number>();
    const services = new ServiceControl(
      {
        postgres: {
          start: (): Promise<PostgresHandle> =>
            startPostgres({
              dataDir: path.join(options.home, 'postgres'),
              port: options.ports.postgres,
              user: CREDENTIALS.pgUser,
              password: CREDENTIALS.pgPassword,
              database: CREDENTIALS.pgDatabase,
              ephemeral: options.ephemeral,
              ...dirs,
            }),
        },
        redis: {
          start: (): Promise<RedisHandle> =>
            startRedis({ dataDir: path.join(options.home, 'redis'), port: options.ports.redis, ...dirs }),
          wipe: () => emptyFolder(path.join(options.home, 'redis')),
        },
        s3: {
          start: (): Promise<S3Handle> =>
            startS3({
              dataDir: path.join(options.home, 's3'),
              port: options.ports.s3,
              accessKey: CREDENTIALS.s3AccessKey,
              secretKey: CREDENTIALS.s3SecretKey,
              bucket: CREDENTIALS.bucket,
              weedBin: path.join(options.repoRoot, '.venv', 'bin', 'weed'),
              ...dirs,
            }),
        },
      },
      (name, handle) => {
        if (handle && storeIndex.has(name)) processes[storeIndex.get(name)!] = handle.process;
      },
      log,
    );
    const startStore = async <T extends { process: ManagedProcess; stop(): Promise<void> }>(
      name: ServiceName,
      what: string,
    ): Promise<T> => {
      log(what);
      await services.start(name);
      stoppers.push(() => services.stop(name));
      const handle = services.handle(name) as T;
      storeIndex.set(name, processes.push(handle.process) - 1);
      return handle;
    };
    const pg = await startStore<PostgresHandle>(
      'postgres',
      `starting PostgreSQL on 127.0.0.1:${options.ports.postgres}`,
    );
    const redis = await startStore<RedisHandle>('redis', `starting Redis on 127.0.0.1:${options.ports.redis}`);
    const s3 = await startStore<S3Handle>('s3', `starting the S3 server (SeaweedFS) on 127.0.0.1:${options.ports.s3}`);
    let controlUrl: string | null = null;
    if (options.controlPort !== undefined) {
      const control = await startControlServer(services, options.controlPort);
      stoppers.push(() => control.close());
      controlUrl = control.url;
    }

    const slack = await startSlackStandIn({ port: options.ports.slack, onMessage: options.onSlackMessage });
    stoppers.push(() => slack.close());
    const files: FileServer = await startFileServer(options.filesDir, options.ports.files);
    stoppers.push(() => files.close());

    const apiUrl = `http://127.0.0.1:${options.ports.api}`;
    const webUrl = `http://127.0.0.1:${options.ports.web}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: CREDENTIALS.s3AccessKey,
      S3_SECRET_KEY: CREDENTIALS.s3SecretKey,
      S3_BUCKET: CREDENTIALS.bucket,
      API_HOST: '127.0.0.1',
      API_PORT: String(options.ports.api),
      API_URL: apiUrl,
      WEB_PORT: String(options.ports.web),
      WEB_URL: webUrl,
      SLACK_WEBHOOK_HOSTS: 'hooks.slack.com,127.0.0.1,localhost',
      ALLOW_PRIVATE_URLS: 'true',
      DBT_BIN: path.join(options.repoRoot, '.venv', 'bin', 'dbt'),
      SECRETS_KEY: process.env.SECRETS_KEY ?? stackSecretsKey(options.home),
      NEXT_TELEMETRY_DISABLED: '1',
      // Auth stays on: the api makes a first admin token when none exists and writes it here.
      AUTH_BOOTSTRAP_TOKEN_FILE: stackAdminTokenFile(options.home),
      ...options.extraEnv,
    };

    const app = (name: string, script: string, args: string[] = []) => {
      const start = () =>
        startProcess(name, process.execPath, [path.join(options.repoRoot, script), ...args], dirs, {
          env,
          cwd: options.repoRoot,
        });
      const proc = options.restartApps ? superviseProcess(name, start, log) : start();
      stoppers.push(() => proc.stop());
      processes.push(proc);
      return proc;
    };

    log(`starting the api on ${apiUrl}`);
    const api = app('api', 'apps/api/dist/main.js');
    await waitFor(
      'the api',
      async () => {
        if (api.child.exitCode !== null) throw new Error(`api exited:\n${tail(api.logFile, 20)}`);
        // /ready, not /health: the worker starts once PostgreSQL, Redis, the object store and dbt answer.
        return httpOk(`${apiUrl}/ready`);
      },
      60_000,
    );

    const adminTokenFile = String(env.AUTH_BOOTSTRAP_TOKEN_FILE);
    const adminToken = env.AUTH === 'off' ? null : readTokenFile(adminTokenFile);
    if (env.AUTH === 'off') log('AUTH=off: the api asks for no token (only for a single trusted laptop)');
    else if (adminToken) log(`admin token: ${adminTokenFile} (mode 0600; send it as "Authorization: Bearer <token>")`);
    else
      log(
        `no admin token at ${adminTokenFile}: the api found an active admin token already and wrote none; create one with POST /v1/tokens using an admin token you have`,
      );

    log('starting the worker');
    const worker = app('worker', 'apps/worker/dist/main.js');
    await waitFor(
      'the worker',
      async () => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${tail(worker.logFile, 20)}`);
        return tail(worker.logFile, 50).includes('worker ready');
      },
      60_000,
    );

    if (options.web) {
      const nextBin = path.join(options.repoRoot, 'apps', 'web', 'node_modules', 'next', 'dist', 'bin', 'next');
      if (!existsSync(path.join(options.repoRoot, 'apps', 'web', '.next', 'BUILD_ID'))) {
        throw new Error('the board is not built: run `pnpm build` (./relayboard up does it)');
      }
      log(`starting the board on ${webUrl}`);
      const web = startProcess(
        'web',
        process.execPath,
        [nextBin, 'start', '-H', '127.0.0.1', '-p', String(options.ports.web)],
        dirs,
        {
          env,
          cwd: path.join(options.repoRoot, 'apps', 'web'),
        },
      );
      stoppers.push(() => web.stop());
      processes.push(web);
      await waitFor(
        'the board',
        async () => {
          if (web.child.exitCode !== null) throw new Error(`board exited:\n${tail(web.logFile, 20)}`);
          return httpOk(webUrl);
        },
        60_000,
      );
    }

    return {
      env,
      apiUrl,
      webUrl,
      filesUrl: files.url,
      slack,
      processes,
      services,
      controlUrl,
      adminToken,
      adminTokenFile,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

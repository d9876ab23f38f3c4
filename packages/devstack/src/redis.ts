import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { startProcess, tail, waitFor, type ManagedProcess } from './process';

export interface RedisOptions {
  dataDir: string;
  port: number;
  logDir: string;
  runDir: string;
}

export interface RedisHandle {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export function findRedisServer(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server']).toString().trim();
  } catch {
    throw new Error(
      'redis-server is not installed: run `apt-get install -y redis-server` (./relayboard bootstrap does it).',
    );
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  mkdirSync(options.dataDir, { recursive: true });
  // Redis holds only the queue (Postgres is the source of truth), so it keeps an
  // append-only file for restarts of the stack but no RDB snapshots; BullMQ needs noeviction.
  const proc = startProcess(
    'redis',
    findRedisServer(),
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--dir',
      options.dataDir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
    options,
  );
  try {
    await waitFor(`Redis on port ${options.port}`, async () => {
      if (proc.child.exitCode !== null) throw new Error(`redis-server exited: ${tail(proc.logFile, 10)}`);
      return ping(options.port);
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${options.port}`, process: proc, stop: () => proc.stop() };
}

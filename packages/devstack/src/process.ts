import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal, waits for the process to go, and kills it if it will not. */
export async function terminate(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing is listening on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`${what} was not ready after ${timeoutMs} ms${why}`);
    }
    await sleep(intervalMs);
  }
}

export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * Starts a long-running program with its output in `<logDir>/<name>.log` and its
 * pid in `<runDir>/<name>.pid`, so `down` can find it even if this process died.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  dirs: { logDir: string; runDir: string },
  options: SpawnOptions = {},
): ManagedProcess {
  mkdirSync(dirs.logDir, { recursive: true });
  mkdirSync(dirs.runDir, { recursive: true });
  const logFile = path.join(dirs.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pidFile = path.join(dirs.runDir, `${name}.pid`);
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  child.once('exit', () => rmSync(pidFile, { force: true }));
  child.once('error', (error) => log.write(`failed to start ${command}: ${error.message}\n`));
  return {
    name,
    child,
    logFile,
    async stop() {
      if (child.pid && child.exitCode === null) await terminate(child.pid, 'SIGTERM');
      rmSync(pidFile, { force: true });
    },
  };
}

export interface RestartPolicy {
  /** The first restart waits this long; each quick death doubles it, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that ran this long before dying is restarted after initialDelayMs again. */
  stableMs: number;
}

/**
 * As Docker's restart policies: a process that ran 10 s had started fine, so its death
 * is not a crash loop and it comes back after 1 s again. (With 30 s, a worker killed
 * every 20-30 s, as the fault suite does, waited up to 30 s to come back.)
 */
export const DEFAULT_RESTART: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, stableMs: 10_000 };

/** A process's exit as a shell says it: 137 for SIGKILL. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0);
}

/**
 * Keeps a process running as compose's `restart: unless-stopped` does: when
 * it exits without stop() having been called, it is started again after a
 * backoff, and `log` says so ("worker exited with code 137; restarting it in
 * 1 s"). `child` and `logFile` are always the current process's.
 */
export function superviseProcess(
  name: string,
  start: () => ManagedProcess,
  log: (line: string) => void,
  policy: RestartPolicy = DEFAULT_RESTART,
): ManagedProcess & { restarts(): number } {
  let current = start();
  let stopped = false;
  let delay = policy.initialDelayMs;
  let startedAt = Date.now();
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;
  const watch = (proc: ManagedProcess) =>
    proc.child.once('exit', (code, signal) => {
      if (stopped) return;
      if (Date.now() - startedAt >= policy.stableMs) delay = policy.initialDelayMs;
      log(
        `${name} exited with code ${exitCodeOf(code, signal)}${signal ? ` (${signal})` : ''}; restarting it in ${delay / 1000} s`,
      );
      timer = setTimeout(() => {
        if (stopped) return;
        startedAt = Date.now();
        restarts++;
        current = start();
        watch(current);
        log(`${name} restarted (pid ${current.child.pid})`);
      }, delay);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    });
  watch(current);
  return {
    name,
    get child() {
      return current.child;
    },
    get logFile() {
      return current.logFile;
    },
    restarts: () => restarts,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current.stop();
    },
  };
}

/** Stops every process whose pid file is in runDir (what a killed `up` left behind). */
export async function stopRecorded(runDir: string, order: string[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of order) {
    const pidFile = path.join(runDir, `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && isAlive(pid)) {
      // `up` itself gets time to stop what it started; PostgreSQL gets its fast-shutdown signal.
      await terminate(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM', name === 'stack' ? 60_000 : 10_000);
      stopped.push(`${name} (pid ${pid})`);
    }
    rmSync(pidFile, { force: true });
  }
  return stopped;
}

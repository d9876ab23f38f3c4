import { readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManagedProcess } from './process';

/** The stores of the stack that tests may stop, start, restart and pause (test/faults/services.ts). */
export const SERVICE_NAMES = ['postgres', 'redis', 's3'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type ServiceState = 'running' | 'stopped' | 'paused';

/** What the stack knows of one store: how to start it (same port, same data) and how to stop the running one. */
export interface ServiceHandle {
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface ServiceDefinition {
  start(): Promise<ServiceHandle>;
  /** Removes the store's data (for a restart "without persistence"); stores without it refuse `empty`. */
  wipe?(): void;
}

/** Every process whose parent is pid (PostgreSQL's backends, checkpointer, ...). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/**
 * Stops, starts, restarts and pauses the stack's PostgreSQL, Redis and object
 * store, for fault tests. A stop is the store's own clean shutdown (SIGINT for
 * PostgreSQL's fast shutdown, SIGTERM otherwise); a pause is SIGSTOP of the
 * process and its children (a hang: connections stay open, nothing answers).
 */
export class ServiceControl {
  private readonly handles = new Map<ServiceName, ServiceHandle | null>();
  private readonly paused = new Set<ServiceName>();
  /** One operation at a time per store. */
  private readonly busy = new Map<ServiceName, Promise<unknown>>();

  constructor(
    private readonly definitions: Record<ServiceName, ServiceDefinition>,
    private readonly onChange: (name: ServiceName, handle: ServiceHandle | null) => void = () => undefined,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The running store's handle; null while it is stopped. */
  handle(name: ServiceName): ServiceHandle | null {
    return this.handles.get(name) ?? null;
  }

  state(name: ServiceName): ServiceState {
    if (this.paused.has(name)) return 'paused';
    return this.handles.get(name) ? 'running' : 'stopped';
  }

  states(): Record<ServiceName, ServiceState> {
    return Object.fromEntries(SERVICE_NAMES.map((n) => [n, this.state(n)])) as Record<ServiceName, ServiceState>;
  }

  /** hard: SIGKILL (a crash: open connections are cut at once) instead of the store's clean shutdown. */
  stop(name: ServiceName, options: { hard?: boolean } = {}): Promise<void> {
    return this.serial(name, async () => {
      const handle = this.handles.get(name);
      if (!handle) return;
      if (this.paused.has(name)) this.signal(name, 'SIGCONT');
      this.paused.delete(name);
      if (options.hard) {
        const { child } = handle.process;
        const exited = new Promise<void>((resolve) =>
          child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
        );
        this.signal(name, 'SIGKILL');
        await exited;
      }
      await handle.stop();
      this.handles.set(name, null);
      this.onChange(name, null);
      this.log(`${name} stopped (service control)`);
    });
  }

  start(name: ServiceName, options: { empty?: boolean } = {}): Promise<void> {
    return this.serial(name, async () => {
      if (this.handles.get(name)) {
        if (options.empty) throw new Error(`${name} is running: stop it before starting it empty`);
        return;
      }
      if (options.empty) {
        const wipe = this.definitions[name].wipe;
        if (!wipe) throw new Error(`${name} cannot be started empty`);
        wipe();
      }
      const handle = await this.definitions[name].start();
      this.handles.set(name, handle);
      this.onChange(name, handle);
      this.log(`${name} started${options.empty ? ' empty' : ''} (pid ${handle.process.child.pid}, service control)`);
    });
  }

  async restart(name: ServiceName, options: { empty?: boolean; hard?: boolean } = {}): Promise<void> {
    await this.stop(name, options);
    await this.start(name, options);
  }

  pause(name: ServiceName): Promise<void> {
    return this.serial(name, async () => {
      if (!this.handles.get(name) || this.paused.has(name)) return;
      this.signal(name, 'SIGSTOP');
      this.paused.add(name);
      this.log(`${name} paused with SIGSTOP (service control)`);
    });
  }

  resume(name: ServiceName): Promise<void> {
    return this.serial(name, async () => {
      if (!this.paused.has(name)) return;
      this.signal(name, 'SIGCONT');
      this.paused.delete(name);
      this.log(`${name} resumed with SIGCONT (service control)`);
    });
  }

  /** Starts every stopped store and resumes every paused one (for a test's finally). */
  async restoreAll(): Promise<void> {
    for (const name of SERVICE_NAMES) {
      await this.resume(name);
      await this.start(name);
    }
  }

  private signal(name: ServiceName, signal: NodeJS.Signals): void {
    const pid = this.handles.get(name)?.process.child.pid;
    if (!pid) return;
    // Children first on SIGSTOP and SIGKILL (a backend must not answer while its postmaster is stopped), parent first on SIGCONT.
    const all = signal === 'SIGCONT' ? [pid, ...childrenOf(pid)] : [...childrenOf(pid), pid];
    for (const p of all) {
      try {
        process.kill(p, signal);
      } catch {
        // gone meanwhile
      }
    }
  }

  private serial<T>(name: ServiceName, work: () => Promise<T>): Promise<T> {
    const previous = this.busy.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.busy.set(name, next);
    return next;
  }
}

/** Removes a folder's contents (Redis's append-only files), keeping the folder. */
export function emptyFolder(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(`${dir}/${entry}`, { recursive: true, force: true });
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The service controls over loopback HTTP, for tests in other processes:
 *   GET  /services                        -> {"postgres":"running","redis":"paused","s3":"stopped"}
 *   POST /services/<name>/stop|start|restart|pause|resume[?empty=1][&hard=1]  -> 200 with the states, once done
 * <name> is postgres, redis or s3; `empty=1` (start, restart) starts Redis without its data;
 * `hard=1` (stop, restart) kills the store with SIGKILL instead of shutting it down cleanly.
 */
export async function startControlServer(control: ServiceControl, port: number): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/services') return answer(200, control.states());
    const match = /^\/services\/([a-z0-9]+)\/(stop|start|restart|pause|resume)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match)
      return answer(404, {
        error: 'use GET /services or POST /services/<postgres|redis|s3>/<stop|start|restart|pause|resume>',
      });
    const name = match[1] as ServiceName;
    if (!SERVICE_NAMES.includes(name))
      return answer(404, { error: `unknown service ${name}; one of ${SERVICE_NAMES.join(', ')}` });
    const empty = url.searchParams.get('empty') === '1';
    const hard = url.searchParams.get('hard') === '1';
    const action = match[2];
    const work =
      action === 'stop'
        ? control.stop(name, { hard })
        : action === 'start'
          ? control.start(name, { empty })
          : action === 'restart'
            ? control.restart(name, { empty, hard })
            : action === 'pause'
              ? control.pause(name)
              : control.resume(name);
    work.then(
      () => answer(200, control.states()),
      (error: Error) => answer(500, { error: error.message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

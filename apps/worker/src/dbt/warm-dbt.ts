import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** dbt_warm.py's lines before it runs a build. */
const WARM_PREFIX = 'relayboard-dbt-warm: ';
/** A spare that dies before its build this many times in a row stops warm starts for the worker's life. */
const MAX_EARLY_DEATHS = 3;

/** The Python script the worker starts ahead of a build (apps/worker/python, beside src and dist). */
export const WARM_SCRIPT = path.resolve(__dirname, '..', '..', 'python', 'dbt_warm.py');

/**
 * The Python interpreter of a dbt console script (`#!/path/to/python` over
 * `from dbt.cli.main import cli`, as pip writes it), or null when the bin is
 * something else (a wrapper script, a binary), which is then always started
 * directly.
 */
export function dbtInterpreter(bin: string): string | null {
  let head: string;
  try {
    head = readFileSync(bin, 'utf8').slice(0, 4096);
  } catch {
    return null;
  }
  const shebang = /^#!(\S*python[0-9.]*)\s*\n/.exec(head);
  if (!shebang || !head.includes('from dbt.cli.main import cli')) return null;
  return shebang[1];
}

/** A started dbt waiting for its build; `onLine` receives its output once it is handed one. */
export interface WarmDbtProcess {
  child: ChildProcess;
  pid: number;
  onLine: (line: string) => void;
}

interface Spare extends WarmDbtProcess {
  ready: boolean;
  /** Resolves once the spare is ready or gone. */
  settled: Promise<void>;
}

/** How long a build waits for a spare that is still importing dbt, rather than starting a second dbt beside it. */
const SPARE_WAIT_MS = 30_000;

/**
 * Keeps one dbt process started ahead of the next build (dbt_warm.py): it has
 * imported dbt while the worker was idle, which saves each build about 3 s of
 * CPU. A build takes the spare only once it is ready; otherwise (none yet,
 * two builds at once, or warm starts unavailable) dbt starts as before.
 */
export class WarmDbt {
  private spare: Spare | null = null;
  private earlyDeaths = 0;
  private disabled: string | null = null;

  constructor(
    private readonly interpreter: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (message: string) => void,
    private readonly script = WARM_SCRIPT,
  ) {}

  /** Why warm starts are off for this worker, or null. */
  get unavailable(): string | null {
    return this.disabled;
  }

  /** Starts a spare when there is none. */
  prepare(): void {
    if (this.spare || this.disabled) return;
    const child = spawn(this.interpreter, [this.script], {
      // A process group of its own: its guard stops the whole group, as for a dbt it starts itself.
      detached: true,
      cwd: os.tmpdir(),
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (!child.pid) {
      child.once('error', () => undefined);
      this.disable(`could not start ${this.interpreter}`);
      return;
    }
    let settle = () => undefined as void;
    const spare: Spare = {
      child,
      pid: child.pid,
      ready: false,
      onLine: () => undefined,
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    const beforeBuild = (line: string) => {
      if (line === `${WARM_PREFIX}ready`) {
        spare.ready = true;
        this.earlyDeaths = 0;
        settle();
      } else if (line.startsWith(`${WARM_PREFIX}unavailable: `)) {
        this.disable(line.slice(WARM_PREFIX.length + 'unavailable: '.length));
      }
    };
    spare.onLine = beforeBuild;
    createInterface({ input: child.stdout! }).on('line', (line) => spare.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => spare.onLine(line));
    child.stdin!.on('error', () => undefined);
    child.once('error', (error) => this.disable(`could not start ${this.interpreter} (${error.message})`));
    child.once('exit', () => {
      settle();
      if (this.spare !== spare) return;
      // Died before it was handed a build: the next build starts dbt directly, and a new spare is started after it.
      this.spare = null;
      if (++this.earlyDeaths >= MAX_EARLY_DEATHS)
        this.disable(`the warm dbt process exited before its build ${MAX_EARLY_DEATHS} times in a row`);
    });
    this.spare = spare;
  }

  /**
   * The spare, now this caller's to hand a build to (handOver), or null. A spare
   * still importing dbt is waited for (a dbt started beside it would only share
   * the CPU with it), up to SPARE_WAIT_MS.
   */
  async take(): Promise<WarmDbtProcess | null> {
    const spare = this.spare;
    if (!spare) return null;
    if (!spare.ready) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([spare.settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, SPARE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    if (this.spare !== spare || !spare.ready || spare.child.exitCode !== null || spare.child.signalCode !== null)
      return null;
    this.spare = null;
    return spare;
  }

  /** Gives a taken process its build: the same arguments, folder and environment as a dbt started directly. */
  static handOver(
    warm: WarmDbtProcess,
    build: { bin: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv },
  ): void {
    const title = [build.bin, ...build.args].join(' ');
    warm.child.stdin!.end(`${JSON.stringify({ ...build, title })}\n`);
  }

  /** Ends the spare (the worker is stopping). */
  stop(): void {
    this.disable('the worker is stopping', false);
  }

  private disable(reason: string, announce = true): void {
    if (!this.disabled && announce)
      this.log(`dbt warm start is off for this worker: ${reason}; each build starts dbt (about 3 s more per build)`);
    this.disabled ??= reason;
    const spare = this.spare;
    this.spare = null;
    if (!spare) return;
    spare.child.stdin?.end();
    try {
      process.kill(-spare.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
}

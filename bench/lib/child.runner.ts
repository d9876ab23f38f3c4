import { fork, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

/** Children still running, so an interrupted benchmark can stop exactly what it started. */
const running = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export function killRunningChildren(): void {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  seconds: number;
  timedOut: boolean;
}

const KEPT_OUTPUT = 16_384;

/** Keeps the end of a child's output: enough to report why it failed without holding a chatty log. */
export class OutputTail {
  private text = '';

  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-KEPT_OUTPUT);
  }

  toString(): string {
    return this.text;
  }
}

/** Runs a program to its end and times it from spawn to exit. */
export function runTimed(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutS?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const output = new OutputTail();
    child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));
    let timedOut = false;
    const timer =
      options.timeoutS === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutS * 1000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not be started: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: output.toString(), seconds: (performance.now() - started) / 1000, timedOut });
    });
  });
}

/** The lines of a program's output that say what went wrong (else its last line), without log timestamps. */
export function errorLines(output: string, pattern = /error|fatal|failed/i, limit = 300): string {
  const lines = output
    .split('\n')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s+/, '').trim())
    .filter(Boolean);
  const errors = lines.filter((l) => pattern.test(l));
  return (errors.length > 0 ? errors.slice(0, 2) : lines.slice(-1)).join(' | ').slice(0, limit);
}

/**
 * Forks a benchmark child (a compiled script beside this one), sends it its job
 * over IPC and waits for it to end. `report` is the one message it sent back, or
 * undefined when it ended without one (`code`, `signal` and the tail of its
 * output then say why).
 */
export async function forkForReport<Report>(
  script: string,
  env: NodeJS.ProcessEnv,
  job: unknown,
): Promise<{ report: Report | undefined; code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = fork(script, [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  track(child);
  const output = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));
  let report: Report | undefined;
  child.once('message', (message: Report) => {
    report = message;
  });
  // 'close' comes after the IPC channel and the output pipes are done, so the report has arrived if there is one.
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  child.send(job as object);
  const [code, signal] = await exited;
  return { report, code, signal, output: output.toString() };
}

/**
 * Runs dbt so that it never outlives the worker that started it.
 *
 *   node dbt-guard.js <pid file> <kill grace ms> <dbt bin> <dbt args...>
 *
 * Node cannot set PR_SET_PDEATHSIG on a child, and a SIGKILLed worker cannot
 * clean up, so the worker starts dbt through this small process instead: it
 * starts dbt in a process group of its own and keeps a pipe from the worker on
 * its stdin. When that pipe reaches end of file (the worker closed it to stop
 * dbt, or the worker died, which the kernel closes for it), or when this
 * process gets SIGTERM, SIGINT or SIGHUP, it sends SIGTERM to dbt's whole
 * group, then SIGKILL after the grace period, and exits once dbt is gone. It
 * writes "<own pid> <dbt pid>" to the pid file while dbt runs, so a later
 * worker can find a dbt whose guard was killed too.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

/** The guard's own line when dbt could not be started; DbtRunner (GUARD_SPAWN_FAILED) turns it into the step's error. */
const SPAWN_FAILED = 'relayboard-dbt-guard: ';

const [pidFile, graceArg, bin, ...args] = process.argv.slice(2);
const graceMs = Number(graceArg);
if (!pidFile || !bin || !Number.isFinite(graceMs)) {
  process.stderr.write('usage: dbt-guard <pid file> <kill grace ms> <dbt bin> [args...]\n');
  process.exit(2);
}

// dbt's output goes straight to the worker's pipes; its stdin is not used.
const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;

const signalGroup = (signal: NodeJS.Signals) => {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
};

const stop = () => {
  if (stopping) return;
  stopping = true;
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), graceMs).unref();
};

child.once('spawn', () => writeFileSync(pidFile, `${process.pid} ${child.pid}\n`));
child.once('error', (error) => {
  process.stderr.write(`${SPAWN_FAILED}could not start dbt at ${bin} (${error.message})\n`);
  rmSync(pidFile, { force: true });
  process.exit(127);
});
child.once('exit', (code, signal) => {
  // Anything dbt started in its group goes with it.
  signalGroup('SIGKILL');
  rmSync(pidFile, { force: true });
  process.exit(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
});

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);

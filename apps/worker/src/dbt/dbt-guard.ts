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
 *
 *   node dbt-guard.js --adopt <dbt pid> <pid file> <kill grace ms> <dbt bin> <dbt args...>
 *
 * guards a dbt that the worker started ahead (DBT_WARM_START, dbt_warm.py) in
 * a process group of its own, the same way: it is not this process's child,
 * so the guard watches for it to be gone instead of waiting for it to exit.
 * The dbt arguments are not used; they put the run's folder in the guard's
 * command line, as for a dbt it starts itself.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

/** The guard's own line when dbt could not be started; DbtRunner (GUARD_SPAWN_FAILED) turns it into the step's error. */
const SPAWN_FAILED = 'relayboard-dbt-guard: ';

const adopt = process.argv[2] === '--adopt';
const adoptedPid = adopt ? Number(process.argv[3]) : 0;
const [pidFile, graceArg, bin, ...args] = process.argv.slice(adopt ? 4 : 2);
const graceMs = Number(graceArg);
if (!pidFile || !bin || !Number.isFinite(graceMs) || (adopt && !(adoptedPid > 0))) {
  process.stderr.write(
    'usage: dbt-guard <pid file> <kill grace ms> <dbt bin> [args...]\n       dbt-guard --adopt <dbt pid> <pid file> <kill grace ms> <dbt bin> [args...]\n',
  );
  process.exit(2);
}

let stopping = false;
/** dbt's process group: its leader's pid, once known. */
let group = 0;

const signalGroup = (signal: NodeJS.Signals) => {
  try {
    if (group) process.kill(-group, signal);
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

if (adopt) {
  group = adoptedPid;
  writeFileSync(pidFile, `${process.pid} ${adoptedPid}\n`);
  // Not this process's child: it is gone once signal 0 finds no such process (its parent, the worker, reaps it).
  const watch = setInterval(() => {
    if (alive(adoptedPid)) return;
    clearInterval(watch);
    signalGroup('SIGKILL');
    rmSync(pidFile, { force: true });
    process.exit(0);
  }, 100);
} else {
  // dbt's output goes straight to the worker's pipes; its stdin is not used.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  group = child.pid ?? 0;
  child.once('spawn', () => {
    writeFileSync(pidFile, `${process.pid} ${child.pid}\n`);
  });
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
}

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);

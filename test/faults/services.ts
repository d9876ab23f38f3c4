import { testStack } from '../stack-env';

/**
 * Stop, start, restart and pause the test stack's stores from a test.
 *
 *   await stopService('postgres');                 // clean shutdown (PostgreSQL's fast shutdown: sessions end with 57P01)
 *   await stopService('s3', { hard: true });       // SIGKILL: a crash, open connections cut mid-body
 *   await startService('postgres');                // same port, same data; resolves once it answers
 *   await restartService('redis', { empty: true }); // Redis back WITHOUT its data (as a restart without persistence)
 *   await pauseService('s3'); await resumeService('s3'); // SIGSTOP/SIGCONT: a hang (connections stay open, nothing answers)
 *   await restoreServices();                       // in afterAll/finally: everything running again
 *
 * Services: 'postgres' (the metadata database and the warehouse: one server), 'redis', 's3' (SeaweedFS).
 * The stack process (test/global-setup.ts) owns the processes and does the work, over loopback HTTP
 * (packages/devstack/src/services.ts, startControlServer); each call resolves when it is done.
 */
export type ServiceName = 'postgres' | 'redis' | 's3';
export type ServiceState = 'running' | 'stopped' | 'paused';

async function control(path: string, method: 'GET' | 'POST' = 'POST'): Promise<Record<ServiceName, ServiceState>> {
  const res = await fetch(`${testStack().controlUrl}${path}`, { method, signal: AbortSignal.timeout(120_000) });
  const body = (await res.json()) as Record<ServiceName, ServiceState> & { error?: string };
  if (res.status !== 200) throw new Error(`service control ${method} ${path} answered ${res.status}: ${body.error}`);
  return body;
}

export const serviceStates = () => control('/services', 'GET');
const flags = (options: { empty?: boolean; hard?: boolean }) => {
  const q = new URLSearchParams();
  if (options.empty) q.set('empty', '1');
  if (options.hard) q.set('hard', '1');
  return q.size ? `?${q}` : '';
};

export const stopService = (name: ServiceName, options: { hard?: boolean } = {}) =>
  control(`/services/${name}/stop${flags(options)}`);
export const startService = (name: ServiceName, options: { empty?: boolean } = {}) =>
  control(`/services/${name}/start${flags(options)}`);
export const restartService = (name: ServiceName, options: { empty?: boolean; hard?: boolean } = {}) =>
  control(`/services/${name}/restart${flags(options)}`);
export const pauseService = (name: ServiceName) => control(`/services/${name}/pause`);
export const resumeService = (name: ServiceName) => control(`/services/${name}/resume`);

/** Resumes what is paused and starts what is stopped, so later tests and suites find every store up. */
export async function restoreServices(): Promise<void> {
  const states = await serviceStates();
  for (const [name, state] of Object.entries(states) as [ServiceName, ServiceState][]) {
    if (state === 'paused') await resumeService(name);
    if (state === 'stopped') await startService(name);
  }
}

/** Stops a store for `ms`, then starts it again; returns how long it was really down (stop to answering again). */
export async function outage(
  name: ServiceName,
  ms: number,
  options: { empty?: boolean; hard?: boolean } = {},
): Promise<{ downMs: number; stoppedAt: number; backAt: number }> {
  const stoppedAt = Date.now();
  await stopService(name, { hard: options.hard });
  try {
    await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - stoppedAt))));
  } finally {
    await startService(name, options);
  }
  const backAt = Date.now();
  return { downMs: backAt - stoppedAt, stoppedAt, backAt };
}

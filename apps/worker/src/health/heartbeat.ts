import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The worker's liveness signal for container healthchecks (WORKER_HEARTBEAT_FILE):
 * while the worker takes jobs it rewrites the file every WORKER_HEARTBEAT_MS, so a
 * worker whose event loop is stuck, or that is shutting down, lets it go stale.
 * It says nothing about PostgreSQL, Redis or S3: a worker rides out their outages
 * (docs/reliability.md), and restarting it would not bring them back.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly intervalMs: number,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  start(): void {
    if (this.timer) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    this.beat();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** No more beats: the file goes stale and the healthcheck fails once it is older than maxHeartbeatAgeMs. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private beat(): void {
    // Written whole then renamed, so the healthcheck never reads half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify({ pid: process.pid, at: new Date().toISOString() })}\n`);
      renameSync(tmp, this.file);
    } catch (error) {
      this.onError(
        `could not write the heartbeat file ${this.file} (${(error as Error).message}); check that WORKER_HEARTBEAT_FILE is in a writable folder`,
      );
    }
  }
}

/** A heartbeat older than this is stale: three missed beats (and at least 5 s, for a busy machine). */
export function maxHeartbeatAgeMs(intervalMs: number): number {
  return Math.max(3 * intervalMs, 5_000);
}

export type HeartbeatCheck = { healthy: true; ageMs: number } | { healthy: false; reason: string };

/** What the worker image's healthcheck decides: healthy when the file was rewritten within maxHeartbeatAgeMs. */
export function checkHeartbeat(file: string | null, intervalMs: number, now: number = Date.now()): HeartbeatCheck {
  if (!file)
    return {
      healthy: false,
      reason:
        'WORKER_HEARTBEAT_FILE is not set, so the worker writes no heartbeat; set it (the worker image sets /tmp/relayboard-worker.heartbeat)',
    };
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return {
      healthy: false,
      reason: `no heartbeat file at ${file}: the worker has not started taking jobs yet, or writes its heartbeat elsewhere (WORKER_HEARTBEAT_FILE)`,
    };
  }
  const ageMs = Math.max(0, now - mtimeMs);
  const maxMs = maxHeartbeatAgeMs(intervalMs);
  if (ageMs > maxMs)
    return {
      healthy: false,
      reason: `the worker's heartbeat ${file} is ${Math.round(ageMs)} ms old (more than ${maxMs} ms): the worker is stuck or shutting down`,
    };
  return { healthy: true, ageMs };
}

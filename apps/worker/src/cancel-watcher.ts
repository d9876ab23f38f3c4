import type { RunStore } from '@relayboard/db';

/** How often a running run's cancel request is looked for. */
export const CANCEL_CHECK_MS = 1_000;

/**
 * Watches a running run for a cancel request (POST /v1/runs/:id/cancel sets
 * runs.cancel_requested_at) by reading its row every second, and aborts
 * `signal` when one comes; steps stop on it (dbt's process group is stopped,
 * a COPY is aborted and its load tables dropped). Polling the row by its key
 * costs one indexed read a second per running run, needs no connection of its
 * own, and cannot miss a request the way a dropped LISTEN connection misses a
 * notification; a second is prompt enough to stop a step.
 */
export class CancelWatcher {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  /** Why the run was canceled, once it was. */
  reason: string | null = null;

  private constructor(
    private readonly repo: Pick<RunStore, 'cancelRequest'>,
    private readonly runId: string,
  ) {}

  /** Checks once (a request made before the run started is seen at once), then every CANCEL_CHECK_MS until stopped. */
  static async start(
    repo: Pick<RunStore, 'cancelRequest'>,
    runId: string,
    intervalMs = CANCEL_CHECK_MS,
  ): Promise<CancelWatcher> {
    const watcher = new CancelWatcher(repo, runId);
    await watcher.check();
    if (!watcher.canceled) {
      watcher.timer = setInterval(() => void watcher.check(), intervalMs);
      watcher.timer.unref();
    }
    return watcher;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get canceled(): boolean {
    return this.controller.signal.aborted;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    if (this.checking || this.canceled) return;
    this.checking = true;
    try {
      // A failed read (the database restarting) is tried again at the next tick.
      const request = await this.repo.cancelRequest(this.runId).catch(() => null);
      if (!request) return;
      this.reason = request.reason ?? 'no reason given';
      this.stop();
      this.controller.abort(new RunCanceled(this.reason));
    } finally {
      this.checking = false;
    }
  }
}

/** The reason a canceled run's signal carries. */
export class RunCanceled extends Error {
  constructor(readonly reason: string) {
    super(`the run was canceled: ${reason}`);
    this.name = 'RunCanceled';
  }
}

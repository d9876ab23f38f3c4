import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RunsService } from './runs.service';

const INTERVAL_MS = 30_000;

/** Postgres is the source of truth for runs: every 30 s, queued runs missing from Redis are enqueued again. */
@Injectable()
export class RunsReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('reconciler');
  private timer?: NodeJS.Timeout;

  constructor(private readonly runs: RunsService) {}

  onApplicationBootstrap(): void {
    const tick = () =>
      this.runs
        .reconcile()
        .then((n) => n > 0 && this.logger.log(`enqueued ${n} queued run(s) that the queue did not hold`))
        .catch((error: Error) => this.logger.warn(`could not reconcile queued runs: ${error.message}`));
    void tick();
    this.timer = setInterval(tick, INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@relayboard/config';
import { ScheduleConsumer, type ScheduledRunJobData } from '@relayboard/queue';
import { APP_CONFIG } from '../core/tokens';
import { SchedulesService } from '../schedules/schedules.service';
import { RunsService } from './runs.service';

/**
 * Turns each schedule tick (BullMQ's job scheduler of a dataset fired) into a
 * run with trigger `schedule`, exactly as POST /v1/pipelines/run would: a URL
 * dataset's run fetches its source again (refresh), and a dataset that already
 * has such a run queued gets no second one, so ticks never pile runs up behind
 * a long one. Whether the run then loads anything is the worker's call (an
 * unchanged source ends it `skipped`, unless the schedule says alwaysRun).
 */
@Injectable()
export class ScheduledRuns implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('schedules');
  private consumer?: ScheduleConsumer;
  private lastQueueError = '';

  constructor(
    private readonly runs: RunsService,
    private readonly schedules: SchedulesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer = new ScheduleConsumer(
      this.config.redisUrl,
      (data, firedAt) => this.fire(data, firedAt),
      (error) => {
        // ioredis reports every reconnect attempt while Redis is away: one line per distinct error.
        if (error.message === this.lastQueueError) return;
        this.lastQueueError = error.message;
        this.logger.warn(`schedule queue: ${error.message}; schedules fire again once Redis answers`);
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close().catch(() => undefined);
  }

  async fire({ datasetId }: ScheduledRunJobData, firedAt: Date): Promise<void> {
    const schedule = await this.schedules.activeSchedule(datasetId);
    if (!schedule) {
      // Paused or deleted while its tick waited; the re-sync removes a scheduler left behind.
      this.logger.log(`a tick of dataset ${datasetId}'s schedule came while the schedule is paused or gone; no run`);
      return;
    }
    const { body } = await this.runs.trigger(
      { datasetName: schedule.dataset_name, refresh: schedule.source_type === 'url' },
      undefined,
      'schedule',
    );
    this.logger.log(
      body.existing
        ? `${schedule.dataset_name}'s schedule fired (${firedAt.toISOString()}); its queued run ${body.runId} answers it, no new run`
        : `${schedule.dataset_name}'s schedule fired (${firedAt.toISOString()}); run ${body.runId} queued`,
    );
  }
}

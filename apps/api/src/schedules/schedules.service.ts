import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type DatasetSchedule, type PutDatasetScheduleRequest } from '@relayboard/contracts';
import { checkCron, type PipelineQueue } from '@relayboard/queue';
import { datasetNotFound, DomainError } from '../common/domain-error';
import { PIPELINE_QUEUE } from '../core/tokens';
import { planScheduleSync } from './schedule-sync';
import { toScheduleDto } from './schedules.dto';
import { SchedulesRepository, type ScheduleWithDataset } from './schedules.repository';

/**
 * A dataset's cron schedule: PostgreSQL holds it (the source of truth), BullMQ
 * a job scheduler of it while it is not paused. Every change writes
 * PostgreSQL first; when Redis does not answer, the re-sync (at start and on
 * the reconciler's interval) creates or removes the scheduler later.
 */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger('schedules');

  constructor(
    private readonly repository: SchedulesRepository,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {}

  async get(name: string): Promise<DatasetSchedule> {
    return toScheduleDto(await this.find(await this.datasetId(name), name));
  }

  async put(name: string, request: PutDatasetScheduleRequest): Promise<DatasetSchedule> {
    const datasetId = await this.datasetId(name);
    const check = checkCron(request.cron, request.timezone);
    if (!check.ok)
      throw new DomainError(ErrorCode.ValidationFailed, `invalid request body: ${check.field}: ${check.message}`, {
        issues: [{ field: check.field, message: check.message }],
      });
    await this.repository.upsert(datasetId, {
      cron: request.cron,
      timezone: check.timezone,
      alwaysRun: request.alwaysRun ?? false,
    });
    const schedule = await this.find(datasetId, name);
    await this.apply(schedule);
    this.logger.log(
      `dataset ${name} scheduled: ${schedule.cron} (${schedule.timezone})${schedule.paused ? ', paused' : ''}${schedule.always_run ? ', always runs' : ''}`,
    );
    return toScheduleDto(schedule);
  }

  async pause(name: string): Promise<DatasetSchedule> {
    return this.setPaused(name, true);
  }

  async resume(name: string): Promise<DatasetSchedule> {
    return this.setPaused(name, false);
  }

  async delete(name: string): Promise<void> {
    const datasetId = await this.datasetId(name);
    if (!(await this.repository.delete(datasetId))) throw this.noSchedule(name);
    await this.queue.removeSchedule(datasetId).catch((error: Error) => this.warnLater(name, error));
    this.logger.log(`dataset ${name}'s schedule removed`);
  }

  /** The dataset's schedule when it is active (exists and not paused): a tick of any other is stale. */
  async activeSchedule(datasetId: string): Promise<ScheduleWithDataset | null> {
    const schedule = await this.repository.find(datasetId);
    return schedule && !schedule.paused ? schedule : null;
  }

  /**
   * Makes BullMQ's job schedulers agree with PostgreSQL: re-creates those Redis
   * lost (flushed, restarted empty) or holds with another cron, removes those of
   * paused and deleted schedules. One read of each side; writes only for differences.
   */
  async resync(): Promise<{ upserted: number; removed: number }> {
    const queued = await this.queue.allSchedules();
    const stored = await this.repository.all();
    const plan = planScheduleSync(
      stored.map((s) => ({ datasetId: s.dataset_id, cron: s.cron, timezone: s.timezone, paused: s.paused })),
      queued,
    );
    for (const s of plan.upsert) await this.queue.upsertSchedule(s.datasetId, s);
    for (const datasetId of plan.remove) await this.queue.removeSchedule(datasetId);
    return { upserted: plan.upsert.length, removed: plan.remove.length };
  }

  private async setPaused(name: string, paused: boolean): Promise<DatasetSchedule> {
    const datasetId = await this.datasetId(name);
    if (!(await this.repository.setPaused(datasetId, paused))) throw this.noSchedule(name);
    const schedule = await this.find(datasetId, name);
    await this.apply(schedule);
    this.logger.log(`dataset ${name}'s schedule ${paused ? 'paused' : 'resumed'}`);
    return toScheduleDto(schedule);
  }

  /** The scheduler for the stored schedule: present while active, absent while paused. */
  private async apply(schedule: ScheduleWithDataset): Promise<void> {
    const change = schedule.paused
      ? this.queue.removeSchedule(schedule.dataset_id)
      : this.queue.upsertSchedule(schedule.dataset_id, schedule);
    await Promise.resolve(change).catch((error: Error) => this.warnLater(schedule.dataset_name, error));
  }

  private warnLater(name: string, error: Error): void {
    this.logger.warn(
      `dataset ${name}'s schedule is saved but the queue did not take the change (${error.message}); the re-sync applies it when Redis answers again`,
    );
  }

  private async datasetId(name: string): Promise<string> {
    const id = await this.repository.datasetId(name);
    if (!id) throw datasetNotFound(name);
    return id;
  }

  private async find(datasetId: string, name: string): Promise<ScheduleWithDataset> {
    const schedule = await this.repository.find(datasetId);
    if (!schedule) throw this.noSchedule(name);
    return schedule;
  }

  private noSchedule(name: string): DomainError {
    return new DomainError(
      ErrorCode.ScheduleNotFound,
      `dataset "${name}" has no schedule; create one with PUT /v1/datasets/${name}/schedule { "cron": "0 6 * * 1-5", "timezone": "Europe/Paris" }`,
    );
  }
}

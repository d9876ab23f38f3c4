import { Inject, Injectable } from '@nestjs/common';
import { Tables, type DatasetRow, type DatasetScheduleRow, type Knex } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export type ScheduleWithDataset = DatasetScheduleRow & { dataset_name: string; source_type: DatasetRow['source_type'] };

/** The only door to relayboard.dataset_schedules, PostgreSQL's record of each dataset's schedule (BullMQ's schedulers are re-created from it). */
@Injectable()
export class SchedulesRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async datasetId(name: string): Promise<string | null> {
    return (await this.knex<DatasetRow>(Tables.datasets).where({ name }).first('id'))?.id ?? null;
  }

  private withDataset() {
    return this.knex<ScheduleWithDataset>(`${Tables.datasetSchedules} as s`)
      .join(`${Tables.datasets} as d`, 'd.id', 's.dataset_id')
      .select('s.*', 'd.name as dataset_name', 'd.source_type');
  }

  async find(datasetId: string): Promise<ScheduleWithDataset | null> {
    return (await this.withDataset().where('s.dataset_id', datasetId).first()) ?? null;
  }

  /** Every schedule (a few per dataset at most one): the re-sync's worklist. */
  all(): Promise<ScheduleWithDataset[]> {
    return this.withDataset();
  }

  /** Creates or replaces the schedule; a replaced schedule keeps its paused state. */
  async upsert(datasetId: string, fields: { cron: string; timezone: string; alwaysRun: boolean }): Promise<void> {
    await this.knex<DatasetScheduleRow>(Tables.datasetSchedules)
      .insert({ dataset_id: datasetId, cron: fields.cron, timezone: fields.timezone, always_run: fields.alwaysRun })
      .onConflict('dataset_id')
      .merge({
        cron: fields.cron,
        timezone: fields.timezone,
        always_run: fields.alwaysRun,
        updated_at: this.knex.fn.now() as unknown as Date,
      });
  }

  /** False when the dataset has no schedule. */
  async setPaused(datasetId: string, paused: boolean): Promise<boolean> {
    const updated = await this.knex<DatasetScheduleRow>(Tables.datasetSchedules)
      .where({ dataset_id: datasetId })
      .update({ paused, updated_at: this.knex.fn.now() as unknown as Date });
    return updated > 0;
  }

  async delete(datasetId: string): Promise<boolean> {
    return (await this.knex<DatasetScheduleRow>(Tables.datasetSchedules).where({ dataset_id: datasetId }).delete()) > 0;
  }
}

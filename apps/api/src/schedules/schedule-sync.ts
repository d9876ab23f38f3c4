import type { QueuedSchedule } from '@relayboard/queue';

export interface StoredSchedule {
  datasetId: string;
  cron: string;
  timezone: string;
  paused: boolean;
}

export interface SchedulePlan {
  /** Active schedules BullMQ lacks, or holds with another cron or time zone. */
  upsert: StoredSchedule[];
  /** Schedulers of datasets that have no active schedule (deleted, paused). */
  remove: string[];
}

/**
 * What makes BullMQ's job schedulers agree with PostgreSQL's schedules. The
 * caller reads BullMQ first, then PostgreSQL: a schedule written between the
 * two reads is then upserted once more (harmless), never removed.
 */
export function planScheduleSync(stored: StoredSchedule[], queued: QueuedSchedule[]): SchedulePlan {
  const active = new Map(stored.filter((s) => !s.paused).map((s) => [s.datasetId, s]));
  const inQueue = new Map(queued.map((q) => [q.datasetId, q]));
  const upsert = [...active.values()].filter((s) => {
    const q = inQueue.get(s.datasetId);
    return !q || q.cron !== s.cron || q.timezone !== s.timezone;
  });
  const remove = queued.filter((q) => !active.has(q.datasetId)).map((q) => q.datasetId);
  return { upsert, remove };
}

import { planScheduleSync, type StoredSchedule } from './schedule-sync';

const stored = (datasetId: string, fields: Partial<StoredSchedule> = {}): StoredSchedule => ({
  datasetId,
  cron: '0 6 * * *',
  timezone: 'UTC',
  paused: false,
  ...fields,
});
const queued = (datasetId: string, cron = '0 6 * * *', timezone = 'UTC') => ({ datasetId, cron, timezone, next: null });

describe('planScheduleSync', () => {
  it('re-creates every active schedule when Redis was flushed', () => {
    const sut = planScheduleSync([stored('a'), stored('b'), stored('c', { paused: true })], []);
    expect(sut).toEqual({ upsert: [stored('a'), stored('b')], remove: [] });
  });

  it('leaves schedulers that match alone', () => {
    expect(planScheduleSync([stored('a')], [queued('a')])).toEqual({ upsert: [], remove: [] });
  });

  it('replaces a scheduler whose cron or time zone differs', () => {
    const sut = planScheduleSync(
      [stored('a', { cron: '*/5 * * * * *' }), stored('b', { timezone: 'Europe/Paris' })],
      [queued('a'), queued('b')],
    );
    expect(sut.upsert.map((s) => s.datasetId)).toEqual(['a', 'b']);
    expect(sut.remove).toEqual([]);
  });

  it('removes schedulers of paused, deleted or unscheduled datasets', () => {
    const sut = planScheduleSync([stored('a', { paused: true })], [queued('a'), queued('gone')]);
    expect(sut).toEqual({ upsert: [], remove: ['a', 'gone'] });
  });
});

import { checkCron, nextRunAt, resolveTimeZone } from './cron';

describe('checkCron', () => {
  it('takes five fields, six with seconds, and aliases', () => {
    expect(checkCron('0 6 * * 1-5', 'Europe/Paris')).toEqual({ ok: true, timezone: 'Europe/Paris' });
    expect(checkCron('*/5 * * * * *', 'UTC')).toEqual({ ok: true, timezone: 'UTC' });
    expect(checkCron('@daily', 'UTC').ok).toBe(true);
  });

  it('answers the canonical spelling of a time zone', () => {
    expect(checkCron('0 6 * * *', 'utc')).toEqual({ ok: true, timezone: 'UTC' });
    expect(resolveTimeZone('america/new_york')).toBe('America/New_York');
  });

  it('refuses an unknown time zone, naming the field', () => {
    const sut = checkCron('0 6 * * *', 'Mars/Olympus');
    expect(sut).toMatchObject({ ok: false, field: 'timezone' });
    expect(!sut.ok && sut.message).toContain('Europe/Paris');
    expect(resolveTimeZone("UTC'; drop table x")).toBeNull();
  });

  it('refuses bad crons with an example', () => {
    for (const cron of ['every day', '61 * * * *', '* * * * * * *', '* * *', '0 0 30 2 *']) {
      const sut = checkCron(cron, 'UTC');
      expect(sut).toMatchObject({ ok: false, field: 'cron' });
      expect(!sut.ok && sut.message).toContain('0 6 * * 1-5');
    }
  });
});

describe('nextRunAt', () => {
  it('fires in the schedule time zone', () => {
    // 06:00 in Paris is 05:00 UTC in winter.
    expect(nextRunAt('0 6 * * *', 'Europe/Paris', new Date('2026-12-01T10:00:00Z'))?.toISOString()).toBe(
      '2026-12-02T05:00:00.000Z',
    );
    expect(nextRunAt('0 6 * * *', 'UTC', new Date('2026-12-01T10:00:00Z'))?.toISOString()).toBe(
      '2026-12-02T06:00:00.000Z',
    );
  });

  it('counts seconds with a sixth field', () => {
    expect(nextRunAt('*/5 * * * * *', 'UTC', new Date('2026-12-01T10:00:01Z'))?.toISOString()).toBe(
      '2026-12-01T10:00:05.000Z',
    );
  });

  it('skips weekends on a weekday cron', () => {
    // 2026-12-04 is a Friday: the next weekday 06:00 after its morning is Monday the 7th.
    expect(nextRunAt('0 6 * * 1-5', 'UTC', new Date('2026-12-04T07:00:00Z'))?.toISOString()).toBe(
      '2026-12-07T06:00:00.000Z',
    );
  });

  it('is null for an expression that never parses', () => {
    expect(nextRunAt('nonsense', 'UTC')).toBeNull();
  });
});

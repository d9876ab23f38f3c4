import {
  elapsedMs,
  formatBytes,
  formatDuration,
  formatMetricLabel,
  formatMetricValue,
  formatTimestamp,
} from './format';

describe('formatBytes', () => {
  const sut = formatBytes;

  it('shows small sizes in bytes', () => {
    expect(sut(0)).toBe('0 B');
    expect(sut(1023)).toBe('1023 B');
  });

  it('uses binary units with one decimal below 100', () => {
    expect(sut(1024)).toBe('1 KiB');
    expect(sut(1536)).toBe('1.5 KiB');
    expect(sut(127 * 1024 ** 2 + 300 * 1024)).toBe('127 MiB');
    expect(sut(5 * 1024 ** 3)).toBe('5 GiB');
  });

  it('stops at the largest unit', () => {
    expect(sut(2048 * 1024 ** 4)).toBe('2048 TiB');
  });

  it('shows a dash for values that are not sizes', () => {
    expect(sut(-1)).toBe('—');
    expect(sut(Number.NaN)).toBe('—');
  });
});

describe('formatDuration', () => {
  const sut = formatDuration;

  it('shows a dash when there is no duration', () => {
    expect(sut(null)).toBe('—');
  });

  it('picks a unit that suits the length', () => {
    expect(sut(0)).toBe('0 ms');
    expect(sut(850)).toBe('850 ms');
    expect(sut(1000)).toBe('1 s');
    expect(sut(12_340)).toBe('12.3 s');
    expect(sut(245_000)).toBe('4 m 05 s');
    expect(sut(3_720_000)).toBe('1 h 02 m');
  });

  it('treats clock skew between machines as zero', () => {
    expect(sut(-250)).toBe('0 ms');
  });
});

describe('elapsedMs', () => {
  const sut = elapsedMs;
  const now = new Date('2026-11-21T12:00:10.000Z');

  it('measures from start to finish', () => {
    expect(sut('2026-11-21T12:00:00.000Z', '2026-11-21T12:00:03.500Z', now)).toBe(3500);
  });

  it('measures up to now while the work is still going', () => {
    expect(sut('2026-11-21T12:00:00.000Z', null, now)).toBe(10_000);
  });

  it('has no duration before the work started or for unreadable times', () => {
    expect(sut(null, null, now)).toBeNull();
    expect(sut('yesterday', null, now)).toBeNull();
  });
});

describe('formatTimestamp', () => {
  const sut = formatTimestamp;

  it('shows UTC whatever the offset of the input', () => {
    expect(sut('2026-11-21T13:20:05.123+01:00')).toBe('2026-11-21 12:20:05 UTC');
  });

  it('keeps unreadable input as it is and shows a dash for none', () => {
    expect(sut('soon')).toBe('soon');
    expect(sut(null)).toBe('—');
  });
});

describe('formatMetricLabel', () => {
  const sut = formatMetricLabel;

  it('reads camelCase and snake_case keys as words', () => {
    expect(sut('bytes')).toBe('Bytes');
    expect(sut('rowsRejected')).toBe('Rows rejected');
    expect(sut('rows_rejected')).toBe('Rows rejected');
    expect(sut('dbtTestsFailed')).toBe('Dbt tests failed');
  });

  it('drops a millisecond suffix, since the value carries its own unit', () => {
    expect(sut('durationMs')).toBe('Duration');
    expect(sut('copy_ms')).toBe('Copy');
    expect(sut('ms')).toBe('Ms');
  });
});

describe('formatMetricValue', () => {
  const sut = formatMetricValue;

  it('formats sizes, durations and counts by the metric name', () => {
    expect(sut('bytes', 1536)).toBe('1.5 KiB');
    expect(sut('bytesWritten', 2048)).toBe('2 KiB');
    expect(sut('durationMs', 1500)).toBe('1.5 s');
    expect(sut('copy_ms', 90)).toBe('90 ms');
    expect(sut('rows', 1_000_000)).toBe('1,000,000');
  });

  it('passes text through', () => {
    expect(sut('model', 'warehouse.sales')).toBe('warehouse.sales');
  });
});

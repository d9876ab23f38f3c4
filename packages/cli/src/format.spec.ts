import type { RunStep } from '@relayboard/contracts';
import { bytes, duration, newlyEnded, stageProgress, stepLine, table } from './format';

const step = (over: Partial<RunStep>): RunStep => ({
  name: 'stage',
  status: 'succeeded',
  startedAt: null,
  finishedAt: null,
  metrics: {},
  error: null,
  ...over,
});

describe('the CLI formats', () => {
  it('sizes and durations as people read them', () => {
    expect([0, 512, 1536, 12 * 1024 * 1024, 1.5 * 1024 ** 3].map(bytes)).toEqual([
      '0 B',
      '512 B',
      '1.5 KiB',
      '12.0 MiB',
      '1.50 GiB',
    ]);
    expect([400, 12_000, 185_000, 3_720_000].map(duration)).toEqual(['0.4 s', '12.0 s', '3 min 05 s', '1 h 02 min']);
    expect(duration(-1)).toBe('-');
  });

  it('tables with aligned columns, a dash for missing cells and no line breaks from the data', () => {
    expect(
      table(
        ['NAME', 'ROWS', 'NOTE'],
        [
          ['orders', 250, 'a\nb'],
          ['x', null, ''],
        ],
      ),
    ).toBe(['NAME    ROWS  NOTE', 'orders  250   a b', 'x       -'].join('\n'));
  });

  it('a finished step with what it did', () => {
    const stage = step({
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:00:02.500Z',
      metrics: { rows: 1234, rejects: 2, bytes: 2048 },
    });
    expect(stepLine(stage)).toBe('  stage      succeeded  2.5 s      1,234 rows, 2 rejected, 2.0 KiB');
    expect(stepLine(step({ name: 'transform', metrics: { models: 3, tests: 4, testsWarned: 1 } }))).toContain(
      '3 models, 4 tests, 1 warned',
    );
    expect(stepLine(step({ name: 'deliver' }), { deliveryStatus: 'delivered' })).toContain('digest delivered');
    expect(stepLine(step({ name: 'fetch', status: 'failed', error: 'fetch: 404 from the source' }))).toBe(
      '  fetch      failed     fetch: 404 from the source',
    );
  });

  it('which steps ended since the last look, and stage progress only while stage runs', () => {
    const steps = [
      step({ name: 'fetch' }),
      step({ name: 'stage', status: 'running', metrics: { bytesDone: 10, bytesTotal: 100, rowsDone: 3 } }),
      step({ name: 'transform', status: 'pending' }),
    ];
    expect(newlyEnded(steps, new Set()).map((s) => s.name)).toEqual(['fetch']);
    expect(newlyEnded(steps, new Set(['fetch']))).toEqual([]);
    expect(stageProgress(steps[1])).toEqual({ bytesDone: 10, bytesTotal: 100, rowsDone: 3, pass: 1 });
    expect(stageProgress(step({ metrics: { bytesDone: 10, bytesTotal: 100, rowsDone: 3 } }))).toBeNull();
    expect(stageProgress(step({ status: 'running', metrics: { rows: 3 } }))).toBeNull();
  });
});

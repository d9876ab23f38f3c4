import { timingSpan } from './dbt-runner';

describe("a node's span from dbt's run_results timing", () => {
  it('runs from the first start to the last completion, in UTC', () => {
    expect(
      timingSpan([
        { name: 'compile', started_at: '2026-12-01T15:00:00.100000Z', completed_at: '2026-12-01T15:00:00.200000Z' },
        { name: 'execute', started_at: '2026-12-01T15:00:00.210000Z', completed_at: '2026-12-01T15:00:01.500000Z' },
      ]),
    ).toEqual({ startedAt: '2026-12-01T15:00:00.100Z', completedAt: '2026-12-01T15:00:01.500Z' });
  });

  it('reads times without a zone as UTC, and has no span for a node dbt skipped', () => {
    expect(
      timingSpan([{ name: 'execute', started_at: '2026-12-01T15:00:00', completed_at: '2026-12-01T15:00:02' }]),
    ).toEqual({
      startedAt: '2026-12-01T15:00:00.000Z',
      completedAt: '2026-12-01T15:00:02.000Z',
    });
    expect(timingSpan([])).toEqual({ startedAt: null, completedAt: null });
  });
});

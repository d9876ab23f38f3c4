import { runHistoryPoints } from './run-history';

describe('runHistoryPoints', () => {
  it('keeps finished runs, oldest first, with the stage rows and the duration in seconds', () => {
    const sut = runHistoryPoints([
      {
        id: 'b',
        status: 'failed',
        startedAt: '2026-01-02T00:00:00.000Z',
        finishedAt: '2026-01-02T00:00:01.500Z',
        rows: null,
      },
      { id: 'q', status: 'queued', startedAt: null, finishedAt: null, rows: null },
      {
        id: 'a',
        status: 'succeeded',
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:00:04.000Z',
        rows: 4,
      },
    ]);
    expect(sut).toEqual([
      { runId: 'a', at: '2026-01-01T00:00:04.000Z', status: 'succeeded', rows: 4, durationSeconds: 4 },
      { runId: 'b', at: '2026-01-02T00:00:01.500Z', status: 'failed', rows: null, durationSeconds: 1.5 },
    ]);
  });

  it('leaves out a run whose times cannot be read', () => {
    expect(
      runHistoryPoints([
        { id: 'a', status: 'succeeded', startedAt: 'not a time', finishedAt: '2026-01-01T00:00:01Z', rows: 4 },
      ]),
    ).toEqual([]);
  });
});

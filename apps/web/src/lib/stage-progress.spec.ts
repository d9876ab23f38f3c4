import type { RunEvent, RunStep } from '@relayboard/contracts';
import { latestProgress, readProgress, stageProgress } from './stage-progress';

function step(status: RunStep['status'], metrics: RunStep['metrics'] = {}): RunStep {
  return { name: 'stage', status, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, metrics, error: null };
}

function progressEvent(id: number, data: Record<string, unknown>, stepName: RunEvent['step'] = 'stage'): RunEvent {
  return { id, step: stepName, level: 'info', message: 'staged', data, createdAt: '2026-01-01T00:00:01.000Z' };
}

const report = (bytesDone: number, rowsDone: number, extra: Record<string, unknown> = {}) => ({
  bytesDone,
  bytesTotal: 1000,
  rowsDone,
  pass: 1,
  phase: 'loading',
  ...extra,
});

describe('readProgress', () => {
  it('reads the figures of a stage progress report', () => {
    expect(readProgress(report(10, 2))).toEqual({
      bytesDone: 10,
      bytesTotal: 1000,
      rowsDone: 2,
      pass: 1,
      phase: 'loading',
    });
  });

  it('is null for data that is not a progress report', () => {
    expect(readProgress(null)).toBeNull();
    expect(readProgress({ dialect: { delimiter: ',' } })).toBeNull();
    expect(readProgress({ bytesDone: '10', bytesTotal: 1000, rowsDone: 2 })).toBeNull();
  });
});

describe('latestProgress', () => {
  it('takes the newest stage event by id, whatever order they arrived in', () => {
    const sut = latestProgress([
      progressEvent(7, report(700, 70)),
      progressEvent(3, report(300, 30)),
      progressEvent(9, { rows: 4 }),
    ]);
    expect(sut).toMatchObject({ bytesDone: 700, rowsDone: 70 });
  });

  it("ignores other steps and prefers a running step's metrics, which the worker writes first", () => {
    const events = [progressEvent(3, report(300, 30)), progressEvent(4, report(900, 90), 'fetch')];
    expect(latestProgress(events)).toMatchObject({ bytesDone: 300 });
    expect(latestProgress(events, step('running', report(500, 50)))).toMatchObject({ bytesDone: 500 });
    // A finished step's metrics are its totals, not a report.
    expect(latestProgress(events, step('succeeded', report(500, 50)))).toMatchObject({ bytesDone: 300 });
  });
});

describe('stageProgress', () => {
  it('is null until staging starts, and for a skipped stage', () => {
    expect(stageProgress(undefined, [])).toBeNull();
    expect(stageProgress(step('pending'), [progressEvent(1, report(1, 1))])).toBeNull();
    expect(stageProgress(step('skipped'), [])).toBeNull();
  });

  it('is indeterminate while the running step has not reported yet', () => {
    expect(stageProgress(step('running'), [])).toEqual({
      state: 'waiting',
      percent: null,
      bytesDone: null,
      bytesTotal: null,
      rowsDone: null,
      pass: null,
    });
  });

  it('shows the bytes read of the file as a whole percent, with the rows and the pass', () => {
    expect(stageProgress(step('running'), [progressEvent(1, report(456, 12, { pass: 2 }))])).toEqual({
      state: 'loading',
      percent: 45,
      bytesDone: 456,
      bytesTotal: 1000,
      rowsDone: 12,
      pass: 2,
    });
  });

  it('never passes 100, and an empty file counts as not started', () => {
    expect(stageProgress(step('running'), [progressEvent(1, report(1200, 12))])?.percent).toBe(100);
    expect(stageProgress(step('running'), [progressEvent(1, { ...report(0, 0), bytesTotal: 0 })])?.percent).toBe(0);
  });

  it('is at 100 while publishing: every byte was read', () => {
    expect(stageProgress(step('running'), [progressEvent(1, report(990, 40, { phase: 'publishing' }))])).toMatchObject({
      state: 'publishing',
      percent: 100,
      rowsDone: 40,
    });
  });

  it("shows the step's own totals at 100 once it succeeded", () => {
    const done = {
      ...step('succeeded', { bytes: 1024, rows: 41, rejects: 2 }),
      finishedAt: '2026-01-01T00:00:03.000Z',
    };
    expect(stageProgress(done, [progressEvent(1, report(990, 40, { phase: 'publishing', pass: 2 }))])).toEqual({
      state: 'done',
      percent: 100,
      bytesDone: 1024,
      bytesTotal: 1024,
      rowsDone: 41,
      pass: 2,
    });
  });

  it('keeps the last figures of a failed load', () => {
    expect(stageProgress(step('failed'), [progressEvent(1, report(250, 25))])).toMatchObject({
      state: 'failed',
      percent: 25,
      rowsDone: 25,
    });
    expect(stageProgress(step('failed'), [])).toMatchObject({ state: 'failed', percent: null });
  });
});

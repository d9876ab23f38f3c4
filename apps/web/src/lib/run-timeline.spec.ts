import type { RunStep } from '@relayboard/contracts';
import { runTimeline } from './run-timeline';

function step(
  name: RunStep['name'],
  status: RunStep['status'],
  startedAt: string | null,
  finishedAt: string | null,
): RunStep {
  return { name, status, startedAt, finishedAt, metrics: {}, error: null };
}

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();

describe('runTimeline', () => {
  it('places each step on one axis, its width proportional to its duration', () => {
    const sut = runTimeline(
      [
        step('fetch', 'succeeded', at(0), at(2)),
        step('stage', 'succeeded', at(2), at(6)),
        step('transform', 'succeeded', at(6), at(10)),
        step('deliver', 'pending', null, null),
      ],
      new Date(at(30)),
    );
    expect(sut.spanMs).toBe(10_000);
    expect(sut.bars).toEqual([{ offset: 0, width: 20 }, { offset: 20, width: 40 }, { offset: 60, width: 40 }, null]);
  });

  it('grows a running step to now', () => {
    const sut = runTimeline(
      [step('fetch', 'succeeded', at(0), at(1)), step('stage', 'running', at(1), null)],
      new Date(at(4)),
    );
    expect(sut.spanMs).toBe(4_000);
    expect(sut.bars).toEqual([
      { offset: 0, width: 25 },
      { offset: 25, width: 75 },
    ]);
  });

  it('keeps an instant step visible and is empty before any step started', () => {
    const sut = runTimeline(
      [step('fetch', 'succeeded', at(0), at(0)), step('stage', 'succeeded', at(0), at(100))],
      new Date(at(200)),
    );
    expect(sut.bars[0]).toEqual({ offset: 0, width: 1 });
    expect(runTimeline([step('fetch', 'pending', null, null)], new Date())).toEqual({ spanMs: null, bars: [null] });
    expect(runTimeline([step('fetch', 'running', at(5), null)], new Date(at(5)))).toEqual({
      spanMs: 0,
      bars: [{ offset: 0, width: 100 }],
    });
  });
});

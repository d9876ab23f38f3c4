import type { RunStep } from '@relayboard/contracts';

export interface TimelineBar {
  /** Where the step starts, as a percent of the run's span from the first step's start. */
  offset: number;
  /** The step's duration as a percent of the span; at least MIN_WIDTH so a short step stays visible. */
  width: number;
}

export interface Timeline {
  /** From the first step's start to the last step's end (or now, while one runs); null before any step started. */
  spanMs: number | null;
  /** One per step, in the order given; null for a step that has not started. */
  bars: (TimelineBar | null)[];
}

const MIN_WIDTH = 1;

function endOf(step: RunStep, now: number): number | null {
  if (step.startedAt === null) return null;
  if (step.finishedAt !== null) return Date.parse(step.finishedAt);
  // A failed or skipped step that was never finished stops where it started.
  return step.status === 'running' ? now : Date.parse(step.startedAt);
}

/** Bars proportional to each step's duration, placed on one time axis for the run. */
export function runTimeline(steps: readonly RunStep[], now: Date): Timeline {
  const starts = steps.map((s) => (s.startedAt === null ? null : Date.parse(s.startedAt)));
  const ends = steps.map((s) => endOf(s, now.getTime()));
  const known = (values: (number | null)[]) => values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known(starts).length === 0) return { spanMs: null, bars: steps.map(() => null) };
  const first = Math.min(...known(starts));
  const last = Math.max(first, ...known(ends));
  const span = last - first;
  const bars = steps.map((_, i) => {
    const start = starts[i];
    const end = ends[i];
    if (start === null || end === null || !Number.isFinite(start) || !Number.isFinite(end)) return null;
    if (span <= 0) return { offset: 0, width: 100 };
    const offset = Math.min(100 - MIN_WIDTH, ((start - first) / span) * 100);
    const width = Math.max(MIN_WIDTH, Math.min(100 - offset, ((Math.max(end, start) - start) / span) * 100));
    return { offset, width };
  });
  return { spanMs: span, bars };
}

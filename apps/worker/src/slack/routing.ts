import type { NotifyOn } from '@relayboard/db';

export interface RouteInput {
  destination: { datasets: string[] | null; notifyOn: NotifyOn; rowChangeThreshold: number };
  dataset: string;
  failed: boolean;
  /** This destination's previous delivery for the dataset failed, so it missed news. */
  previousDeliveryFailed: boolean;
  changes: {
    firstLoad: boolean;
    schemaChanged: boolean;
    checksWarnedOrFailed: boolean;
    rejects: number;
    rowsBefore: number | null;
    rowsNow: number | null;
  };
}

export type Route = { send: true; why: string } | { send: false; why: string };

/** The changes a `changes` destination hears about, in words; empty when nothing changed. */
export function changesOf(input: RouteInput): string[] {
  const c = input.changes;
  const found: string[] = [];
  if (c.firstLoad) found.push('first load');
  if (c.schemaChanged) found.push('schema changed');
  if (c.checksWarnedOrFailed) found.push('a check warned or failed');
  if (c.rejects > 0) found.push('rows were rejected');
  if (c.rowsBefore !== null && c.rowsNow !== null) {
    const moved = Math.abs(c.rowsNow - c.rowsBefore) / Math.max(c.rowsBefore, 1);
    if (moved > input.destination.rowChangeThreshold) found.push(`row count moved ${(moved * 100).toFixed(1)}%`);
  }
  return found;
}

/**
 * Whether a destination gets this run's digest: its routing (all datasets or a
 * list), then its notify-on setting: always; failures (a failed run, or its
 * previous delivery of the dataset failed); changes (a failure or any change).
 */
export function routeDigest(input: RouteInput): Route {
  const { destination: d, dataset } = input;
  if (d.datasets !== null && !d.datasets.includes(dataset))
    return {
      send: false,
      why: `routed to ${d.datasets.length ? d.datasets.join(', ') : 'no dataset'}, not ${dataset}`,
    };
  if (d.notifyOn === 'always') return { send: true, why: 'notify on always' };
  if (input.failed) return { send: true, why: 'the run failed' };
  if (input.previousDeliveryFailed)
    return { send: true, why: "this destination's previous delivery of the dataset failed" };
  if (d.notifyOn === 'failures') return { send: false, why: 'notify on failures, and the run succeeded' };
  const changes = changesOf(input);
  return changes.length
    ? { send: true, why: changes.join(', ') }
    : {
        send: false,
        why: `notify on changes, and nothing changed (rows within ${(d.rowChangeThreshold * 100).toFixed(0)}%)`,
      };
}

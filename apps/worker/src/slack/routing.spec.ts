import { routeDigest, type RouteInput } from './routing';

const input = (
  over: Partial<RouteInput> & { notifyOn?: RouteInput['destination']['notifyOn']; datasets?: string[] | null } = {},
): RouteInput => ({
  destination: { datasets: over.datasets ?? null, notifyOn: over.notifyOn ?? 'always', rowChangeThreshold: 0.1 },
  dataset: 'orders',
  failed: false,
  previousDeliveryFailed: false,
  changes: {
    firstLoad: false,
    schemaChanged: false,
    checksWarnedOrFailed: false,
    rejects: 0,
    rowsBefore: 100,
    rowsNow: 105,
  },
  ...over,
});

describe('which destinations get a digest', () => {
  it('follows routing first', () => {
    expect(routeDigest(input({ datasets: ['customers'] }))).toEqual({
      send: false,
      why: 'routed to customers, not orders',
    });
    expect(routeDigest(input({ datasets: ['orders'] })).send).toBe(true);
  });

  it('sends failures-only destinations nothing for a good run, and the failures', () => {
    expect(routeDigest(input({ notifyOn: 'failures' })).send).toBe(false);
    expect(routeDigest(input({ notifyOn: 'failures', failed: true }))).toEqual({ send: true, why: 'the run failed' });
    expect(routeDigest(input({ notifyOn: 'failures', previousDeliveryFailed: true })).send).toBe(true);
  });

  it('sends changes-only destinations nothing for an unchanged re-run, and each kind of change', () => {
    expect(routeDigest(input({ notifyOn: 'changes' }))).toEqual({
      send: false,
      why: 'notify on changes, and nothing changed (rows within 10%)',
    });
    const changed = (changes: Partial<RouteInput['changes']>) =>
      routeDigest(input({ notifyOn: 'changes', changes: { ...input().changes, ...changes } }));
    expect(changed({ schemaChanged: true })).toEqual({ send: true, why: 'schema changed' });
    expect(changed({ firstLoad: true, rowsBefore: null })).toEqual({ send: true, why: 'first load' });
    expect(changed({ checksWarnedOrFailed: true }).send).toBe(true);
    expect(changed({ rejects: 3 }).send).toBe(true);
    expect(changed({ rowsNow: 111 })).toEqual({ send: true, why: 'row count moved 11.0%' });
    expect(changed({ rowsNow: 90 }).send).toBe(false);
  });
});

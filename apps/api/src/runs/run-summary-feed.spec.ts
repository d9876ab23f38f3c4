import { Subject } from 'rxjs';
import { RunSummaryFeed, type RunSummaryChange } from './run-summary-feed';
import type { RunsRepository, RunWithDataset } from './runs.repository';

function row(id: string, status: RunWithDataset['status'], rows: string | null = null): RunWithDataset {
  return {
    id,
    dataset_id: 'd1',
    dataset_version_id: null,
    status,
    trigger: 'api',
    refresh: false,
    error: null,
    attempts: 0,
    created_at: new Date('2026-12-01T10:00:00Z'),
    started_at: null,
    finished_at: null,
    delivery_status: null,
    dataset_name: 'sales',
    stage_rows: rows,
    created_key: '2026-12-01 10:00:00.123456+00',
  } as RunWithDataset;
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RunSummaryFeed', () => {
  let changes: Subject<string>;
  let database: Map<string, RunWithDataset>;
  let findMany: jest.Mock;
  let sut: RunSummaryFeed;

  beforeEach(() => {
    changes = new Subject<string>();
    database = new Map();
    findMany = jest.fn(async (ids: string[]) => ids.map((id) => database.get(id)).filter(Boolean));
    const repository = {
      findMany,
      find: jest.fn(async (id: string) => database.get(id) ?? null),
      inFlightIds: jest.fn(async () => []),
    } as unknown as RunsRepository;
    sut = new RunSummaryFeed({ all: () => changes.asObservable() }, repository, () => undefined);
  });

  it('reads a burst of notifications once for every subscriber, and sends only summaries that changed', async () => {
    const first: RunSummaryChange[] = [];
    const second: RunSummaryChange[] = [];
    const subscriptions = [
      sut.changes().subscribe((c) => first.push(c)),
      sut.changes().subscribe((c) => second.push(c)),
    ];
    await tick(0);
    database.set('r1', row('r1', 'running'));
    for (let i = 0; i < 5; i++) changes.next('r1');
    await tick(250);
    expect(findMany).toHaveBeenCalledTimes(1);
    expect(findMany).toHaveBeenCalledWith(['r1']);
    expect(first.map((c) => [c.summary.status, c.previousStatus])).toEqual([['running', null]]);
    expect(second).toEqual(first);

    // A notification for an unchanged run (a log line) sends nothing; a changed one says what it was.
    changes.next('r1');
    await tick(250);
    database.set('r1', row('r1', 'succeeded', '4'));
    changes.next('r1');
    await tick(250);
    expect(first.map((c) => [c.summary.status, c.previousStatus, c.summary.rows])).toEqual([
      ['running', null, null],
      ['succeeded', 'running', 4],
    ]);
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  it('sends a run this process created at once, and not again when its notification says nothing new', async () => {
    const seen: RunSummaryChange[] = [];
    const subscription = sut.changes().subscribe((c) => seen.push(c));
    await tick(0);
    database.set('r2', row('r2', 'queued'));
    await sut.created('r2');
    expect(seen.map((c) => c.summary.status)).toEqual(['queued']);
    changes.next('r2');
    await tick(250);
    expect(seen).toHaveLength(1);
    subscription.unsubscribe();
  });

  it('ends every subscriber when the listener ends (the api shutting down)', async () => {
    let ended = 0;
    sut.changes().subscribe({ complete: () => ended++ });
    sut.changes().subscribe({ complete: () => ended++ });
    changes.complete();
    expect(ended).toBe(2);
  });

  it('reads nothing while no stream is open', async () => {
    database.set('r3', row('r3', 'running'));
    changes.next('r3');
    await sut.created('r3');
    await tick(250);
    expect(findMany).not.toHaveBeenCalled();
  });
});

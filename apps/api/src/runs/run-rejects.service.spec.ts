import type { RunStepRow } from '@relayboard/db';
import type { RejectsTableRead, RunRejectsRepository } from './run-rejects.repository';
import { RunRejectsService } from './run-rejects.service';
import type { RunsRepository, RunWithDataset } from './runs.repository';

// @nestjs/common ships as ES modules, which jest's CommonJS runtime cannot load; the decorators do nothing here.
jest.mock('@nestjs/common', () => ({ Injectable: () => () => undefined, Inject: () => () => undefined }));

const RUN = '11111111-1111-4111-8111-111111111111';
const LATER = '22222222-2222-4222-8222-222222222222';
const EARLIER = '33333333-3333-4333-8333-333333333333';

function run(id: string, createdAt: string, status: RunWithDataset['status'] = 'succeeded'): RunWithDataset {
  return { id, dataset_name: 'orders', status, created_at: new Date(createdAt) } as RunWithDataset;
}

function stage(status: RunStepRow['status'], metrics: Record<string, number> = {}): RunStepRow[] {
  return [{ name: 'stage', status, metrics } as RunStepRow];
}

function setup(opts: {
  run: RunWithDataset;
  steps: RunStepRow[];
  read: RejectsTableRead | null;
  others?: RunWithDataset[];
}) {
  const runs = {
    find: jest.fn(async (id: string) => [opts.run, ...(opts.others ?? [])].find((r) => r.id === id) ?? null),
    steps: jest.fn(async () => opts.steps),
  };
  const rejects = { read: jest.fn(async () => opts.read) };
  const sut = new RunRejectsService(runs as unknown as RunsRepository, rejects as unknown as RunRejectsRepository);
  return { sut, runs, rejects };
}

const table = (loadId: string | null, rows: RejectsTableRead['rows'] = []): RejectsTableRead => ({
  loadId,
  total: rows.length,
  rows,
});
const query = { limit: 1 };

describe('RunRejectsService', () => {
  it("pages the run's own rows, asking for one more than the limit", async () => {
    const rows = [
      { line_number: '5', reason: 'r1', raw: 'a', raw_truncated: false },
      { line_number: '9', reason: 'r2', raw: 'b', raw_truncated: true },
    ];
    const { sut, rejects } = setup({
      run: run(RUN, '2026-01-01'),
      steps: stage('succeeded', { rejects: 2 }),
      read: table(RUN, rows),
    });
    const answer = await sut.list(RUN, query);
    expect(rejects.read).toHaveBeenCalledWith('orders', null, 2);
    expect(answer).toMatchObject({
      source: 'available',
      rejects: [{ lineNumber: 5, reason: 'r1', raw: 'a', rawTruncated: false }],
      total: 2,
    });
    expect(answer.nextCursor).toEqual(expect.any(String));
    await sut.list(RUN, { limit: 1, cursor: answer.nextCursor! });
    expect(rejects.read).toHaveBeenLastCalledWith('orders', 5, 2);
  });

  it('is pending while the run has not staged yet, whatever the table holds', async () => {
    const { sut } = setup({ run: run(RUN, '2026-01-01', 'running'), steps: stage('running'), read: table(EARLIER) });
    expect(await sut.list(RUN, query)).toMatchObject({ source: 'pending', rejects: [], total: null });
  });

  it('says not_staged for a finished run whose stage did not succeed', async () => {
    const { sut } = setup({ run: run(RUN, '2026-01-01', 'failed'), steps: stage('failed'), read: table(EARLIER) });
    expect(await sut.list(RUN, query)).toMatchObject({ source: 'not_staged', rejects: [] });
  });

  it('names the later run that replaced the rows, with the count this run recorded', async () => {
    const { sut } = setup({
      run: run(RUN, '2026-01-01'),
      steps: stage('succeeded', { rejects: 3 }),
      read: table(LATER),
      others: [run(LATER, '2026-01-02')],
    });
    expect(await sut.list(RUN, query)).toMatchObject({
      source: 'replaced',
      replacedByRunId: LATER,
      total: 3,
      rejects: [],
    });
  });

  it("never shows an earlier or unstamped load as this run's", async () => {
    const earlier = setup({
      run: run(RUN, '2026-01-02'),
      steps: stage('succeeded'),
      read: table(EARLIER),
      others: [run(EARLIER, '2026-01-01')],
    });
    expect(await earlier.sut.list(RUN, query)).toMatchObject({ source: 'unattributed', rejects: [] });
    const unstamped = setup({ run: run(RUN, '2026-01-02'), steps: stage('succeeded'), read: table(null) });
    expect(await unstamped.sut.list(RUN, query)).toMatchObject({ source: 'unattributed', rejects: [] });
    const gone = setup({ run: run(RUN, '2026-01-02'), steps: stage('succeeded', { rejects: 1 }), read: null });
    expect(await gone.sut.list(RUN, query)).toMatchObject({ source: 'replaced', replacedByRunId: null, total: 1 });
  });

  it('answers run_not_found without reading the warehouse', async () => {
    const { sut, rejects } = setup({ run: run(RUN, '2026-01-01'), steps: [], read: null });
    await expect(sut.list('not-a-run', query)).rejects.toMatchObject({ code: 'run_not_found' });
    await expect(sut.list(LATER, query)).rejects.toMatchObject({ code: 'run_not_found' });
    expect(rejects.read).not.toHaveBeenCalled();
  });
});

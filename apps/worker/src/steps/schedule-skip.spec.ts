import { decideSkip, type SkipFacts } from './schedule-skip';

const current = { id: 'v1', sha256: 'abc', fetchedAt: new Date('2026-12-01T10:00:00Z') };
const facts = (over: Partial<SkipFacts> = {}): SkipFacts => ({
  trigger: 'schedule',
  sourceType: 'url',
  alwaysRun: false,
  fetchedSha256: 'abc',
  current,
  ...over,
});

describe('decideSkip', () => {
  it('skips a scheduled run whose source is unchanged, naming the version and the way out', () => {
    const sut = decideSkip(facts());
    expect(sut).toMatchObject({ skip: true, unchangedSince: 'v1' });
    expect(sut.skip && sut.reason).toBe(
      'source unchanged since version v1 (sha256 abc, fetched 2026-12-01T10:00:00.000Z); set alwaysRun on the schedule to run anyway',
    );
  });

  it('runs a scheduled run whose source changed', () => {
    expect(decideSkip(facts({ fetchedSha256: 'def' }))).toEqual({ skip: false });
  });

  it('runs the first version of a dataset', () => {
    expect(decideSkip(facts({ current: null }))).toEqual({ skip: false });
  });

  it('runs an unchanged source when the schedule says alwaysRun', () => {
    expect(decideSkip(facts({ alwaysRun: true }))).toEqual({ skip: false });
    expect(decideSkip(facts({ sourceType: 'upload', fetchedSha256: null, alwaysRun: true }))).toEqual({ skip: false });
  });

  it('never skips a run a person or the api started', () => {
    expect(decideSkip(facts({ trigger: 'api' }))).toEqual({ skip: false });
    expect(decideSkip(facts({ trigger: 'board', sourceType: 'upload', fetchedSha256: null }))).toEqual({ skip: false });
  });

  it('skips a scheduled run of an uploaded dataset', () => {
    const sut = decideSkip(facts({ sourceType: 'upload', fetchedSha256: null }));
    expect(sut.skip && sut.reason).toMatch(
      /^the dataset is uploaded, so a schedule has no source to fetch again; upload a new file, or set alwaysRun/,
    );
  });
});

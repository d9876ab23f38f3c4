import type { RunStep } from '@relayboard/contracts';
import {
  compareRunsNewestFirst,
  hasFilters,
  isFirstPage,
  isInProgress,
  isRunId,
  matchesRunFilters,
  parseRunFilters,
  parseRunPage,
  pipelineSteps,
  runsHref,
} from './runs';

describe('parseRunFilters', () => {
  const sut = parseRunFilters;

  it('keeps the filters that have a value', () => {
    expect(sut({ status: 'failed', datasetName: 'sales' })).toEqual({ status: 'failed', datasetName: 'sales' });
  });

  it('drops the empty values an "All" choice submits', () => {
    expect(sut({ status: '', datasetName: '  ' })).toEqual({});
  });

  it('uses the first of repeated parameters', () => {
    expect(sut({ status: ['running', 'failed'] })).toEqual({ status: 'running' });
  });

  it('ignores parameters it does not know', () => {
    expect(sut({ page: '2' })).toEqual({});
  });
});

describe('parseRunPage', () => {
  const sut = parseRunPage;

  it('keeps the cursor and the page size', () => {
    expect(sut({ cursor: 'abc', limit: '10', status: 'failed' })).toEqual({ cursor: 'abc', limit: '10' });
  });

  it('pages one way at a time: a cursor wins over before', () => {
    expect(sut({ cursor: 'abc', before: 'def' })).toEqual({ cursor: 'abc' });
    expect(sut({ before: 'def' })).toEqual({ before: 'def' });
  });

  it('is the first page without a cursor', () => {
    expect(sut({ cursor: '', before: ' ' })).toEqual({});
    expect(isFirstPage(sut({}))).toBe(true);
    expect(isFirstPage(sut({ before: 'x' }))).toBe(false);
  });
});

describe('runsHref', () => {
  const sut = runsHref;

  it('is the bare list without filters or page', () => {
    expect(sut({})).toBe('/');
  });

  it('carries the filters, the page size and the cursor, encoded', () => {
    expect(sut({ datasetName: 'sales', status: 'failed' }, { limit: '5', cursor: 'a+b/c=' })).toBe(
      '/?datasetName=sales&status=failed&limit=5&cursor=a%2Bb%2Fc%3D',
    );
  });
});

describe('compareRunsNewestFirst', () => {
  const sut = compareRunsNewestFirst;

  it('puts the newer run first and breaks ties by id, as the api orders them', () => {
    const older = { createdAt: '2026-12-01T10:00:00.000Z', id: 'b' };
    const newer = { createdAt: '2026-12-01T10:00:01.000Z', id: 'a' };
    expect(sut(newer, older)).toBeGreaterThan(0);
    expect(sut(older, newer)).toBeLessThan(0);
    expect(sut({ ...older, id: 'c' }, older)).toBeGreaterThan(0);
    expect(sut(older, older)).toBe(0);
  });
});

describe('matchesRunFilters', () => {
  it('matches on every filter given', () => {
    const run = { datasetName: 'sales', status: 'failed' as const };
    expect(matchesRunFilters(run, {})).toBe(true);
    expect(matchesRunFilters(run, { datasetName: 'sales', status: 'failed' })).toBe(true);
    expect(matchesRunFilters(run, { datasetName: 'sales', status: 'running' })).toBe(false);
    expect(matchesRunFilters(run, { datasetName: 'orders' })).toBe(false);
  });
});

describe('hasFilters', () => {
  it('is true only when something is filtered', () => {
    expect(hasFilters({})).toBe(false);
    expect(hasFilters({ datasetName: 'sales' })).toBe(true);
  });
});

describe('isInProgress', () => {
  const sut = isInProgress;

  it('is true for runs that can still change', () => {
    expect(sut('queued')).toBe(true);
    expect(sut('running')).toBe(true);
  });

  it('is false for finished runs', () => {
    expect(sut('succeeded')).toBe(false);
    expect(sut('failed')).toBe(false);
    expect(sut('canceled')).toBe(false);
  });
});

describe('isRunId', () => {
  const sut = isRunId;

  it('accepts UUIDs in either case', () => {
    expect(sut('3f2a9c1b-6d4e-4f7a-9b8c-1d2e3f4a5b6c')).toBe(true);
    expect(sut('3F2A9C1B-6D4E-4F7A-9B8C-1D2E3F4A5B6C')).toBe(true);
  });

  it('rejects anything else', () => {
    expect(sut('42')).toBe(false);
    expect(sut('../datasets')).toBe(false);
    expect(sut('3f2a9c1b-6d4e-4f7a-9b8c-1d2e3f4a5b6c0')).toBe(false);
  });
});

describe('pipelineSteps', () => {
  const sut = pipelineSteps;
  const step = (name: RunStep['name'], status: RunStep['status']): RunStep => ({
    name,
    status,
    startedAt: null,
    finishedAt: null,
    metrics: {},
    error: null,
  });

  it('orders steps as the pipeline runs them', () => {
    const steps = [
      step('deliver', 'pending'),
      step('fetch', 'succeeded'),
      step('transform', 'pending'),
      step('stage', 'running'),
    ];
    expect(sut(steps).map(({ name, status }) => [name, status])).toEqual([
      ['fetch', 'succeeded'],
      ['stage', 'running'],
      ['transform', 'pending'],
      ['deliver', 'pending'],
    ]);
  });

  it('shows steps the api has not recorded yet as pending', () => {
    expect(sut([step('fetch', 'running')])).toEqual([
      step('fetch', 'running'),
      step('stage', 'pending'),
      step('transform', 'pending'),
      step('deliver', 'pending'),
    ]);
  });
});

import type { RunStep } from '@relayboard/contracts';
import { hasFilters, isInProgress, isRunId, parseRunFilters, pipelineSteps } from './runs';

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
    const steps = [step('deliver', 'pending'), step('fetch', 'succeeded'), step('transform', 'pending'), step('stage', 'running')];
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

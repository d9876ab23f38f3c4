import type { MetricHistogramRow } from '@relayboard/db';
import { counterSamples, histogramSamples } from './metric-families';

const row = (label: string, bounds: number[], counts: Array<number | string>, sum: number): MetricHistogramRow => ({
  metric: 'step_duration_seconds',
  label,
  bounds,
  bucket_counts: counts,
  sum,
  count: String(counts.reduce<number>((a, b) => a + Number(b), 0)),
});

describe('histogram samples from metric_histograms rows', () => {
  it('turns per-bucket counts (bigint strings) into cumulative le buckets, +Inf last, with _sum and _count', () => {
    const samples = histogramSamples(
      [row('stage', [1, 5], ['2', '0', '3'], 42.5)],
      'step_duration_seconds',
      'rb_step',
      'step',
      [1, 5],
    );
    expect(samples).toEqual([
      { labels: { step: 'stage', le: 1 }, value: 2, metricName: 'rb_step_bucket' },
      { labels: { step: 'stage', le: 5 }, value: 2, metricName: 'rb_step_bucket' },
      { labels: { step: 'stage', le: '+Inf' }, value: 5, metricName: 'rb_step_bucket' },
      { labels: { step: 'stage' }, value: 42.5, metricName: 'rb_step_sum' },
      { labels: { step: 'stage' }, value: 5, metricName: 'rb_step_count' },
    ]);
  });

  it('gives expected labels without a row empty buckets, and ignores other metrics', () => {
    const other = { ...row('fetch', [1], [9, 9], 1), metric: 'dbt_duration_seconds' };
    const samples = histogramSamples(
      [row('stage', [1], [1, 0], 0.5), other],
      'step_duration_seconds',
      'h',
      'step',
      [1],
      ['fetch', 'stage'],
    );
    expect(samples.filter((s) => s.metricName === 'h_count')).toEqual([
      { labels: { step: 'fetch' }, value: 0, metricName: 'h_count' },
      { labels: { step: 'stage' }, value: 1, metricName: 'h_count' },
    ]);
    expect(samples.filter((s) => s.labels.step === 'fetch' && s.metricName === 'h_bucket').map((s) => s.value)).toEqual(
      [0, 0],
    );
  });

  it('has one unlabelled series for a histogram without a label, empty before any observation', () => {
    expect(histogramSamples([], 'dbt_duration_seconds', 'd', null, [10])).toEqual([
      { labels: { le: 10 }, value: 0, metricName: 'd_bucket' },
      { labels: { le: '+Inf' }, value: 0, metricName: 'd_bucket' },
      { labels: {}, value: 0, metricName: 'd_sum' },
      { labels: {}, value: 0, metricName: 'd_count' },
    ]);
  });
});

describe('counter samples from metric_counters rows', () => {
  const rows = [
    { metric: 'runs_total', label: 'succeeded', value: 3 },
    { metric: 'runs_total', label: 'skipped', value: 1 },
    { metric: 'rows_loaded_total', label: '', value: 120 },
  ];

  it('prints every expected label (0 until counted) and keeps labels a row adds', () => {
    expect(counterSamples(rows, 'runs_total', 'status', ['succeeded', 'failed'])).toEqual([
      { labels: { status: 'succeeded' }, value: 3 },
      { labels: { status: 'failed' }, value: 0 },
      { labels: { status: 'skipped' }, value: 1 },
    ]);
  });

  it('has one sample for an unlabelled counter, 0 without a row', () => {
    expect(counterSamples(rows, 'rows_loaded_total', null)).toEqual([{ labels: {}, value: 120 }]);
    expect(counterSamples(rows, 'rejected_rows_total', null)).toEqual([{ labels: {}, value: 0 }]);
  });
});

import type { MetricCounterRow, MetricHistogramRow } from '@relayboard/db';

/** One sample as prom-client's registry prints it (`metricName` for a histogram's _bucket, _sum and _count). */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric whose samples are computed at scrape time, shaped like prom-client's own
 * (name, help, type, get()), so a prom-client Registry prints it next to the default
 * process metrics. Counters derived from the totals tables only go up.
 */
export interface DerivedMetric {
  name: string;
  help: string;
  type: MetricType;
  aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: MetricType; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

export function derivedMetric(
  name: string,
  help: string,
  type: MetricType,
  samples: () => Promise<Sample[]>,
): DerivedMetric {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: await samples() }),
    reset: () => undefined,
  };
}

/**
 * A labelled counter's samples from metric_counters rows of one metric: every expected label
 * value is present (0 until something is counted), and any other value a row carries is kept.
 */
export function counterSamples(
  rows: MetricCounterRow[],
  metric: string,
  labelName: string | null,
  expected: readonly string[] = [],
): Sample[] {
  const mine = rows.filter((r) => r.metric === metric);
  if (labelName === null) return [{ labels: {}, value: mine.reduce((sum, r) => sum + Number(r.value), 0) }];
  const values = new Map<string, number>(expected.map((label) => [label, 0]));
  for (const row of mine) values.set(row.label, (values.get(row.label) ?? 0) + Number(row.value));
  return [...values].map(([label, value]) => ({ labels: { [labelName]: label }, value }));
}

/**
 * A histogram's samples (cumulative _bucket with le, _sum, _count) from metric_histograms rows
 * of one metric, whose bucket counts are per bucket. Expected label values with no row yet get
 * empty buckets with emptyBounds.
 */
export function histogramSamples(
  rows: MetricHistogramRow[],
  metric: string,
  name: string,
  labelName: string | null,
  emptyBounds: readonly number[],
  expected: readonly string[] = labelName === null ? [''] : [],
): Sample[] {
  const byLabel = new Map<string, MetricHistogramRow>();
  for (const label of expected) {
    byLabel.set(label, {
      metric,
      label,
      bounds: [...emptyBounds],
      bucket_counts: emptyBounds.map(() => 0).concat(0),
      sum: 0,
      count: 0,
    });
  }
  for (const row of rows.filter((r) => r.metric === metric)) byLabel.set(row.label, row);
  const samples: Sample[] = [];
  for (const [label, row] of byLabel) {
    const labels = labelName === null ? {} : { [labelName]: label };
    let cumulative = 0;
    row.bounds.forEach((bound, i) => {
      cumulative += Number(row.bucket_counts[i] ?? 0);
      samples.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${name}_bucket` });
    });
    cumulative += Number(row.bucket_counts[row.bounds.length] ?? 0);
    samples.push({ labels: { ...labels, le: '+Inf' }, value: cumulative, metricName: `${name}_bucket` });
    samples.push({ labels, value: Number(row.sum), metricName: `${name}_sum` });
    samples.push({ labels, value: Number(row.count), metricName: `${name}_count` });
  }
  return samples;
}

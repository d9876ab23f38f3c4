import { Inject, Injectable } from '@nestjs/common';
import { Tables, type Knex, type MetricCounterRow, type MetricHistogramRow } from '@relayboard/db';
import { KNEX } from '../core/tokens';

export interface MetricTotals {
  counters: MetricCounterRow[];
  histograms: MetricHistogramRow[];
}

/** The totals the metadata database's triggers keep (migration 20261203030000): a few dozen rows, whatever the number of runs. */
@Injectable()
export class MetricsRepository {
  constructor(@Inject(KNEX) private readonly knex: Knex) {}

  async totals(): Promise<MetricTotals> {
    const [counters, histograms] = await Promise.all([
      this.knex<MetricCounterRow>(Tables.metricCounters).select('metric', 'label', 'value'),
      this.knex<MetricHistogramRow>(Tables.metricHistograms).select(
        'metric',
        'label',
        'bounds',
        'bucket_counts',
        'sum',
        'count',
      ),
    ]);
    return { counters, histograms };
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import { STEP_NAMES } from '@relayboard/contracts';
import { DURATION_BUCKETS_SECONDS } from '@relayboard/db';
import { QUEUE_JOB_STATES, type PipelineQueue, type QueueJobState } from '@relayboard/queue';
import { PIPELINE_QUEUE } from '../core/tokens';
import { counterSamples, derivedMetric, histogramSamples, type Sample } from './metric-families';
import { MetricsRepository, type MetricTotals } from './metrics.repository';

/** Outcomes that are always printed (0 until one happens), so a dashboard's query has a series from the first scrape. */
const RUN_OUTCOMES = ['succeeded', 'failed', 'canceled', 'skipped'] as const;
const DELIVERY_OUTCOMES = ['sent', 'failed', 'skipped', 'suppressed', 'unknown'] as const;

interface QueueFigures {
  counts: Record<QueueJobState, number>;
  oldestMs: number;
}

/** What one scrape reads, once, from PostgreSQL and Redis; a source that fails leaves its series out and reports 0 in relayboard_metrics_source_up. */
interface Snapshot {
  totals: MetricTotals | null;
  queue: QueueFigures | null;
}

/**
 * GET /metrics. The worker's figures are derived here, at scrape time, from what every worker
 * records in the shared metadata database (totals kept by triggers) and from BullMQ's counts,
 * so workers on any number of machines need no scrape target of their own.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger('metrics');
  private readonly registry = new Registry();
  private snapshot: Promise<Snapshot> = Promise.resolve({ totals: null, queue: null });

  constructor(
    private readonly repo: MetricsRepository,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'relayboard_api_' });
    const fromTotals = (read: (t: MetricTotals) => Sample[]) => async () => {
      const { totals: t } = await this.snapshot;
      return t ? read(t) : [];
    };
    const fromQueue = (read: (q: QueueFigures) => Sample[]) => async () => {
      const { queue: q } = await this.snapshot;
      return q ? read(q) : [];
    };
    const metrics = [
      derivedMetric(
        'relayboard_runs_total',
        'Runs that reached an outcome, by status (a retried run counts each outcome it reaches).',
        'counter',
        fromTotals((t) => counterSamples(t.counters, 'runs_total', 'status', RUN_OUTCOMES)),
      ),
      derivedMetric(
        'relayboard_step_duration_seconds',
        'How long pipeline steps took (started to succeeded, failed or canceled), by step.',
        'histogram',
        fromTotals((t) =>
          histogramSamples(
            t.histograms,
            'step_duration_seconds',
            'relayboard_step_duration_seconds',
            'step',
            DURATION_BUCKETS_SECONDS,
            STEP_NAMES,
          ),
        ),
      ),
      derivedMetric(
        'relayboard_rows_loaded_total',
        'Rows the stage step loaded into staging (succeeded stage steps).',
        'counter',
        fromTotals((t) => counterSamples(t.counters, 'rows_loaded_total', null)),
      ),
      derivedMetric(
        'relayboard_rejected_rows_total',
        'Rows the stage step could not load and kept in staging.<dataset>__rejects.',
        'counter',
        fromTotals((t) => counterSamples(t.counters, 'rejected_rows_total', null)),
      ),
      derivedMetric(
        'relayboard_slack_deliveries_total',
        'Digest deliveries to destinations, by recorded outcome (sent, failed, skipped, suppressed, unknown).',
        'counter',
        fromTotals((t) => counterSamples(t.counters, 'slack_deliveries_total', 'outcome', DELIVERY_OUTCOMES)),
      ),
      derivedMetric(
        'relayboard_dbt_duration_seconds',
        "Time spent in dbt build by transform steps (all of a step's builds; lock waits excluded).",
        'histogram',
        fromTotals((t) =>
          histogramSamples(
            t.histograms,
            'dbt_duration_seconds',
            'relayboard_dbt_duration_seconds',
            null,
            DURATION_BUCKETS_SECONDS,
          ),
        ),
      ),
      derivedMetric(
        'relayboard_queue_jobs',
        'Jobs in the BullMQ pipeline queue now, by state.',
        'gauge',
        fromQueue((q) => QUEUE_JOB_STATES.map((state) => ({ labels: { state }, value: q.counts[state] }))),
      ),
      derivedMetric(
        'relayboard_oldest_queued_seconds',
        'Age of the oldest job waiting for a worker (0 when none waits), from when it was enqueued.',
        'gauge',
        fromQueue((q) => [{ labels: {}, value: q.oldestMs / 1000 }]),
      ),
      derivedMetric(
        'relayboard_metrics_source_up',
        'Whether this scrape could read each source of the figures above (1) or not (0).',
        'gauge',
        async () => {
          const s = await this.snapshot;
          return [
            { labels: { source: 'postgres' }, value: s.totals ? 1 : 0 },
            { labels: { source: 'redis' }, value: s.queue ? 1 : 0 },
          ];
        },
      ),
    ];
    for (const metric of metrics) this.registry.registerMetric(metric as unknown as Metric);
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    const snapshot = this.read();
    this.snapshot = snapshot;
    await snapshot;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async read(): Promise<Snapshot> {
    const [totals, queue] = await Promise.all([
      this.repo.totals().catch((error: Error) => {
        this.logger.warn(
          `GET /metrics: could not read the metric totals from PostgreSQL (DATABASE_URL): ${error.message}; the run, step and delivery series are left out of this scrape`,
        );
        return null;
      }),
      Promise.all([this.queue.jobCounts(), this.queue.oldestWaitingMs()]).then(
        ([counts, oldestMs]) => ({ counts, oldestMs }),
        (error: Error) => {
          this.logger.warn(
            `GET /metrics: could not read the queue's counts from Redis (REDIS_URL): ${error.message}; the queue series are left out of this scrape`,
          );
          return null;
        },
      ),
    ]);
    return { totals, queue };
  }
}

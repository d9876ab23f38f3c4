export type Contender = 'psql \\copy' | 'psql \\copy x2' | 'S3 read' | 'stage' | 'csv-parse' | 'papaparse' | 'pgloader';

/** One timed load. A failed load still has a time: how long it took to fail. */
export interface LoadOutcome {
  ok: boolean;
  seconds: number;
  /** Rows in the target table afterwards. */
  rows?: number;
  /** Rows the loader set aside (Relayboard's rejects table). */
  rejects?: number;
  /** Peak resident memory of the loading process, where it can be measured. */
  peakRssBytes?: number;
  /** Resident memory of the staging process just before the step started. */
  baselineRssBytes?: number;
  /** CPU seconds of the staging process during the step (PostgreSQL's COPY work is not in it). */
  cpuSeconds?: number;
  /** Why the load failed. */
  error?: string;
  /** What a load that finished left out or set aside. */
  note?: string;
}

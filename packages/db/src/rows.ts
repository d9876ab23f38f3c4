/** Row shapes of the `relayboard` schema, as pg returns them. */

export interface StagedColumn {
  /** The column in staging and the warehouse: normalized, unique, quoted in SQL. */
  name: string;
  /** The header as it was in the file. */
  originalName: string;
  type: string;
  /**
   * The type the stage step's one pass (TypeTally) saw every value of this
   * version fit; the warehouse casts such a column with a plain `::type`.
   * Absent for text and on versions staged before it was recorded.
   */
  verifiedType?: string;
  /**
   * True when that same pass saw no value of the column start or end with a space,
   * so the casts need not trim (btrim would change no value). Only beside verifiedType.
   */
  verifiedTrimmed?: boolean;
  /** What inference or an override decided beyond the type (issue #15; `ColumnDecision` in @relayboard/contracts); absent on versions staged before. */
  decision?: {
    nullMarkers: { marker: string; count: number }[];
    dateFormat: string | null;
    numberFormat: { decimal: '.' | ','; thousands: '' | ',' | '.' | ' ' | "'" } | null;
    source: 'inferred' | 'override';
    note: string | null;
  };
}

export interface DatasetRow {
  id: string;
  name: string;
  source_type: 'url' | 'upload';
  source_url: string | null;
  current_version_id: string | null;
  created_at: Date;
  updated_at: Date;
  /** Why the dataset's generated dbt files are out of the project (null while they are in it). */
  dbt_disabled_reason: string | null;
  dbt_disabled_at: Date | null;
  dbt_disabled_by_run_id: string | null;
  /** Slack user ids whom the dataset's failure digests mention. */
  owners: string[];
}

export interface DatasetVersionRow {
  id: string;
  dataset_id: string;
  sha256: string;
  size_bytes: string;
  object_key: string;
  source_url: string | null;
  unchanged: boolean;
  columns: StagedColumn[] | null;
  row_count: string | null;
  fetched_at: Date;
  source: 'url' | 'upload';
  dialect: Record<string, unknown> | null;
  schema_changes: unknown;
  rejected_rows: string | null;
  fetched_by_run_id: string | null;
}

/** A dataset's cron schedule; BullMQ's job scheduler of it is re-created from this row. */
export interface DatasetScheduleRow {
  dataset_id: string;
  cron: string;
  timezone: string;
  paused: boolean;
  always_run: boolean;
  created_at: Date;
  updated_at: Date;
}

export type NotifyOn = 'always' | 'failures' | 'changes';

export interface DestinationRow {
  id: string;
  kind: 'slack';
  name: string;
  /** Only in rows from before encryption; the api encrypts and empties it at start. */
  webhook_url: string | null;
  /** AES-256-GCM token of the webhook URL under SECRETS_KEY (packages/secrets). */
  webhook_encrypted: string | null;
  webhook_fingerprint: string | null;
  webhook_masked: string | null;
  /** null: every dataset. */
  datasets: string[] | null;
  notify_on: NotifyOn;
  row_change_threshold: number;
  suppress_hours: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface RunRow {
  id: string;
  dataset_id: string;
  dataset_version_id: string | null;
  /** skipped: a scheduled run that had nothing new to load (see dataset_schedules.always_run). */
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'skipped';
  trigger: string;
  /** Fetch the dataset's URL again before staging. */
  refresh: boolean;
  error: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  digest: Record<string, unknown> | null;
  delivery_status: 'none' | 'delivered' | 'partial' | 'failed' | 'unknown' | null;
  profile: Record<string, unknown>[] | null;
  /** When POST /v1/runs/:id/cancel asked the worker running it to stop (null: never). */
  cancel_requested_at: Date | null;
  cancel_reason: string | null;
  /** 0 for the run's first outcome, one more per retry; deliveries are keyed by it. */
  retry_generation: number;
  /** While a queued run waits for its dataset's lock: the run holding it (null when a delete or an unknown session does), why, and since when. */
  waiting_for_run_id?: string | null;
  waiting_reason?: string | null;
  waiting_since?: Date | null;
}

export interface RunStepRow {
  run_id: string;
  name: 'fetch' | 'stage' | 'transform' | 'deliver';
  position: number;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'canceled';
  started_at: Date | null;
  finished_at: Date | null;
  metrics: Record<string, number | string>;
  error: string | null;
}

export interface RunEventRow {
  id: string;
  run_id: string;
  step: string | null;
  level: 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown> | null;
  created_at: Date;
}

export interface DeliveryRow {
  id: string;
  run_id: string;
  destination_id: string;
  /** The run's retry generation this delivery is of (one delivery per destination per generation). */
  generation: number;
  /** sending: a post is in flight; unknown: a worker died during it, so it may have been delivered. */
  status: 'sending' | 'sent' | 'failed' | 'skipped' | 'suppressed' | 'unknown';
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  skip_reason: string | null;
  failure: boolean;
  attempts: number;
  attempted_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface DatasetCheckRow {
  id: string;
  dataset_id: string;
  name: string;
  kind: 'not_null' | 'unique' | 'accepted_values' | 'relationships' | 'row_count';
  column_name: string | null;
  severity: 'error' | 'warn';
  config: { values?: string[]; toDataset?: string; toColumn?: string; min?: number; max?: number };
  created_at: Date;
}

export interface RunNodeResultRow {
  id: string;
  run_id: string;
  unique_id: string;
  name: string;
  kind: string;
  status: string;
  rows_affected: string | null;
  execution_time: number;
  failures: string | null;
  message: string | null;
  check_id: string | null;
  /** A few failing rows of a failed or warned test, each as "column=value, ...". */
  samples: string[] | null;
  /** When dbt started and finished the node (the first start and last completion of its timing in run_results.json); null for nodes dbt skipped. */
  started_at: Date | null;
  completed_at: Date | null;
}

/** The dataset's nodes and edges from dbt's manifest (the node shape is the contracts' LineageNode without status). */
export interface DatasetLineageRow {
  dataset_id: string;
  run_id: string | null;
  lineage: { nodes: Record<string, unknown>[]; edges: { from: string; to: string }[] };
  updated_at: Date;
}

/** A stored answer to a request that carried an Idempotency-Key, replayed for the same key and body. */
export interface IdempotencyKeyRow {
  scope: string;
  key: string;
  fingerprint: string;
  response_status: number;
  response_body: Record<string, unknown>;
  run_id: string | null;
  created_at: Date;
  expires_at: Date;
}

/** relayboard.metric_counters: a counter of GET /metrics, added to by triggers (migration 20261203030000). */
export interface MetricCounterRow {
  metric: string;
  /** The counter's one label value ('' when it has none). */
  label: string;
  value: number;
}

/** relayboard.metric_histograms: bucket_counts[i] counts observations in (bounds[i-1], bounds[i]]; its last element is +Inf. */
export interface MetricHistogramRow {
  metric: string;
  label: string;
  bounds: number[];
  /** bigint[]: pg returns these as strings. */
  bucket_counts: Array<string | number>;
  sum: number;
  count: string | number;
}

/** An api token: only the SHA-256 of its secret is stored. */
export interface ApiTokenRow {
  id: string;
  name: string;
  scope: 'read' | 'write' | 'admin';
  token_hash: string;
  token_prefix: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_by_token_id: string | null;
}

/** One change made through the api: who (token), what (method, route, target), when, from where. */
export interface AuditLogRow {
  id: string;
  at: Date;
  token_id: string | null;
  token_name: string | null;
  method: string;
  route: string;
  path: string;
  target_id: string | null;
  status: number;
  remote_address: string | null;
}

/** One column's override (ColumnOverride in @relayboard/contracts), applied by the dataset's next run. */
export interface DatasetColumnOverrideRow {
  dataset_id: string;
  column_name: string;
  override: {
    type?: string;
    dateFormat?: string;
    numberFormat?: { decimal: '.' | ','; thousands: '' | ',' | '.' | ' ' | "'" };
    nullMarkers?: string[];
    keepText?: true;
  };
  updated_at: Date;
  updated_by_token_id: string | null;
}

const EMPTY = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Binary units, because object sizes and COPY throughput are measured in powers of two. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return EMPTY;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  const rounded = value < 100 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString();
  return `${rounded} ${BYTE_UNITS[unit]}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return EMPTY;
  // Clocks on different workers can disagree by a little; a negative duration would only confuse.
  const safe = Math.max(0, ms);
  if (safe < 1000) return `${Math.round(safe)} ms`;
  const seconds = safe / 1000;
  if (seconds < 60) return `${seconds.toFixed(1).replace(/\.0$/, '')} s`;
  const totalSeconds = Math.floor(seconds);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const restSeconds = totalSeconds % 60;
  if (hours === 0) return `${minutes} m ${String(restSeconds).padStart(2, '0')} s`;
  return `${hours} h ${String(minutes).padStart(2, '0')} m`;
}

/** Time from `startedAt` to `finishedAt`, or to `now` while the work is still going. */
export function elapsedMs(startedAt: string | null, finishedAt: string | null, now: Date): number | null {
  if (startedAt === null) return null;
  const start = Date.parse(startedAt);
  const end = finishedAt === null ? now.getTime() : Date.parse(finishedAt);
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  return end - start;
}

/**
 * Always UTC with the zone spelled out: the board, the api and the workers may run in
 * different time zones, and one clock makes run times comparable with logs.
 */
export function formatTimestamp(iso: string | null): string {
  if (iso === null) return EMPTY;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * `rowsRejected` and `rows_rejected` both read as "Rows rejected". A trailing `ms` is
 * dropped because the value is shown in a unit that suits it.
 */
export function formatMetricLabel(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  const label = words.replace(/ ms$/, '');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

export function formatMetricValue(key: string, value: number | string): string {
  if (typeof value === 'string') return value;
  if (/bytes/i.test(key)) return formatBytes(value);
  if (/(^ms|_ms|Ms)$/.test(key)) return formatDuration(value);
  return value.toLocaleString('en-US');
}

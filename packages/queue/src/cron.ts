import { CronExpressionParser } from 'cron-parser';

/** Examples a refused schedule's message offers. */
export const CRON_EXAMPLE = '0 6 * * 1-5 (06:00 on weekdays; a sixth field in front counts seconds: */30 * * * * *)';
export const TIMEZONE_EXAMPLE = 'Europe/Paris, America/New_York or UTC';

export type CronCheck = { ok: true; timezone: string } | { ok: false; field: 'cron' | 'timezone'; message: string };

/**
 * The IANA time zone Intl resolves the name to (its canonical spelling: `utc`
 * becomes `UTC`), or null when there is no such zone.
 */
export function resolveTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * Whether BullMQ's cron parser (cron-parser, the version BullMQ itself uses)
 * reads the expression in the time zone, and fires at least once: five
 * fields (minute hour day-of-month month day-of-week), six with seconds in
 * front, or an alias such as @daily.
 */
export function checkCron(cron: string, timezone: string): CronCheck {
  const zone = resolveTimeZone(timezone);
  if (!zone)
    return {
      ok: false,
      field: 'timezone',
      message: `"${timezone}" is not an IANA time zone; use a name such as ${TIMEZONE_EXAMPLE}`,
    };
  const fields = cron.trim().split(/\s+/);
  if (!cron.trim().startsWith('@') && (fields.length < 5 || fields.length > 6)) {
    return {
      ok: false,
      field: 'cron',
      message: `"${cron}" has ${fields.length} field(s); a cron has 5 (minute hour day-of-month month day-of-week) or 6 (seconds first), e.g. ${CRON_EXAMPLE}`,
    };
  }
  try {
    CronExpressionParser.parse(cron, { tz: zone, currentDate: new Date() }).next();
  } catch (error) {
    return {
      ok: false,
      field: 'cron',
      message: `"${cron}" is not a cron expression BullMQ can schedule (${(error as Error).message}); e.g. ${CRON_EXAMPLE}`,
    };
  }
  return { ok: true, timezone: zone };
}

/** When the schedule fires next after `from`, as BullMQ computes it (cron-parser in the schedule's time zone); null when it never does. */
export function nextRunAt(cron: string, timezone: string, from: Date = new Date()): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: from }).next().toDate();
  } catch {
    return null;
  }
}

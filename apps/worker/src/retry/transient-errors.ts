/**
 * Which failures are worth trying again: a dropped or refused connection, a
 * PostgreSQL that is restarting, an object store answering 5xx or SlowDown, a
 * timeout. Bad data is permanent (PermanentStepError); anything else is
 * "unknown" and tried a few times only.
 */

/** A failure the step knows is passing (dbt lost its database connection); retried like a dropped connection. */
export class TransientStepError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientStepError';
  }
}

/** Socket and stream error codes of Node, undici and pg that mean the peer went away or did not answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'S3_TIMEOUT',
]);

/** PostgreSQL SQLSTATEs: 08 connection exception, 57P01-03 admin shutdown / crash shutdown / cannot connect now, 53300 too many connections, 40001/40P01 serialization failure / deadlock. */
function pgTransient(code: string): string | null {
  if (code.startsWith('08')) return `PostgreSQL connection exception (${code})`;
  if (code === '57P01') return 'PostgreSQL terminated the connection (57P01, admin shutdown)';
  if (code === '57P02') return 'PostgreSQL crashed and is recovering (57P02)';
  if (code === '57P03') return 'PostgreSQL is starting up or shutting down (57P03)';
  if (code === '53300') return 'PostgreSQL has too many connections (53300)';
  if (code === '40001' || code === '40P01') return `PostgreSQL serialization failure or deadlock (${code})`;
  return null;
}

/** S3 error codes (minio's S3Error.code) that mean "try again". */
const S3_CODES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'ServiceUnavailableException',
  'ThrottlingException',
  'RequestTimeTooSkewed',
  'OperationAborted',
]);

/** Messages without a code: pg's and knex's own, minio's status errors, dbt's (psycopg2's) words. */
const TRANSIENT_MESSAGES: [RegExp, string][] = [
  [
    /Connection terminated|connection error and is not queryable|Client was closed and is not queryable/i,
    'the database connection was cut',
  ],
  [
    /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i,
    'connecting to PostgreSQL timed out',
  ],
  [/Query read timeout/i, 'a PostgreSQL query timed out'],
  [/Timeout acquiring a connection/i, 'no database connection could be had in time'],
  [
    /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i,
    'PostgreSQL is restarting',
  ],
  [
    /terminating connection due to administrator command|server closed the connection unexpectedly|could not connect to server|connection to server at .* failed|SSL SYSCALL error: EOF/i,
    'the database connection was cut',
  ],
  [/Retryable HTTP status: 5\d\d|Retryable HTTP status: 429/i, 'the object store answered with a retryable status'],
  [/socket hang up|^aborted$|ECONNREFUSED|ECONNRESET|read ETIMEDOUT/i, 'the connection was cut'],
];

function* chain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && !seen.has(current)) {
    seen.add(current);
    yield current;
    if (current instanceof AggregateError) for (const inner of current.errors) yield* chain(inner);
    current = (current as { cause?: unknown }).cause;
  }
}

/** Why the error is transient ("PostgreSQL is starting up ... (57P03)"), or null when it is not known to be. */
export function transientReason(error: unknown): string | null {
  for (const e of chain(error)) {
    if (e instanceof TransientStepError) return e.message;
    const { code, name, statusCode, message } = (e ?? {}) as {
      code?: unknown;
      name?: unknown;
      statusCode?: unknown;
      message?: unknown;
    };
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code))
        return code === 'S3_TIMEOUT' ? 'the object store did not answer in time' : `the connection failed (${code})`;
      if (/^[0-9A-Z]{5}$/.test(code)) {
        const pg = pgTransient(code);
        if (pg) return pg;
      }
      if (S3_CODES.has(code)) return `the object store answered ${code}`;
    }
    if (name === 'KnexTimeoutError') return 'no database connection could be had in time';
    if (typeof statusCode === 'number' && (statusCode >= 500 || statusCode === 429))
      return `the server answered ${statusCode}`;
    if (typeof message === 'string') {
      for (const [pattern, why] of TRANSIENT_MESSAGES) if (pattern.test(message)) return why;
    }
  }
  return null;
}

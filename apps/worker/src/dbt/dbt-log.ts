/** One line of dbt's structured output (`--log-format json`), reduced to what a run records. */
export interface DbtLogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** dbt's event name, e.g. LogModelResult, MainEncounteredError, UnableToPartialParse. */
  name: string | null;
  message: string;
  /** The node the line is about. */
  node: string | null;
  ts: string | null;
  data: Record<string, unknown>;
}

interface DbtJsonLine {
  info?: { level?: string; name?: string; msg?: string; ts?: string };
  data?: { node_info?: { unique_id?: string } } & Record<string, unknown>;
}

// eslint-disable-next-line no-control-regex -- the escape byte is exactly what this strips
const ANSI = /\u001b\[[0-9;]*m/g;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/**
 * Parses a line of dbt's output. dbt prints JSON events, but Python can still
 * print plain text (a traceback, a crash before logging starts): such lines are
 * kept as they are, at error level, since dbt only prints text when something broke.
 */
export function parseDbtLogLine(line: string): DbtLogEvent | null {
  const trimmed = line.trim();
  if (!trimmed) return null;
  let json: DbtJsonLine | null = null;
  if (trimmed.startsWith('{')) {
    try {
      json = JSON.parse(trimmed) as DbtJsonLine;
    } catch {
      json = null;
    }
  }
  if (!json?.info)
    return { level: 'error', name: null, message: trimmed.replace(ANSI, ''), node: null, ts: null, data: {} };
  const level = LEVELS.has(json.info.level ?? '') ? (json.info.level as DbtLogEvent['level']) : 'info';
  return {
    level,
    name: json.info.name ?? null,
    message: (json.info.msg ?? '').replace(ANSI, '').trimEnd(),
    node: json.data?.node_info?.unique_id ?? null,
    ts: json.info.ts ?? null,
    data: json.data ?? {},
  };
}

/**
 * dbt's error text on one line: "Compilation Error in model x (path)\n  message" ->
 * "Compilation Error in model x (path): message". The caret under the SQL and the
 * path of the compiled file (in the run's own folder, removed after the run) go.
 */
export function oneLine(message: string): string {
  const lines = message
    .replace(/^Encountered an error:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== '^' && !l.startsWith('compiled code at '));
  return lines.reduce(
    (text, line, i) => (i === 0 ? line : /[:.]$/.test(text) ? `${text} ${line}` : `${text}: ${line}`),
    '',
  );
}

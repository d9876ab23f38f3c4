import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { jsonLogOptions, type LogLevel } from '@relayboard/config';

/** The api's log: one JSON object per line on stdout (pino), at LOG_LEVEL and above. */
export function createApiLog(level: LogLevel, destination?: pino.DestinationStream): pino.Logger {
  return pino(jsonLogOptions('api', level), destination ?? pino.destination({ dest: 1, sync: true }));
}

type Method = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Where Nest's Logger (new Logger('runs').log(...)) writes: pino, with the Logger's context as the
 * `context` field. Nest passes the context last; error() may pass a stack before it.
 */
export class JsonNestLogger implements LoggerService {
  constructor(private readonly pino: pino.Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  private write(method: Method, message: unknown, params: unknown[], mayHaveStack = false): void {
    if (!this.pino.isLevelEnabled(method)) return;
    const fields = nestLogFields(message, params, mayHaveStack);
    const { msg, ...rest } = fields;
    this.pino[method](rest, msg);
  }
}

/** The fields of one line from Nest's (message, ...params): msg, context, stack, err. */
export function nestLogFields(
  message: unknown,
  params: unknown[],
  mayHaveStack: boolean,
): { msg: string; context?: string; stack?: string } {
  const rest = [...params];
  const fields: { msg: string; context?: string; stack?: string } = { msg: '' };
  if (
    rest.length > 0 &&
    typeof rest[rest.length - 1] === 'string' &&
    !(mayHaveStack && rest.length === 1 && isStack(rest[0] as string))
  ) {
    fields.context = rest.pop() as string;
  }
  if (mayHaveStack && typeof rest[0] === 'string' && rest[0]) fields.stack = rest.shift() as string;
  if (message instanceof Error) {
    fields.msg = message.message;
    fields.stack ??= message.stack;
  } else if (typeof message === 'string') {
    fields.msg = message;
  } else {
    fields.msg = JSON.stringify(message) ?? String(message);
  }
  return fields;
}

function isStack(text: string): boolean {
  return /\n\s+at /.test(text);
}

import { hostname } from 'node:os';
import { format } from 'node:util';

/** The calls of a JSON logger (pino's) that console.* is routed to. */
export interface ConsoleSink {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/**
 * console.* of the api and the worker, and of the libraries they use (ioredis prints
 * unhandled connection errors there), goes through their JSON logger, so every line
 * they write to stdout is JSON (docs/operations.md, Metrics and logs).
 */
export function routeConsoleTo(log: ConsoleSink): void {
  console.log = console.info = (...args: unknown[]) => log.info(format(...args));
  console.warn = (...args: unknown[]) => log.warn(format(...args));
  console.error = (...args: unknown[]) => log.error(format(...args));
  console.debug = (...args: unknown[]) => log.debug(format(...args));
}

/**
 * The one shape of the api's and the worker's JSON log lines (pino options): `time` in
 * ISO 8601, `level` by name rather than pino's numbers (for log stacks that read the
 * name), and the service, pid and host on every line.
 */
export function jsonLogOptions<L extends string>(service: 'api' | 'worker', level: L) {
  return {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
  };
}

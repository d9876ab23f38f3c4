import pino from 'pino';
import { jsonLogOptions, type LogLevel } from '@relayboard/config';

/**
 * The worker's log: one JSON object per line on stdout (pino), at LOG_LEVEL and above.
 * Lines logged during a run carry runId, dataset and step (see PipelineRunner.runLog).
 */
export type Log = pino.Logger;

/** What the runner and the steps log through: pino's Logger; child() binds fields (a run's) to every line it writes. */
export interface Logger {
  info(message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  debug(message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Fields every line of a run carries; step is null on lines about the run as a whole. */
export interface RunLogFields {
  runId: string;
  dataset: string;
  step: string | null;
}

export function createLog(level: LogLevel | 'silent', destination?: pino.DestinationStream): Log {
  return pino(jsonLogOptions('worker', level), destination ?? pino.destination({ dest: 1, sync: true }));
}

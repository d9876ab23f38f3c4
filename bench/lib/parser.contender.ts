import path from 'node:path';
import { benchChildEnv, type BenchServices } from './bench.services';
import type { LoadOutcome } from './bench.types';
import { errorLines, forkForReport } from './child.runner';
import { BENCH_SCHEMA, createTextTable } from './psql.contender';

/** The general-purpose CSV parsers the handwritten scanner is measured against. */
export type LibraryParser = 'csv-parse' | 'papaparse';

export interface ParserJob {
  parser: LibraryParser;
  objectKey: string;
  table: string;
  /** The load is stopped after this many seconds (csv-parse's cast context makes it very slow). */
  timeoutS: number;
}

export interface ParserReport {
  ok: boolean;
  seconds: number;
  rows?: number;
  /** Records left out because they did not have the header's number of fields. */
  skipped?: number;
  error?: string;
  peakRssBytes: number;
  cpuSeconds?: number;
}

/**
 * A reference row: the object read back from the S3 server as the stage step
 * reads it, parsed by a library parser (csv-parse streaming with its cast context,
 * or papaparse), re-serialized as COPY text and loaded by one COPY into a plain
 * logged table of TEXT columns, in a child Node process timed around the load.
 * No type inference and one COPY stream: it shows what the parser costs, not a
 * whole stage step.
 */
export async function parserLoadInChild(
  services: BenchServices,
  parser: LibraryParser,
  objectKey: string,
  timeoutS: number,
): Promise<LoadOutcome> {
  const table = parser.replace(/-/g, '_');
  await createTextTable(services.admin, table);
  const { report, code, signal, output } = await forkForReport<ParserReport>(
    path.join(__dirname, 'parser.child.js'),
    benchChildEnv(services),
    { parser, objectKey, table: `${BENCH_SCHEMA}.${table}`, timeoutS } satisfies ParserJob,
  );
  await services.admin.query(`drop table if exists ${BENCH_SCHEMA}.${table}`);
  if (!report) {
    return {
      ok: false,
      seconds: 0,
      error: `the ${parser} process ended (${code ?? signal}) without a result: ${errorLines(output)}`,
    };
  }
  if (!report.ok) return { ok: false, seconds: report.seconds, error: report.error, peakRssBytes: report.peakRssBytes };
  return {
    ok: true,
    seconds: report.seconds,
    rows: report.rows,
    peakRssBytes: report.peakRssBytes,
    cpuSeconds: report.cpuSeconds,
    note: report.skipped ? `${report.skipped.toLocaleString('en-US')} records of the wrong width left out` : undefined,
  };
}

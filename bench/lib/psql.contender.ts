import type { Pool } from 'pg';
import type { GeneratedCsv } from './csv.generator';
import { CSV_COLUMNS } from './csv.generator';
import { errorLines, runTimed } from './child.runner';
import type { LoadOutcome } from './bench.types';

export const PSQL = '/usr/bin/psql';
export const BENCH_SCHEMA = 'bench';

/** A plain, logged table of all-TEXT columns: the reference the targets are stated against. */
export async function createTextTable(admin: Pool, table: string): Promise<void> {
  await admin.query(`drop table if exists ${BENCH_SCHEMA}.${table}`);
  await admin.query(`create table ${BENCH_SCHEMA}.${table} (${CSV_COLUMNS.map((c) => `${c} text`).join(', ')})`);
  // Each timed load starts without the previous one's dirty pages to write out.
  await admin.query('checkpoint');
}

/** `psql \copy` of the file into a fresh plain table, timed from psql's start to its exit. */
export async function psqlCopy(admin: Pool, pgUrl: string, csv: GeneratedCsv): Promise<LoadOutcome> {
  if (csv.file.includes("'")) throw new Error(`psql \\copy cannot name ${csv.file}: move the CSVs to a folder without quotes (--csv-dir)`);
  const table = 'psql_copy';
  await createTextTable(admin, table);
  const command = `\\copy ${BENCH_SCHEMA}.${table} (${CSV_COLUMNS.join(', ')}) from '${csv.file}' with (format csv, header true)`;
  const run = await runTimed(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-d', pgUrl, '-c', command]);
  const copied = /COPY (\d+)/.exec(run.output);
  const outcome: LoadOutcome =
    run.code === 0 && copied
      ? { ok: true, seconds: run.seconds, rows: Number(copied[1]) }
      : { ok: false, seconds: run.seconds, error: errorLines(run.output) };
  await admin.query(`drop table if exists ${BENCH_SCHEMA}.${table}`);
  return outcome;
}

import { createReadStream } from 'node:fs';
import type { Pool } from 'pg';
import type { GeneratedCsv } from './csv.generator';
import { CSV_COLUMNS } from './csv.generator';
import { errorLines, runTimed } from './child.runner';
import type { LoadOutcome } from './bench.types';
import { requireBuilt } from './workspace';

type FieldSplitterModule = typeof import('../../apps/worker/dist/staging/field-splitter');

export const PSQL = '/usr/bin/psql';
export const BENCH_SCHEMA = 'bench';

/** A plain, logged table of all-TEXT columns: the reference the targets are stated against. */
export async function createTextTable(admin: Pool, table: string, unlogged = false): Promise<void> {
  await admin.query(`drop table if exists ${BENCH_SCHEMA}.${table}`);
  await admin.query(
    `create ${unlogged ? 'unlogged ' : ''}table ${BENCH_SCHEMA}.${table} (${CSV_COLUMNS.map((c) => `${c} text`).join(', ')})`,
  );
  // Each timed load starts without the previous one's dirty pages to write out.
  await admin.query('checkpoint');
}

/** `psql \copy` of the file into a fresh plain table, timed from psql's start to its exit. */
export async function psqlCopy(admin: Pool, pgUrl: string, csv: GeneratedCsv): Promise<LoadOutcome> {
  if (csv.file.includes("'"))
    throw new Error(`psql \\copy cannot name ${csv.file}: move the CSVs to a folder without quotes (--csv-dir)`);
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

const middles = new Map<string, number>();

/** The offset of the first record boundary past the middle of the file, found with a quote-aware read (the worker's FieldSplitter). */
async function middleRecordBoundary(csv: GeneratedCsv): Promise<number> {
  const known = middles.get(csv.file);
  if (known !== undefined) return known;
  const { FieldSplitter } = requireBuilt<FieldSplitterModule>('apps/worker/dist/staging/field-splitter.js');
  const splitter = new FieldSplitter({ delimiter: ',', quote: '"' }, null);
  const middle = Math.floor(csv.bytes / 2);
  let offset = 0;
  for await (const chunk of createReadStream(csv.file, { highWaterMark: 1024 * 1024 })) {
    splitter.feed(chunk as Buffer);
    if (splitter.boundary !== -1 && offset + splitter.boundary > middle) {
      middles.set(csv.file, offset + splitter.boundary);
      return offset + splitter.boundary;
    }
    offset += (chunk as Buffer).length;
  }
  throw new Error(`no record boundary past the middle of ${csv.file}`);
}

/**
 * Two `psql \copy` processes at once, each loading half of the file (cut at a
 * record boundary, fed by `head -c` and `tail -c`) into one UNLOGGED table:
 * what COPY alone reaches with two streams on this machine, with no object
 * store read and no type inference. Timed from the start of both to the exit of both.
 */
export async function psqlCopyTwoStreams(admin: Pool, pgUrl: string, csv: GeneratedCsv): Promise<LoadOutcome> {
  if (csv.file.includes("'"))
    throw new Error(`psql \\copy cannot name ${csv.file}: move the CSVs to a folder without quotes (--csv-dir)`);
  const table = 'psql_copy_x2';
  const cut = await middleRecordBoundary(csv);
  await createTextTable(admin, table, true);
  const copy = (program: string, header: boolean) =>
    `\\copy ${BENCH_SCHEMA}.${table} (${CSV_COLUMNS.join(', ')}) from program '${program}' with (format csv, header ${header})`;
  const started = performance.now();
  const runs = await Promise.all([
    runTimed(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-d', pgUrl, '-c', copy(`head -c ${cut} ${csv.file}`, true)]),
    runTimed(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-d', pgUrl, '-c', copy(`tail -c +${cut + 1} ${csv.file}`, false)]),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const counts = runs.map((run) => (run.code === 0 ? /COPY (\d+)/.exec(run.output) : null));
  await admin.query(`drop table if exists ${BENCH_SCHEMA}.${table}`);
  if (counts.some((c) => c === null))
    return { ok: false, seconds, error: runs.map((run) => errorLines(run.output)).join('; ') };
  return { ok: true, seconds, rows: counts.reduce((sum, c) => sum + Number(c![1]), 0) };
}

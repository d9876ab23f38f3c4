import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import type { LoadOutcome } from './bench.types';
import { errorLines, runTimed } from './child.runner';
import { CSV_COLUMNS, type GeneratedCsv } from './csv.generator';
import { BENCH_SCHEMA, createTextTable } from './psql.contender';

export type PgloaderAvailability = { available: true; version: string } | { available: false; reason: string };

async function pgloaderVersion(): Promise<string | undefined> {
  try {
    const run = await runTimed('pgloader', ['--version']);
    return run.code === 0 ? run.output.split('\n')[0].trim() : undefined;
  } catch {
    return undefined;
  }
}

/** pgloader comes from Debian; the benchmark installs it when it runs as root and it is missing. */
export async function ensurePgloader(log: (line: string) => void): Promise<PgloaderAvailability> {
  const found = await pgloaderVersion();
  if (found) return { available: true, version: found };
  if (process.getuid?.() !== 0)
    return { available: false, reason: 'pgloader is not installed; run `apt-get install -y pgloader` as root' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('installing pgloader from Debian (apt-get install -y pgloader)');
  let install = await runTimed('apt-get', ['install', '-y', '--no-install-recommends', 'pgloader'], { env });
  if (install.code !== 0) {
    log('apt-get install failed; refreshing the package lists and trying again');
    await runTimed('apt-get', ['update'], { env });
    install = await runTimed('apt-get', ['install', '-y', '--no-install-recommends', 'pgloader'], { env });
  }
  const installed = await pgloaderVersion();
  if (installed) return { available: true, version: installed };
  return { available: false, reason: `apt-get install pgloader failed: ${errorLines(install.output, /^E:/)}` };
}

const PGLOADER_PROBLEM = /\b(ERROR|FATAL)\b/;

function commandFile(csv: GeneratedCsv, pgUrl: string, table: string): string {
  const target = new URL(pgUrl);
  target.protocol = 'postgresql:';
  target.searchParams.set('sslmode', 'disable');
  // pgloader's documented CSV options for RFC 4180 files with a header line.
  return `LOAD CSV
  FROM '${csv.file}' WITH ENCODING utf-8 (${CSV_COLUMNS.join(', ')})
  INTO ${target.toString()}
  TARGET TABLE ${BENCH_SCHEMA}.${table}
  WITH skip header = 1,
       fields optionally enclosed by '"',
       fields escaped by double-quote,
       fields terminated by ',';
`;
}

/**
 * pgloader with its defaults into a fresh plain table. It reports bad rows in its
 * own files and goes on, so the outcome counts the rows that reached the table.
 */
export async function pgloaderLoad(
  admin: Pool,
  pgUrl: string,
  csv: GeneratedCsv,
  workDir: string,
  timeoutS: number,
): Promise<LoadOutcome> {
  const table = 'pgloader_copy';
  await createTextTable(admin, table);
  const dir = path.join(workDir, 'pgloader', `${csv.kind}-${csv.targetBytes}`);
  mkdirSync(dir, { recursive: true });
  const loadFile = path.join(dir, 'load.pgl');
  writeFileSync(loadFile, commandFile(csv, pgUrl, table));
  const run = await runTimed('pgloader', ['--root-dir', dir, '--logfile', path.join(dir, 'pgloader.log'), loadFile], {
    timeoutS,
    cwd: dir,
  });
  const { rows } = await admin.query<{ n: string }>(`select count(*) as n from ${BENCH_SCHEMA}.${table}`);
  await admin.query(`drop table if exists ${BENCH_SCHEMA}.${table}`);
  const loaded = Number(rows[0].n);
  const said = errorLines(run.output, PGLOADER_PROBLEM, 160);
  if (run.timedOut)
    return { ok: false, seconds: run.seconds, rows: loaded, error: `stopped after ${timeoutS} s (--pgloader-timeout)` };
  // pgloader can exit 0 after a FATAL parse error that ended the load part way.
  if (run.code !== 0 || /\bFATAL\b/.test(run.output)) {
    return {
      ok: false,
      seconds: run.seconds,
      rows: loaded,
      error: `${loaded} of ${csv.records} rows loaded, then: ${said}`,
    };
  }
  const missing = csv.records - loaded;
  return missing === 0
    ? { ok: true, seconds: run.seconds, rows: loaded }
    : { ok: true, seconds: run.seconds, rows: loaded, note: `${missing} of ${csv.records} rows left out: ${said}` };
}

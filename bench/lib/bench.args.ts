import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchSize {
  label: string;
  bytes: number;
}

export interface BenchArgs {
  sizes: BenchSize[];
  runs: number;
  seed: number;
  portBase: number;
  keepFiles: boolean;
  csvDir: string | undefined;
  pgloader: boolean;
  pgloaderTimeoutS: number;
  /** csv-parse and papaparse loads stop after this many seconds. */
  parserTimeoutS: number;
  jsonOut: string | undefined;
  /** Whole runs over REST (api + queue + worker) per size, after one warm-up run; 0: none. */
  wholeRuns: number;
  /** Only the whole runs: no psql, S3 read, stage or pgloader contenders. */
  onlyWholeRuns: boolean;
  /** Seconds to wait before each whole run, so it meets an idle worker (its dbt started ahead and ready); 0: back to back. */
  wholeRunGapS: number;
}

export const USAGE = `Usage: pnpm bench:load [options]

  --sizes LIST            file sizes, comma-separated (default 100MB,1GB); units kB, MB, GB
                          (powers of 10) or KiB, MiB, GiB
  --runs N                timed runs per contender and file; the median is reported (default 3)
  --seed N                seed of the CSV generator (default 42)
  --port-base N           PostgreSQL on N, the S3 server on N+1..N+12, and the whole-run stack on
                          N+20..N+41 (default 34000)
  --keep-files            keep the generated CSVs and reuse them on the next run
                          (in $TMPDIR/relayboard-bench-csv unless --csv-dir says where)
  --csv-dir DIR           generate CSVs into DIR and reuse them from there (implies --keep-files)
  --no-pgloader           skip pgloader
  --pgloader-timeout S    stop a pgloader load after S seconds and record it (default 900)
  --parser-timeout S      stop a csv-parse or papaparse load after S seconds and record its rate (default 300)
  --whole-runs N          whole runs over REST (fetch, stage, transform, deliver through the api, the
                          queue and the worker) per size, after one warm-up run (default: --runs; 0: none)
  --only-whole-runs       measure only the whole runs (skip psql, S3 read, stage and pgloader)
  --whole-run-gap S       wait S seconds before each whole run, so it meets an idle worker whose
                          dbt, started ahead after the last build, is ready (default 0: back to
                          back, when that start overlaps the next run's stage step)
  --json FILE             also write every measurement to FILE as JSON
  --help                  this text
`;

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

export function parseSize(text: string): BenchSize {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match?.[2] ? match[2].toLowerCase() : 'b';
  if (!match || !(unit in UNITS)) throw new Error(`--sizes: "${text}" is not a size; write it like 10MB, 100MB or 1GB`);
  const bytes = Math.round(Number(match[1]) * UNITS[unit]);
  if (bytes < 1e5) throw new Error(`--sizes: ${text} is too small to time; use 100kB or more`);
  return { label: `${match[1]}${match[2] || 'B'}`, bytes };
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive whole number, got "${text}"`);
  return value;
}

export function parseBenchArgs(argv: string[]): BenchArgs | 'help' {
  const { values } = parseArgs({
    // pnpm passes a literal "--" through when a person writes `pnpm bench:load -- --sizes ...`.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      sizes: { type: 'string', default: '100MB,1GB' },
      runs: { type: 'string', default: '3' },
      seed: { type: 'string', default: '42' },
      'port-base': { type: 'string', default: '34000' },
      'keep-files': { type: 'boolean', default: false },
      'csv-dir': { type: 'string' },
      'no-pgloader': { type: 'boolean', default: false },
      'pgloader-timeout': { type: 'string', default: '900' },
      'parser-timeout': { type: 'string', default: '300' },
      json: { type: 'string' },
      'whole-runs': { type: 'string' },
      'only-whole-runs': { type: 'boolean', default: false },
      'whole-run-gap': { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const sizes = values.sizes
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(parseSize)
    .sort((a, b) => a.bytes - b.bytes);
  if (sizes.length === 0) throw new Error('--sizes needs at least one size, like 10MB');
  const portBase = positiveInt('port-base', values['port-base']);
  if (portBase + 41 > 65535)
    throw new Error(`--port-base ${portBase} leaves no room for the 42 ports the benchmark needs`);
  const keepFiles = values['keep-files'] || values['csv-dir'] !== undefined;
  const csvDir = values['csv-dir'] ?? (keepFiles ? path.join(os.tmpdir(), 'relayboard-bench-csv') : undefined);
  const runs = positiveInt('runs', values.runs);
  const wholeRuns = values['whole-runs'] === undefined ? runs : Number(values['whole-runs']);
  if (!Number.isInteger(wholeRuns) || wholeRuns < 0)
    throw new Error(`--whole-runs must be a whole number (0 for none), got "${values['whole-runs']}"`);
  if (values['only-whole-runs'] && wholeRuns === 0)
    throw new Error('--only-whole-runs with --whole-runs 0 leaves nothing to measure');
  const wholeRunGapS = Number(values['whole-run-gap']);
  if (!Number.isFinite(wholeRunGapS) || wholeRunGapS < 0)
    throw new Error(`--whole-run-gap must be a number of seconds (0 or more), got "${values['whole-run-gap']}"`);
  return {
    sizes,
    runs,
    seed: positiveInt('seed', values.seed),
    portBase,
    keepFiles,
    csvDir: csvDir === undefined ? undefined : path.resolve(csvDir),
    pgloader: !values['no-pgloader'],
    pgloaderTimeoutS: positiveInt('pgloader-timeout', values['pgloader-timeout']),
    parserTimeoutS: positiveInt('parser-timeout', values['parser-timeout']),
    jsonOut: values.json === undefined ? undefined : path.resolve(values.json),
    wholeRuns,
    onlyWholeRuns: values['only-whole-runs'],
    wholeRunGapS,
  };
}

import { createReadStream, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseBenchArgs, USAGE, type BenchArgs, type BenchSize } from './lib/bench.args';
import { median, resultsTable, summarize, targetLines, type Measurement } from './lib/bench.report';
import { startBenchServices, stopLeftovers, type BenchServices } from './lib/bench.services';
import type { Contender, LoadOutcome } from './lib/bench.types';
import { killRunningChildren, runTimed } from './lib/child.runner';
import { ensureCsv, type CsvKind, type GeneratedCsv } from './lib/csv.generator';
import { ensurePgloader, pgloaderLoad, type PgloaderAvailability } from './lib/pgloader.contender';
import { BENCH_SCHEMA, PSQL, psqlCopy, psqlCopyTwoStreams } from './lib/psql.contender';
import { parserLoadInChild, type LibraryParser } from './lib/parser.contender';
import { readFromStore, stageInChild } from './lib/stage.contender';
import { startWholeRunStack, type WholeRunOutcome, type WholeRunStack } from './lib/whole-run';
import { staleBuilds } from './lib/workspace';

const log = (line: string) => console.log(`bench: ${line}`);
const GB = 1e9;

/** What the numbers depend on, printed with them and written to the JSON. */
async function machineFacts(pgloader: PgloaderAvailability): Promise<Record<string, string>> {
  const psql = await runTimed(PSQL, ['--version']).catch(() => undefined);
  return {
    cpus: `${os.availableParallelism()} x ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    psql: psql?.output.trim() ?? 'not found',
    pgloader: pgloader.available ? pgloader.version : `unavailable (${pgloader.reason})`,
  };
}

/** CSVs, the S3 copies of one size, and PostgreSQL's tables and WAL while one size is loaded. */
function assertDiskSpace(args: BenchArgs, root: string): void {
  const total = args.sizes.reduce((sum, s) => sum + s.bytes, 0);
  const largest = args.sizes[args.sizes.length - 1].bytes;
  const needed = 2 * total + 8 * largest;
  const fs = statfsSync(root);
  const free = fs.bavail * fs.bsize;
  if (free < needed) {
    throw new Error(
      `the benchmark needs about ${(needed / GB).toFixed(1)} GB free under ${root}, and ${(free / GB).toFixed(1)} GB are: free some space or point TMPDIR at a bigger disk`,
    );
  }
}

function datasetName(kind: CsvKind, size: BenchSize): string {
  return `bench_${kind}_${size.label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

async function timed(what: string, load: () => Promise<LoadOutcome>): Promise<LoadOutcome> {
  const outcome = await load();
  const rss =
    (outcome.peakRssBytes === undefined
      ? ''
      : `, peak RSS ${(outcome.peakRssBytes / 1e6).toFixed(0)} MB (${((outcome.baselineRssBytes ?? 0) / 1e6).toFixed(0)} MB before the step)`) +
    (outcome.cpuSeconds === undefined ? '' : `, ${outcome.cpuSeconds.toFixed(2)} CPU s in the Node process`);
  log(
    `  ${what}: ${outcome.ok ? `${outcome.seconds.toFixed(2)} s${rss}${outcome.note ? ` (${outcome.note})` : ''}` : `failed after ${outcome.seconds.toFixed(2)} s: ${outcome.error}`}`,
  );
  return outcome;
}

async function benchSize(
  args: BenchArgs,
  services: BenchServices,
  root: string,
  csvDir: string,
  size: BenchSize,
  pgloader: PgloaderAvailability,
): Promise<Measurement[]> {
  const files = {} as Record<CsvKind, GeneratedCsv>;
  for (const kind of ['clean', 'messy'] as const) {
    log(`${kind} ${size.label}: preparing the CSV in ${csvDir}`);
    const started = performance.now();
    const { csv, reused } = await ensureCsv(csvDir, kind, size.bytes, size.label, args.seed);
    const broken = Object.values(csv.irregular).reduce((a, b) => a + b, 0);
    log(
      `${kind} ${size.label}: ${reused ? 'reused' : `generated in ${((performance.now() - started) / 1000).toFixed(1)} s:`} ${csv.bytes} bytes, ${csv.records} records` +
        (kind === 'messy'
          ? `, ${broken} broken (${((100 * broken) / csv.records).toFixed(2)}%: ${JSON.stringify(csv.irregular)}), ${csv.crlfRecords} ending in CRLF`
          : ''),
    );
    files[kind] = csv;
  }

  const keys = {} as Record<CsvKind, string>;
  for (const kind of ['clean', 'messy'] as const) {
    keys[kind] = `bench/${path.basename(files[kind].file)}`;
    await services.store.putStream(keys[kind], createReadStream(files[kind].file), files[kind].bytes);
  }
  log(`${size.label}: both files uploaded to the S3 server`);

  const measured = (contender: Contender, kind: CsvKind, outcomes: LoadOutcome[], remark?: string): Measurement => ({
    contender,
    kind,
    size,
    bytes: files[kind].bytes,
    records: files[kind].records,
    outcomes,
    remark,
  });
  const psqlClean: LoadOutcome[] = [];
  const psqlTwo: LoadOutcome[] = [];
  const storeReads: LoadOutcome[] = [];
  const stageClean: LoadOutcome[] = [];
  const stageMessy: LoadOutcome[] = [];
  const parsers: LibraryParser[] = ['csv-parse', 'papaparse'];
  const parsed = new Map(parsers.map((p) => [p, { clean: [] as LoadOutcome[], messy: [] as LoadOutcome[] }]));
  // Contenders take turns within each round, so a noisy minute hurts all of them alike.
  for (let round = 1; round <= args.runs; round++) {
    psqlClean.push(
      await timed(`psql \\copy clean ${size.label} (round ${round}/${args.runs})`, () =>
        psqlCopy(services.admin, services.pgUrl, files.clean),
      ),
    );
    psqlTwo.push(
      await timed(`psql \\copy x2 clean ${size.label} (round ${round}/${args.runs})`, () =>
        psqlCopyTwoStreams(services.admin, services.pgUrl, files.clean),
      ),
    );
    storeReads.push(
      await timed(`S3 read clean ${size.label} (round ${round}/${args.runs})`, () =>
        readFromStore(services, keys.clean, files.clean.bytes),
      ),
    );
    for (const [kind, into] of [
      ['clean', stageClean],
      ['messy', stageMessy],
    ] as const) {
      const job = { dataset: datasetName(kind, size), objectKey: keys[kind], sizeBytes: files[kind].bytes };
      into.push(
        await timed(`stage ${kind} ${size.label} (round ${round}/${args.runs})`, () => stageInChild(services, job)),
      );
    }
  }
  // The library parsers once per file, after the rounds: csv-parse with its cast context is too slow to repeat.
  for (const parser of parsers) {
    for (const kind of ['clean', 'messy'] as const) {
      parsed
        .get(parser)!
        [kind].push(
          await timed(`${parser} ${kind} ${size.label}`, () =>
            parserLoadInChild(services, parser, keys[kind], args.parserTimeoutS),
          ),
        );
    }
  }
  const results = [
    measured('psql \\copy', 'clean', psqlClean),
    measured('psql \\copy x2', 'clean', psqlTwo, 'ceiling: 2 psql on halves, UNLOGGED'),
    measured('S3 read', 'clean', storeReads, 'reading the object only'),
    measured('stage', 'clean', stageClean),
    measured('stage', 'messy', stageMessy),
    ...parsers.flatMap((parser) =>
      (['clean', 'messy'] as const).map((kind) =>
        measured(
          parser,
          kind,
          parsed.get(parser)![kind],
          parser === 'csv-parse'
            ? '1 run; reference: csv-parse stream (cast context: "" vs NULL) into COPY text, 1 stream, no types'
            : '1 run; reference: papaparse stream ("" and NULL both NULL) into COPY text, 1 stream, no types',
        ),
      ),
    ),
  ];

  const psqlMessy = await timed(`psql \\copy messy ${size.label}`, () =>
    psqlCopy(services.admin, services.pgUrl, files.messy),
  );
  results.push(measured('psql \\copy', 'messy', [psqlMessy], '1 run: COPY is expected to refuse this file'));

  if (pgloader.available) {
    for (const kind of ['clean', 'messy'] as const) {
      const outcome = await timed(`pgloader ${kind} ${size.label}`, () =>
        pgloaderLoad(services.admin, services.pgUrl, files[kind], root, args.pgloaderTimeoutS),
      );
      results.push(measured('pgloader', kind, [outcome], '1 run: pgloader is too slow to repeat'));
    }
  }

  for (const kind of ['clean', 'messy'] as const) await services.store.remove(keys[kind]);
  return results;
}

interface WholeRunMeasurement {
  size: BenchSize;
  csv: GeneratedCsv;
  warmUp: WholeRunOutcome;
  outcomes: WholeRunOutcome[];
}

const WHOLE_RUN_TARGET = 3;

function logWholeRun(what: string, o: WholeRunOutcome): void {
  const steps = Object.entries(o.steps)
    .map(([name, s]) => `${name} ${s.toFixed(2)}`)
    .join(', ');
  const nodes = o.nodes
    .map(
      (n) => `${n.name} ${n.seconds.toFixed(2)} s${n.startOffset === null ? '' : ` from +${n.startOffset.toFixed(2)}`}`,
    )
    .join(', ');
  log(
    `  ${what}: ${o.ok ? '' : `FAILED (${o.error}) `}${o.wholeSeconds.toFixed(2)} s start to end (${(o.wholeSeconds / o.stageSeconds).toFixed(2)}x its stage step); steps: ${steps}; dbt build ${o.dbtSeconds?.toFixed(2) ?? '?'} s, parse ${o.parseSeconds?.toFixed(2) ?? '?'} s; nodes: ${nodes}`,
  );
}

/** Whole runs of the clean file over REST: one warm-up (the dataset's first run), then `args.wholeRuns` timed ones. */
async function wholeRunsOf(
  args: BenchArgs,
  stack: WholeRunStack,
  csvDir: string,
  size: BenchSize,
): Promise<WholeRunMeasurement> {
  const { csv } = await ensureCsv(csvDir, 'clean', size.bytes, size.label, args.seed);
  const dataset = `${datasetName('clean', size)}_run`;
  const warmUp = await stack.run(dataset, csv);
  logWholeRun(`whole run clean ${size.label} (warm-up: the dataset's first run)`, warmUp);
  const outcomes: WholeRunOutcome[] = [];
  for (let round = 1; round <= args.wholeRuns; round++) {
    if (args.wholeRunGapS > 0) await sleep(args.wholeRunGapS * 1000);
    const outcome = await stack.run(dataset, csv);
    logWholeRun(`whole run clean ${size.label} (round ${round}/${args.wholeRuns})`, outcome);
    outcomes.push(outcome);
  }
  return { size, csv, warmUp, outcomes };
}

const fmt = (s: number | null | undefined) => (s === null || s === undefined || Number.isNaN(s) ? '-' : s.toFixed(2));

function wholeRunTable(measured: WholeRunMeasurement[]): string[] {
  const lines = [
    '| file | rows | whole run s | stage step s | whole / stage | fetch s | transform s | of which dbt build s | dbt parse s | deliver s |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of measured) {
    const ok = m.outcomes.filter((o) => o.ok);
    const med = (pick: (o: WholeRunOutcome) => number | null) => {
      const values = ok.map(pick).filter((v): v is number => v !== null && !Number.isNaN(v));
      return values.length ? median(values) : null;
    };
    const whole = med((o) => o.wholeSeconds);
    const stage = med((o) => o.stageSeconds);
    lines.push(
      `| clean ${m.size.label} | ${m.csv.records} | ${fmt(whole)} | ${fmt(stage)} | ${whole !== null && stage ? `${(whole / stage).toFixed(2)}x` : '-'} | ${fmt(med((o) => o.steps.fetch ?? null))} | ${fmt(med((o) => o.steps.transform ?? null))} | ${fmt(med((o) => o.dbtSeconds))} | ${fmt(med((o) => o.parseSeconds))} | ${fmt(med((o) => o.steps.deliver ?? null))} |`,
    );
  }
  lines.push('', 'dbt nodes (median execution seconds, from run_results.json):', '');
  for (const m of measured) {
    const ok = m.outcomes.filter((o) => o.ok);
    const names = [...new Set(ok.flatMap((o) => o.nodes.map((n) => n.name)))];
    lines.push(
      `  clean ${m.size.label}: ${names
        .map((name) => {
          const times = ok.flatMap((o) => o.nodes.filter((n) => n.name === name).map((n) => n.seconds));
          return `${name} ${median(times).toFixed(2)}`;
        })
        .join(', ')}`,
    );
  }
  return lines;
}

function wholeRunTargetLines(measured: WholeRunMeasurement[]): string[] {
  return measured.map((m) => {
    const ok = m.outcomes.filter((o) => o.ok);
    if (!ok.length)
      return `whole run of the clean ${m.size.label} file <= ${WHOLE_RUN_TARGET}x its stage step: no run succeeded`;
    const ratio = median(ok.map((o) => o.wholeSeconds)) / median(ok.map((o) => o.stageSeconds));
    return `whole run of the clean ${m.size.label} file <= ${WHOLE_RUN_TARGET}x its stage step (issue #13): ${ratio <= WHOLE_RUN_TARGET ? 'PASS' : 'MISS'}: ${ratio.toFixed(2)}x`;
  });
}

async function main(): Promise<void> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const args = parsed;
  const stale = staleBuilds(['apps/worker', 'packages/storage', 'packages/config', 'packages/devstack']);
  if (stale.length > 0)
    log(
      `WARNING: ${stale.join(', ')} changed after the last build; run \`pnpm build:ts\` to benchmark the current code`,
    );

  const root = mkdtempSync(path.join(os.tmpdir(), 'relayboard-bench-'));
  const csvDir = args.csvDir ?? path.join(root, 'csv');
  mkdirSync(csvDir, { recursive: true });
  let services: BenchServices | undefined;
  let wholeRunStack: WholeRunStack | undefined;
  let cleaning: Promise<void> | undefined;
  // One cleanup however it is asked for: a signal during the normal one waits for it instead of cutting it short.
  const cleanUp = () => {
    cleaning ??= (async () => {
      killRunningChildren();
      await wholeRunStack?.stop();
      await services?.stop();
      await stopLeftovers(root);
      rmSync(root, { recursive: true, force: true });
    })();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the benchmark's processes and removing ${root}`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    assertDiskSpace(args, root);
    const pgloader = args.pgloader
      ? await ensurePgloader(log)
      : ({ available: false, reason: '--no-pgloader' } as const);
    if (!pgloader.available) log(`pgloader will not run: ${pgloader.reason}`);
    const machine = await machineFacts(pgloader);
    services = await startBenchServices(root, args.portBase, log);
    await services.admin.query(`create schema if not exists ${BENCH_SCHEMA}`);

    const measurements: Measurement[] = [];
    if (!args.onlyWholeRuns)
      for (const size of args.sizes)
        measurements.push(...(await benchSize(args, services, root, csvDir, size, pgloader)));

    const wholeRuns: WholeRunMeasurement[] = [];
    if (args.wholeRuns > 0) {
      wholeRunStack = await startWholeRunStack(path.join(root, 'stack'), csvDir, args.portBase + 20, log);
      for (const size of args.sizes) wholeRuns.push(await wholeRunsOf(args, wholeRunStack, csvDir, size));
    }

    const summaries = summarize(measurements);
    console.log('');
    console.log(
      `Relayboard load benchmark: sizes ${args.sizes.map((s) => s.label).join(', ')}; seed ${args.seed}; median of ${args.runs} run(s) per contender and file`,
    );
    for (const [key, value] of Object.entries({
      ...machine,
      ...Object.fromEntries(Object.entries(services.server).map(([k, v]) => [`postgres ${k}`, v])),
    })) {
      console.log(`  ${key}: ${value}`);
    }
    console.log('');
    if (measurements.length) {
      console.log(resultsTable(summaries));
      console.log('');
      console.log(
        'MB = 10^6 bytes; MB/s = file bytes / median wall seconds. psql \\copy loads a plain logged all-TEXT table; the stage step',
      );
      console.log(
        'reads the file from the S3 server and publishes staging.<dataset>. Messy files are compared with psql \\copy of the CLEAN',
      );
      console.log(
        "file of the same size (COPY refuses the messy one). Peak RSS is the staging child process's own high-water mark, the",
      );
      console.log('largest over its runs; it is not measured for psql and pgloader.');
      console.log('');
      console.log('Targets (issue #3; benchmark figures, not assertions):');
      for (const line of targetLines(summaries, args.sizes)) console.log(`  ${line}`);
    }
    if (wholeRuns.length) {
      console.log('');
      console.log(
        `Whole runs over REST (run start to run end; median of ${args.wholeRuns} after a warm-up${args.wholeRunGapS > 0 ? `, each after ${args.wholeRunGapS} s idle` : ', back to back'}), beside the run's own stage step:`,
      );
      console.log('');
      for (const line of wholeRunTable(wholeRuns)) console.log(line);
      console.log('');
      console.log('Targets (issue #13; benchmark figures, not assertions):');
      for (const line of wholeRunTargetLines(wholeRuns)) console.log(`  ${line}`);
    }

    if (args.jsonOut) {
      writeFileSync(
        args.jsonOut,
        `${JSON.stringify({ args, machine, server: services.server, results: summaries.map(({ ok: _ok, ...summary }) => summary), wholeRuns }, null, 2)}\n`,
      );
      log(`measurements written to ${args.jsonOut}`);
    }
    if (args.keepFiles) log(`CSVs kept in ${csvDir} for the next run`);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

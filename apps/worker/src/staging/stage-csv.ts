import { pipeline as pipelineCallback, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import type { ObjectStore } from '@relayboard/storage';
import { ByteCounter, DropPrefix, peek, Utf8Transcoder } from './byte-streams';
import { quoteIdent, ROW_NUMBER_COLUMN, sqlString, type StagedColumn } from '@relayboard/db';
import { ProgressReporter, type StageProgress } from './stage-progress';
import {
  cleanUp,
  copyRejects,
  createLoadTable,
  createRejectsTable,
  createStagingSchema,
  dropOrphans,
  publish,
  qualified,
  STAGING_SCHEMA,
} from './stage-sql';
import { normalizeColumns } from './columns';
import { tokenize } from './csv-text';
import {
  decodeHead,
  detectEncoding,
  modalFieldCount,
  NotCsvError,
  sniffDialect,
  type CsvDialect,
  type CsvEncoding,
  type EncodingGuess,
} from './dialect';
import { CopyChunker, NeedsNormalizingError } from './copy-chunker';
import { HeaderError, HeaderSplitter, type HeaderRecord } from './header-splitter';
import { NotUtf8Error, RecordScanner } from './record-scanner';
import { judgeRejects, RejectsSpool } from './rejects';
import { CopyConnectionError, ParallelCopy } from './parallel-copy';
import type { RecreatedViews } from './dependent-views';
import type { ColumnDecision } from '@relayboard/contracts';
import type { ColumnType } from './type-rules';

/** Bytes of the file read for detection before loading. */
const HEAD_BYTES = 256 * 1024;
/** Records of the head looked at for a file without a header, to count its columns. */
const HEAD_RECORDS = 200;
/** PostgreSQL allows 1600 columns per table; one is _rb_row. */
export const MAX_DATA_COLUMNS = 1599;
/** Longest record the normalizing path holds in memory; longer ones are rejected. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
export const DEFAULT_REJECT_MAX_SHARE = 0.01;
/** COPY streams (connections) one load uses at most. */
export const DEFAULT_COPY_STREAMS = 2;

export type { StagePhase, StageProgress } from './stage-progress';

/** A problem with the file itself: retrying cannot fix it. */
export class CsvRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvRejectedError';
  }
}

export interface StageCsvOptions {
  store: ObjectStore;
  warehouse: Pool;
  dataset: string;
  objectKey: string;
  sizeBytes: number;
  /** Makes the load table's name unique to this load; the rejects table carries it as its comment (the run that made it). */
  loadId: string;
  onProgress?: (progress: StageProgress) => void;
  /** Things a person should know about the load (a fallback, an encoding change, rejects). */
  onNotice?: (message: string) => void;
  /** Largest share of rejected rows a load may have and still be published. */
  rejectMaxShare?: number;
  /** COPY streams, each on its own connection from `warehouse`, that load the file together. */
  copyStreams?: number;
  /** Aborting it stops the load: its COPYs are failed (CopyFail), its tables dropped, nothing is published. */
  signal?: AbortSignal;
}

export type LoadPath = 'fast' | 'normalized';

export interface StageCsvResult {
  table: string;
  columns: StagedColumn[];
  rows: number;
  bytes: number;
  dialect: CsvDialect;
  path: LoadPath;
  rejects: number;
  rejectedRows: number;
  rejectsTable: string;
  blankLines: number;
  nulBytesRemoved: number;
  /** Views over the staging table (dbt's stg_ view, people's views on it) kept through the swap, and those left for dbt to rebuild. */
  views: RecreatedViews;
}

interface Plan {
  path: LoadPath;
  encoding: CsvEncoding;
  /** UTF-8 assumed from an ASCII head: a non-UTF-8 byte switches to Windows-1252. */
  assumedUtf8: boolean;
}

interface Source {
  stream: Readable;
  counter: ByteCounter;
}

interface Detected {
  source: Source;
  guess: EncodingGuess;
  dialect: CsvDialect;
  plan: Plan;
  /** Columns of a file without a header, from its head. */
  width: number;
}

interface PassOutcome {
  rows: number;
  /** Column types inferred from every value that went to COPY. */
  types: ColumnType[];
  /** What inference decided per column beyond its type (issue #15). */
  decisions: ColumnDecision[];
  /** Per column, whether every value had no space at its start or end (TypeTally.unpadded). */
  unpadded: boolean[];
  rejects: number;
  rejectedRows: number;
  blankLines: number;
  nulBytesRemoved: number;
}

/** What one load works with; built once per stageCsv call. */
interface Load {
  options: StageCsvOptions;
  client: PoolClient;
  table: string;
  rejectsTable: string;
  /** Temporary sequence numbering the fast path's rows (see ParallelCopy). */
  rowSequence: string;
  spool: RejectsSpool;
  progress: ProgressReporter;
}

function pgCode(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

/** Class 22 is "data exception" (22P04 bad COPY format, 22021 bad encoding): the bytes, not the system. */
function isDataError(error: unknown): boolean {
  return pgCode(error)?.startsWith('22') ?? false;
}

function describeLoadError(error: unknown, dataset: string): Error {
  if (error instanceof CsvRejectedError) return error;
  if (pgCode(error) === '54000') {
    return new CsvRejectedError(
      `a row of the CSV for "${dataset}" is too large for one PostgreSQL row (${(error as Error).message}): drop columns from the file or split it`,
    );
  }
  if (!isDataError(error)) return error instanceof Error ? error : new Error(String(error));
  const pgError = error as { message?: string; where?: string };
  return new CsvRejectedError(
    `the CSV for "${dataset}" could not be loaded (${pgError.where ?? 'COPY'}): ${pgError.message}`,
  );
}

/** The stored object (decompressed when it was fetched), counted as it is read, its head read ahead. */
async function openSource(
  store: ObjectStore,
  objectKey: string,
): Promise<Source & { head: Buffer; complete: boolean }> {
  const counter = new ByteCounter();
  const counted = pipelineCallback(await store.getStream(objectKey), counter, () => undefined);
  return { ...(await peek(counted, HEAD_BYTES)), counter };
}

/** Whether the head shows something COPY cannot take raw, so the fast path would only fail. */
function headNeedsNormalizing(text: string, dialect: CsvDialect, complete: boolean): boolean {
  if (text.includes('\0') || dialect.lineEnding === 'mixed') return true;
  const { records } = tokenize(text, dialect.delimiter, dialect.quote, { maxRecords: 1000, final: complete });
  const expected = records[0]?.fields.length ?? 0;
  return records.some(
    (r, i) =>
      r.problem !== null ||
      r.strayQuote ||
      (r.blank && i < records.length - 1) ||
      (!r.blank && r.fields.length !== expected),
  );
}

/** Encoding, dialect and first plan from the head of the file. */
async function detect(options: StageCsvOptions): Promise<Detected> {
  const source = await openSource(options.store, options.objectKey);
  try {
    const guess = detectEncoding(source.head, source.complete);
    const text = decodeHead(source.head, guess, source.complete);
    const dialect = sniffDialect(text, guess, source.complete);
    const plan: Plan = {
      path: headNeedsNormalizing(text, dialect, source.complete) ? 'normalized' : 'fast',
      encoding: guess.encoding,
      assumedUtf8: guess.assumed,
    };
    const width = dialect.header
      ? 0
      : modalFieldCount(
          tokenize(text, dialect.delimiter, dialect.quote, { maxRecords: HEAD_RECORDS, final: source.complete })
            .records,
        ).modal;
    return { source, guess, dialect, plan, width };
  } catch (error) {
    source.stream.destroy();
    if (error instanceof NotCsvError)
      throw new CsvRejectedError(`the file for "${options.dataset}" cannot be staged: ${error.message}`);
    throw error;
  }
}

/** The CSV body as UTF-8 bytes: byte order mark dropped, transcoded, header record taken off. */
async function openBody(
  source: Source,
  detected: Detected,
  plan: Plan,
  dataset: string,
): Promise<{ body: Readable; header: HeaderRecord | null }> {
  const { dialect, guess } = detected;
  const stages: Transform[] = [];
  if (guess.bomBytes > 0) stages.push(new DropPrefix(guess.bomBytes));
  if (plan.encoding !== 'utf-8') stages.push(new Utf8Transcoder(plan.encoding));
  const splitter = dialect.header ? new HeaderSplitter(dialect.delimiter, dialect.quote) : null;
  if (splitter) stages.push(splitter);
  const body =
    stages.length === 0
      ? source.stream
      : (pipelineCallback(source.stream, ...(stages as [Transform]), () => undefined) as unknown as Readable);
  if (!splitter) return { body, header: null };
  const header = await splitter.header.catch((error: Error) => {
    if (error instanceof HeaderError)
      throw new CsvRejectedError(`the CSV for "${dataset}" has no usable header: ${error.message}`);
    throw error;
  });
  return { body, header };
}

function columnsFor(header: HeaderRecord | null, width: number, dataset: string): StagedColumn[] {
  const columns = header
    ? normalizeColumns(header.fields.map((f) => f ?? ''))
    : normalizeColumns(Array.from({ length: width }, (_, i) => `column_${i + 1}`));
  if (columns.length > MAX_DATA_COLUMNS) {
    throw new CsvRejectedError(
      `the CSV for "${dataset}" has ${columns.length} columns; a PostgreSQL table holds at most ${MAX_DATA_COLUMNS} besides ${ROW_NUMBER_COLUMN}: split the file into narrower ones or drop columns`,
    );
  }
  return columns;
}

/**
 * One read of the file into the (empty) load table, on the plan's path: the
 * body (rewritten on the normalizing path) is cut into units of whole records,
 * typed on the way, and loaded by up to `copyStreams` COPY commands at once.
 */
async function runPass(
  load: Load,
  detected: Detected,
  plan: Plan,
  body: Readable,
  columns: StagedColumn[],
  firstLine: number,
  pass: number,
  counter: ByteCounter,
): Promise<PassOutcome> {
  const { client, table, options } = load;
  const { dialect } = detected;
  const fast = plan.path === 'fast';
  const columnList = columns.map((c) => quoteIdent(c.name)).join(', ');
  const format = `format csv, delimiter ${sqlString(dialect.delimiter)}, quote ${sqlString(dialect.quote)}`;
  const copy = new ParallelCopy({
    warehouse: options.warehouse,
    client,
    streams: options.copyStreams ?? DEFAULT_COPY_STREAMS,
    // The fast path's rows are numbered by the table's default; the normalizing path writes each record's number.
    copySql: `copy ${table} (${fast ? '' : `${quoteIdent(ROW_NUMBER_COLUMN)}, `}${columnList}) from stdin with (${format})`,
    rowSequence: fast ? load.rowSequence : null,
  });
  // Each path reads the bytes once, into units of whole records typed on the way: the fast path's
  // chunker takes them as they are (and guards what COPY would read otherwise); the normalizing
  // path's record scanner re-writes them.
  const chunker = fast
    ? new CopyChunker({ delimiter: dialect.delimiter, quote: dialect.quote, columns: columns.length, guard: true })
    : null;
  const scanner = fast
    ? null
    : new RecordScanner({
        delimiter: dialect.delimiter,
        quote: dialect.quote,
        columns: columns.length,
        firstLine,
        invalidUtf8: plan.encoding !== 'utf-8' ? 'off' : plan.assumedUtf8 ? 'throw' : 'reject',
        maxRecordBytes: MAX_RECORD_BYTES,
        onReject: (reject) => load.spool.add(reject),
      });
  const cutter = chunker ?? scanner!;
  load.progress.startPass(pass, counter, async () => chunker?.records ?? scanner!.rowsOut);
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    await pipeline(body, cutter, copy, signal);
  } finally {
    await copy.release();
  }
  const { tally } = cutter;
  return {
    rows: copy.rows,
    types: tally.types(),
    decisions: tally.decisions(),
    unpadded: tally.unpadded(),
    rejects: scanner?.rejects ?? 0,
    rejectedRows: scanner?.rejectedRows ?? 0,
    blankLines: scanner?.blankLines ?? 0,
    nulBytesRemoved: scanner?.nulBytesRemoved ?? 0,
  };
}

/** Where a failed pass goes next, or null when the failure is final. */
function nextPlan(plan: Plan, error: unknown): { plan: Plan; notice: string } | null {
  if (error instanceof NotUtf8Error) {
    return {
      plan: { ...plan, encoding: 'windows-1252', assumedUtf8: false },
      notice: `${error.message} although the start of the file is: reading the whole file as Windows-1252 instead`,
    };
  }
  if (plan.path !== 'fast') return null;
  if (pgCode(error) === '22021' && plan.encoding === 'utf-8' && plan.assumedUtf8) {
    return {
      plan: { ...plan, encoding: 'windows-1252', assumedUtf8: false },
      notice: `the file is not UTF-8 past its start (${(error as Error).message}): loading it again as Windows-1252`,
    };
  }
  if (error instanceof NeedsNormalizingError || isDataError(error)) {
    return {
      plan: { ...plan, path: 'normalized' },
      notice: `COPY cannot take this file as it is (${(error as Error).message}): loading it again through the normalizing path`,
    };
  }
  return null;
}

/**
 * Loads the file into the load table, starting over from the first byte when a
 * pass shows the plan was wrong (at most three passes: fast, fast as
 * Windows-1252, normalizing).
 */
async function loadWithFallback(
  load: Load,
  detected: Detected,
): Promise<{ columns: StagedColumn[]; outcome: PassOutcome; plan: Plan; bytes: number }> {
  const { options, client, table } = load;
  let plan = detected.plan;
  let source: Source = detected.source;
  let columns: StagedColumn[] | null = null;
  for (let pass = 1; ; pass++) {
    const { body, header } = await openBody(source, detected, plan, options.dataset);
    try {
      if (columns === null) {
        columns = columnsFor(header, detected.width, options.dataset);
        await createLoadTable(client, table, load.rowSequence, columns);
      } else {
        await client.query(`truncate ${table}`);
      }
      const outcome = await runPass(
        load,
        detected,
        plan,
        body,
        columns,
        (header?.lines ?? 0) + 1,
        pass,
        source.counter,
      );
      return { columns, outcome, plan, bytes: source.counter.bytes };
    } catch (error) {
      body.destroy();
      // A canceled load does not start over on another path.
      options.signal?.throwIfAborted();
      const next = nextPlan(plan, error);
      if (!next) throw describeLoadError(error, options.dataset);
      options.onNotice?.(next.notice);
      plan = next.plan;
      await load.spool.reset();
      source = await openSource(options.store, options.objectKey);
    }
  }
}

/**
 * Streams a stored CSV into a new all-TEXT table with COPY and publishes it as
 * staging.<dataset> (with its rejects as staging.<dataset>__rejects) in one
 * transaction, so readers see the old tables or the new ones, never a partial
 * load, and a failed load leaves the old ones as they were.
 *
 * The encoding and dialect come from the head of the file. A clean file goes to
 * COPY as it is (the fast path; UTF-16 and Windows-1252 are transcoded in the
 * stream); when COPY or the guard finds something it cannot take raw, the load
 * starts over on the normalizing path, which rewrites or rejects the records
 * that need it. On both paths the bytes are cut into units of whole records
 * that up to `copyStreams` connections COPY at once, and the column types are
 * inferred from every value on the way.
 */
export async function stageCsv(options: StageCsvOptions): Promise<StageCsvResult> {
  const { dataset } = options;
  const id = options.loadId.replace(/-/g, '').slice(0, 7);
  const table = qualified(`${dataset}__load_${id}`);
  const rejectsTable = qualified(`${dataset}__load_${id}r`);
  const client = await options.warehouse.connect();
  // A terminated backend makes the client emit 'error'; the pool listens only while it is idle.
  const connection: { error: Error | null } = { error: null };
  const onClientError = (error: Error) => {
    connection.error = error;
  };
  client.on('error', onClientError);
  const spool = new RejectsSpool();
  const progress = new ProgressReporter(options.sizeBytes, options.onProgress);
  // A cancel also stops what the load's connection is doing in PostgreSQL (a statement waiting for a lock, say); its COPY streams get CopyFail.
  let canceling: Promise<unknown> | null = null;
  const onAbort = () => {
    canceling = options.warehouse
      .query('select pg_cancel_backend($1)', [(client as unknown as { processID: number }).processID])
      .catch(() => undefined);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const load: Load = { options, client, table, rejectsTable, rowSequence: `rb_rows_${id}`, spool, progress };
    await createStagingSchema(client);
    await dropOrphans(client, dataset);

    options.signal?.throwIfAborted();
    const detected = await detect(options);
    const { columns, outcome, plan, bytes } = await loadWithFallback(load, detected);

    const verdict = judgeRejects({
      dataset,
      loadedRows: outcome.rows,
      rejectedRows: outcome.rejectedRows,
      rejects: outcome.rejects,
      examples: spool.examples,
      maxShare: options.rejectMaxShare ?? DEFAULT_REJECT_MAX_SHARE,
    });
    if (!verdict.ok) throw new CsvRejectedError(verdict.message);
    if (outcome.rejects > 0) options.onNotice?.(verdict.message);
    await createRejectsTable(client, rejectsTable, options.loadId);
    const spooled = await spool.close();
    if (spooled) await copyRejects(client, rejectsTable, spooled, options.signal);

    // The last point a cancel stops the load at: past it, the swap is one short transaction.
    options.signal?.throwIfAborted();
    await progress.phase('publishing', outcome.rows);
    const views = await publish(client, dataset, table, rejectsTable);
    return {
      table: `${STAGING_SCHEMA}.${dataset}`,
      columns: columns.map((c, i) => ({
        ...c,
        type: outcome.types[i],
        ...(outcome.types[i] !== 'text'
          ? { verifiedType: outcome.types[i], ...(outcome.unpadded[i] ? { verifiedTrimmed: true } : {}) }
          : {}),
        decision: outcome.decisions[i],
      })),
      rows: outcome.rows,
      bytes,
      dialect: { ...detected.dialect, encoding: plan.encoding },
      path: plan.path,
      rejects: outcome.rejects,
      rejectedRows: outcome.rejectedRows,
      rejectsTable: `${STAGING_SCHEMA}.${dataset}__rejects`,
      blankLines: outcome.blankLines,
      nulBytesRemoved: outcome.nulBytesRemoved,
      views,
    };
  } catch (error) {
    const cleaned = await cleanUp(options.warehouse, client, connection.error, [table, rejectsTable]);
    if (cleaned && !(error instanceof CopyConnectionError)) throw error;
    // The load's own connection goes back to the pool only when it is known to work.
    if (!cleaned) connection.error ??= error as Error;
    // The backend went away (terminated, restarted, network): transient, and nothing was published.
    throw new Error(
      `the warehouse connection was cut while staging "${dataset}" (${(error as Error).message}); staging.${dataset} is unchanged`,
      { cause: error },
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // The cancel must reach the backend before the connection goes back to the pool, where it would stop someone else's statement.
    if (canceling) await canceling;
    progress.stop();
    spool.dispose();
    client.off('error', onClientError);
    client.release(connection.error ?? undefined);
  }
}

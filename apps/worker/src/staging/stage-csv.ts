import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { StagedColumn } from '@relayboard/db';
import type { ObjectStore } from '@relayboard/storage';
import { normalizeColumns, quoteIdent, ROW_NUMBER_COLUMN } from './columns';
import { HeaderSplitter } from './header-splitter';

export const STAGING_SCHEMA = 'staging';
const PROGRESS_INTERVAL_MS = 1_000;

/** A problem with the file itself: retrying cannot fix it. */
export class CsvRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvRejectedError';
  }
}

export interface StageProgress {
  bytesDone: number;
  bytesTotal: number;
}

export interface StageCsvOptions {
  store: ObjectStore;
  warehouse: Pool;
  dataset: string;
  objectKey: string;
  sizeBytes: number;
  /** Makes the load table's name unique to this load. */
  loadId: string;
  onProgress?: (progress: StageProgress) => void;
}

export interface StageCsvResult {
  table: string;
  columns: StagedColumn[];
  rows: number;
  bytes: number;
}

/** Counts bytes for progress without touching them. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

function describeCopyError(error: unknown, dataset: string): Error {
  const pgError = error as { code?: string; message?: string; where?: string };
  // Class 22 is "data exception" and 22P04 "bad copy file format": the file, not the system, is at fault.
  if (!pgError.code?.startsWith('22')) return error instanceof Error ? error : new Error(String(error));
  // COPY counts lines of its input, which starts after the header line.
  const at = /line (\d+)(?:, column [^:]*)?(?:: "([\s\S]*)")?/.exec(pgError.where ?? '');
  const where = at ? ` at line ${Number(at[1]) + 1} of the file${at[2] !== undefined ? ` (${JSON.stringify(at[2].slice(0, 200))})` : ''}` : '';
  return new CsvRejectedError(`the CSV for "${dataset}" could not be loaded${where}: ${pgError.message}; fix that row in the source file and register it again`);
}

/** Load tables left by a worker that died mid-load (runs of one dataset never overlap). */
async function dropOrphans(client: PoolClient, dataset: string): Promise<void> {
  const { rows } = await client.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = $1 and tablename like $2`,
    [STAGING_SCHEMA, `${dataset.replace(/_/g, '\\_')}\\_\\_load\\_%`],
  );
  for (const { tablename } of rows) await client.query(`drop table if exists ${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(tablename)}`);
}

/**
 * Streams a stored CSV into a new all-TEXT table with COPY and publishes it as
 * staging.<dataset> in one transaction, so readers see the old table or the new
 * one, never a partial load, and a failed load leaves the old one as it was.
 */
export async function stageCsv(options: StageCsvOptions): Promise<StageCsvResult> {
  const { dataset } = options;
  const loadTable = `${dataset}__load_${options.loadId.replace(/-/g, '').slice(0, 8)}`;
  const target = `${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(dataset)}`;
  const load = `${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(loadTable)}`;
  const client = await options.warehouse.connect();
  try {
    await client.query(`create schema if not exists ${quoteIdent(STAGING_SCHEMA)}`);
    await dropOrphans(client, dataset);

    const source = await options.store.getStream(options.objectKey);
    const counter = new ByteCounter();
    const splitter = new HeaderSplitter();
    const reading = pipeline(source, counter, splitter).catch((error: Error) => {
      splitter.destroy(error);
    });
    const headers = await splitter.header.catch((error: Error) => {
      throw new CsvRejectedError(`the CSV for "${dataset}" has no usable header: ${error.message}`);
    });
    if (headers.length === 0) throw new CsvRejectedError(`the CSV for "${dataset}" has an empty header line`);
    const columns = normalizeColumns(headers);
    const columnList = columns.map((c) => quoteIdent(c.name)).join(', ');

    // UNLOGGED: staging can always be rebuilt from the object store, and skipping the WAL doubles COPY speed.
    await client.query(
      `create unlogged table ${load} (${quoteIdent(ROW_NUMBER_COLUMN)} bigint generated always as identity, ${columns
        .map((c) => `${quoteIdent(c.name)} text`)
        .join(', ')})`,
    );

    let lastReport = 0;
    const timer = setInterval(() => {
      if (counter.bytes === lastReport) return;
      lastReport = counter.bytes;
      options.onProgress?.({ bytesDone: counter.bytes, bytesTotal: options.sizeBytes });
    }, PROGRESS_INTERVAL_MS);
    let rows: number;
    try {
      const copy = client.query(copyFrom(`copy ${load} (${columnList}) from stdin with (format csv)`));
      await pipeline(splitter, copy);
      await reading;
      rows = Number(copy.rowCount);
    } catch (error) {
      throw describeCopyError(error, dataset);
    } finally {
      clearInterval(timer);
    }

    await client.query('begin');
    // CASCADE drops the dbt staging view over the old table; the transform step rebuilds it.
    await client.query(`drop table if exists ${target} cascade`);
    await client.query(`alter table ${load} rename to ${quoteIdent(dataset)}`);
    await client.query('commit');
    return { table: `${STAGING_SCHEMA}.${dataset}`, columns, rows, bytes: counter.bytes };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    await client.query(`drop table if exists ${load}`).catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

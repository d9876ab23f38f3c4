import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ObjectStore } from '@relayboard/storage';
import { normalizeColumns, quoteIdent, ROW_NUMBER_COLUMN } from '../csv/columns';
import { HeaderSplitter } from '../csv/header-splitter';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

export const STAGING_SCHEMA = 'staging';
const PROGRESS_INTERVAL_MS = 1_000;

/** Counts bytes for progress events without touching them. */
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
  return new PermanentStepError(`the CSV for "${dataset}" could not be loaded${where}: ${pgError.message}; fix that row in the source file and register it again`);
}

/**
 * Streams the stored CSV into a new all-TEXT table with COPY and publishes it as
 * staging.<dataset> in one transaction, so readers see the old table or the new
 * one, never a partial load, and a failed load leaves the old one as it was.
 */
export class StageStep implements PipelineStep {
  readonly name = 'stage' as const;

  constructor(
    private readonly store: ObjectStore,
    private readonly warehouse: Pool,
  ) {}

  async run(ctx: StepContext) {
    const dataset = ctx.dataset.name;
    const loadTable = `${dataset}__load_${ctx.run.id.replace(/-/g, '').slice(0, 8)}`;
    const target = `${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(dataset)}`;
    const load = `${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(loadTable)}`;
    const totalBytes = Number(ctx.version.size_bytes);
    const client = await this.warehouse.connect();
    try {
      await client.query(`create schema if not exists ${quoteIdent(STAGING_SCHEMA)}`);
      await this.dropOrphans(client, dataset);

      const source = await this.store.getStream(ctx.version.object_key);
      const counter = new ByteCounter();
      const splitter = new HeaderSplitter();
      const reading = pipeline(source, counter, splitter).catch((error: Error) => {
        splitter.destroy(error);
      });
      const headers = await splitter.header.catch((error: Error) => {
        throw new PermanentStepError(`the CSV for "${dataset}" has no usable header: ${error.message}`);
      });
      if (headers.length === 0) throw new PermanentStepError(`the CSV for "${dataset}" has an empty header line`);
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
        void ctx.progress(`staged ${counter.bytes} of ${totalBytes} bytes`, { bytesDone: counter.bytes, bytesTotal: totalBytes });
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

      await ctx.repo.recordStaging(ctx.version.id, columns, rows);
      return { bytes: counter.bytes, rows, columns: columns.length, table: `${STAGING_SCHEMA}.${dataset}` };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      await client.query(`drop table if exists ${load}`).catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Load tables left by a worker that died mid-load (runs of one dataset never overlap). */
  private async dropOrphans(client: PoolClient, dataset: string): Promise<void> {
    const { rows } = await client.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = $1 and tablename like $2`,
      [STAGING_SCHEMA, `${dataset.replace(/_/g, '\\_')}\\_\\_load\\_%`],
    );
    for (const { tablename } of rows) await client.query(`drop table if exists ${quoteIdent(STAGING_SCHEMA)}.${quoteIdent(tablename)}`);
  }
}

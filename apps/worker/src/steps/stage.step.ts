import type { Pool } from 'pg';
import type { AppConfig } from '@relayboard/config';
import type { DatasetStore } from '@relayboard/db';
import type { ObjectStore } from '@relayboard/storage';
import { applyColumnOverrides, describeAppliedOverrides } from '../staging/column-overrides';
import type { ColumnOverridesRepository } from '../staging/column-overrides.repository';
import { describeChanges, diffSchemas, hasChanges } from '../staging/schema-changes';
import { describeTyping, isNotable } from '../staging/type-summary';
import {
  CsvRejectedError,
  DEFAULT_COPY_STREAMS,
  DEFAULT_REJECT_MAX_SHARE,
  stageCsv,
  type StageProgress,
} from '../staging/stage-csv';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

function progressMessage(p: StageProgress): string {
  const pass = p.pass > 1 ? ` (pass ${p.pass})` : '';
  if (p.phase !== 'loading') return `${p.phase}: ${p.rowsDone} rows loaded`;
  return `staged ${p.bytesDone} of ${p.bytesTotal} bytes, ${p.rowsDone} rows${pass}`;
}

/**
 * Loads the run's dataset version into staging.<dataset>, and records its
 * dialect, typed columns, rejects and schema changes with the version.
 */
export class StageStep implements PipelineStep {
  readonly name = 'stage' as const;

  constructor(
    private readonly store: ObjectStore,
    private readonly warehouse: Pool,
    private readonly datasets: Pick<DatasetStore, 'previousStagedVersion' | 'recordStaging'>,
    private readonly overrides: ColumnOverridesRepository,
    private readonly settings: AppConfig['staging'] = {
      rejectMaxShare: DEFAULT_REJECT_MAX_SHARE,
      copyStreams: DEFAULT_COPY_STREAMS,
    },
  ) {}

  async run(ctx: StepContext) {
    const pending: Promise<void>[] = [];
    // Progress and notices are recorded as the load goes; a failed write must not take the load down.
    const record = (write: Promise<void>) => pending.push(write.catch(() => undefined));
    try {
      const result = await stageCsv({
        store: this.store,
        warehouse: this.warehouse,
        dataset: ctx.dataset.name,
        objectKey: ctx.version.object_key,
        sizeBytes: Number(ctx.version.size_bytes),
        loadId: ctx.run.id,
        rejectMaxShare: this.settings.rejectMaxShare,
        copyStreams: this.settings.copyStreams,
        signal: ctx.signal,
        onProgress: (p) => record(ctx.progress(progressMessage(p), { ...p })),
        onNotice: (message) => record(ctx.event('warn', message)),
      });
      await Promise.all(pending);

      // Overrides are read after the load, so a PUT made while the file loaded still applies to this run.
      const applied = applyColumnOverrides(result.columns, await this.overrides.forDataset(ctx.dataset.id));
      const columns = applied.columns;
      const previous = await this.datasets.previousStagedVersion(ctx.dataset.id, ctx.version.id);
      const changes = previous ? diffSchemas(previous.id, previous.columns, columns) : null;
      await this.datasets.recordStaging(ctx.version.id, columns, result.rows, {
        dialect: result.dialect,
        schemaChanges: changes,
        rejectedRows: result.rejects,
      });
      const { dialect } = result;
      await ctx.event(
        'info',
        `read as ${dialect.encoding}${dialect.bom ? ' with a byte order mark' : ''}, ${DELIMITER_NAMES[dialect.delimiter]}-separated, ` +
          `${dialect.header ? 'with a header' : 'without a header (columns column_1..N)'}, ${dialect.lineEnding} line breaks; ` +
          `loaded by the ${result.path} path`,
        { dialect, path: result.path },
      );
      const typing = describeTyping(columns);
      if (typing)
        await ctx.event('info', typing, {
          decisions: Object.fromEntries(
            columns.filter(isNotable).map((c) => [c.name, { type: c.type, ...c.decision }]),
          ),
        });
      if (applied.changes.length || applied.unknownColumns.length || applied.invalid.length)
        await ctx.event(
          applied.unknownColumns.length || applied.invalid.length ? 'warn' : 'info',
          describeAppliedOverrides(applied, ctx.dataset.name),
          {
            columnOverrides: applied.changes,
            ...(applied.unknownColumns.length && { overridesUnused: applied.unknownColumns }),
            ...(applied.invalid.length && { overridesInvalid: applied.invalid }),
          },
        );
      if (changes)
        await ctx.event(hasChanges(changes) ? 'warn' : 'info', describeChanges(changes), {
          schemaChanges: changes,
        });
      const { kept, leftForDbt } = result.views;
      if (kept.length) {
        await ctx.event('info', `kept the view(s) over ${result.table} through the swap: ${kept.join(', ')}`, {
          viewsKept: kept,
        });
      }
      if (leftForDbt.length) {
        await ctx.event(
          'warn',
          `view(s) over ${result.table} no longer fit its new columns and were dropped until the transform rebuilds them: ${leftForDbt
            .map((v) => `${v.view} (${v.reason})`)
            .join('; ')}; a view that is not a dbt model must be created again by hand`,
          { viewsLeftForDbt: leftForDbt.map((v) => v.view) },
        );
      }
      return {
        bytes: result.bytes,
        rows: result.rows,
        columns: columns.length,
        table: result.table,
        rejects: result.rejects,
        path: result.path,
        encoding: dialect.encoding,
        delimiter: DELIMITER_NAMES[dialect.delimiter],
        ...(result.blankLines > 0 && { blankLines: result.blankLines }),
        ...(result.nulBytesRemoved > 0 && { nulBytesRemoved: result.nulBytesRemoved }),
      };
    } catch (error) {
      await Promise.all(pending);
      if (error instanceof CsvRejectedError) throw new PermanentStepError(error.message);
      throw error;
    }
  }
}

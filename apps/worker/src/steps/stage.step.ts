import type { Pool } from 'pg';
import type { ObjectStore } from '@relayboard/storage';
import { CsvRejectedError, stageCsv } from '../staging/stage-csv';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

/** Loads the run's dataset version into staging.<dataset> and records its columns. */
export class StageStep implements PipelineStep {
  readonly name = 'stage' as const;

  constructor(
    private readonly store: ObjectStore,
    private readonly warehouse: Pool,
  ) {}

  async run(ctx: StepContext) {
    try {
      const result = await stageCsv({
        store: this.store,
        warehouse: this.warehouse,
        dataset: ctx.dataset.name,
        objectKey: ctx.version.object_key,
        sizeBytes: Number(ctx.version.size_bytes),
        loadId: ctx.run.id,
        onProgress: (p) => void ctx.progress(`staged ${p.bytesDone} of ${p.bytesTotal} bytes`, { ...p }),
      });
      await ctx.repo.recordStaging(ctx.version.id, result.columns, result.rows);
      return { bytes: result.bytes, rows: result.rows, columns: result.columns.length, table: result.table };
    } catch (error) {
      if (error instanceof CsvRejectedError) throw new PermanentStepError(error.message);
      throw error;
    }
  }
}

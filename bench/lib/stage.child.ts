import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { requireBuilt } from './workspace';
import type { StageJob, StageReport } from './stage.contender';

type Config = typeof import('../../packages/config/dist/index');
type Storage = typeof import('../../packages/storage/dist/index');
type StageCsvModule = typeof import('../../apps/worker/dist/staging/stage-csv');

/**
 * Runs one stage step in a process of its own, set up the way the worker sets
 * itself up, so the peak RSS it reports is the staging process's alone.
 */
async function stageOnce(job: StageJob): Promise<StageReport> {
  const { loadConfig } = requireBuilt<Config>('packages/config/dist/index.js');
  const { ObjectStore } = requireBuilt<Storage>('packages/storage/dist/index.js');
  const { stageCsv } = requireBuilt<StageCsvModule>('apps/worker/dist/staging/stage-csv.js');
  const config = loadConfig();
  const warehouse = new Pool({
    connectionString: config.warehouseUrl,
    max: config.worker.concurrency * config.staging.copyStreams + 2,
    application_name: 'relayboard-bench-stage',
  });
  const store = new ObjectStore(config.s3);
  // A running worker already holds a connection; opening the first one is not part of the step.
  (await warehouse.connect()).release();
  const baselineRssBytes = process.memoryUsage().rss;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const cpuSeconds = () => {
    const used = process.cpuUsage(cpuBefore);
    return (used.user + used.system) / 1e6;
  };
  try {
    const result = await stageCsv({
      store,
      warehouse,
      dataset: job.dataset,
      objectKey: job.objectKey,
      sizeBytes: job.sizeBytes,
      loadId: randomUUID(),
      rejectMaxShare: config.staging.rejectMaxShare,
      copyStreams: config.staging.copyStreams,
      onProgress: () => undefined,
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      ok: true,
      seconds,
      rows: result.rows,
      bytes: result.bytes,
      baselineRssBytes,
      peakRssBytes: peakRss(),
      cpuSeconds: cpuSeconds(),
    };
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    return {
      ok: false,
      seconds,
      error: error instanceof Error ? error.message : String(error),
      baselineRssBytes,
      peakRssBytes: peakRss(),
    };
  } finally {
    await warehouse.end();
  }
}

/** ru_maxrss, in kilobytes on Linux: the high-water mark of this process's resident memory. */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

process.once('message', (job: StageJob) => {
  void stageOnce(job)
    .catch((error: unknown): StageReport => ({
      ok: false,
      seconds: 0,
      error: `setting up the stage step failed: ${error instanceof Error ? error.message : String(error)}`,
      peakRssBytes: peakRss(),
    }))
    .then((report) => process.send?.(report, () => process.disconnect()));
});

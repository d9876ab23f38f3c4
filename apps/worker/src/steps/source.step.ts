import type { StepMetrics } from '@relayboard/contracts';
import type { DatasetStore, DatasetVersionRow, RunStore } from '@relayboard/db';
import { SourceError, type UrlFetcher } from '@relayboard/sources';
import type { ObjectStore } from '@relayboard/storage';
import { decideSkip } from './schedule-skip';
import { PermanentStepError, RunSkipped, type PipelineStep, type StepContext } from './step';

/**
 * Makes sure the run has its source file. On a refresh run it downloads the
 * dataset's URL again (the same guarded, capped fetcher the api uses) and
 * points the run at the new version; on any other run the file was stored
 * when it was registered or uploaded, so it only checks that the version's
 * object is in the store with the size recorded for it (the stage step reads
 * it from there). A scheduled run with nothing new (the same bytes as the
 * current version, or an uploaded dataset) ends here as skipped unless its
 * schedule says alwaysRun; it records no new version then. The step is still
 * named `fetch` in run_steps, the board, the REST API and the metrics.
 */
export class SourceStep implements PipelineStep {
  readonly name = 'fetch' as const;

  constructor(
    private readonly store: ObjectStore,
    private readonly urls: UrlFetcher,
    private readonly datasets: Pick<
      DatasetStore,
      'versionFetchedBy' | 'recordRefreshedVersion' | 'scheduleAlwaysRun' | 'currentVersion'
    >,
    private readonly runs: Pick<RunStore, 'pointRunAt'>,
  ) {}

  async run(ctx: StepContext): Promise<StepMetrics> {
    if (ctx.run.trigger === 'schedule' && !ctx.run.refresh) await this.skipIfNothingNew(ctx, null);
    const refreshed = ctx.run.refresh ? await this.refresh(ctx) : null;
    const { version } = ctx;
    const object = await this.store.stat(version.object_key);
    if (!object) {
      throw new PermanentStepError(
        `object ${version.object_key} is missing from bucket "${this.store.bucket}"; register the dataset again to store the CSV anew`,
      );
    }
    if (object.size !== Number(version.size_bytes)) {
      throw new PermanentStepError(
        `object ${version.object_key} has ${object.size} bytes where ${version.size_bytes} were stored; register the dataset again`,
      );
    }
    return {
      bytes: object.size,
      sha256: version.sha256,
      ...(refreshed ? { refreshed: refreshed.unchanged ? 'unchanged' : 'changed' } : {}),
    };
  }

  private async refresh(ctx: StepContext): Promise<DatasetVersionRow> {
    const { dataset, run } = ctx;
    const url = dataset.source_url;
    if (dataset.source_type !== 'url' || !url) {
      throw new PermanentStepError(
        `dataset "${dataset.name}" was uploaded, so there is no URL to fetch again; upload the new file and run it without refresh`,
      );
    }
    let version = await this.datasets.versionFetchedBy(run.id);
    if (!version) {
      await ctx.event('info', `fetching ${url} again`);
      let fetched;
      try {
        fetched = await this.urls.fetchToStore(url);
      } catch (error) {
        // A stall, a dropped connection or a 5xx is tried again; a refused address, a 4xx or an oversized file is not.
        if (error instanceof SourceError && !error.transient) throw new PermanentStepError(error.message);
        throw error;
      }
      if (run.trigger === 'schedule') await this.skipIfNothingNew(ctx, fetched);
      version = await this.datasets.recordRefreshedVersion(run.id, dataset.id, { ...fetched, sourceUrl: url });
      const what = version.unchanged ? 'the same content as the previous version' : 'new content';
      await ctx.event(
        'info',
        `fetched ${fetched.sizeBytes} bytes from ${fetched.finalUrl}: ${what} (sha256 ${version.sha256})`,
      );
    }
    // The steps after this one in this attempt share the context's version object; a later attempt loads the run's new version itself.
    Object.assign(ctx.version, version);
    return version;
  }

  /** Throws RunSkipped when the scheduled run has nothing new to load (decideSkip); the run then points at the current version. */
  private async skipIfNothingNew(
    ctx: StepContext,
    fetched: { sha256: string; sizeBytes: number } | null,
  ): Promise<void> {
    const { dataset, run } = ctx;
    const [alwaysRun, current] = await Promise.all([
      this.datasets.scheduleAlwaysRun(dataset.id),
      this.datasets.currentVersion(dataset.id),
    ]);
    const decision = decideSkip({
      trigger: run.trigger,
      sourceType: dataset.source_type,
      alwaysRun,
      fetchedSha256: fetched?.sha256 ?? null,
      current: current ? { id: current.id, sha256: current.sha256, fetchedAt: current.fetched_at } : null,
    });
    if (!decision.skip) return;
    if (current) await this.runs.pointRunAt(run.id, current.id);
    const metrics: StepMetrics = {
      bytes: fetched?.sizeBytes ?? Number(current?.size_bytes ?? 0),
      sha256: fetched?.sha256 ?? current?.sha256 ?? '',
      ...(fetched ? { refreshed: 'unchanged' } : {}),
      skipped: fetched ? 'unchanged' : 'uploaded',
    };
    throw new RunSkipped(decision.reason, metrics, decision.unchangedSince);
  }
}

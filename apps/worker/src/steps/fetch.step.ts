import type { StepMetrics } from '@relayboard/contracts';
import type { DatasetVersionRow } from '@relayboard/db';
import { SourceError, type UrlFetcher } from '@relayboard/sources';
import type { ObjectStore } from '@relayboard/storage';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

/**
 * On a refresh run, downloads the dataset's URL again (the same guarded, capped
 * fetcher the api uses) and points the run at the new version. Then checks
 * that the version's object is in the store with the size recorded for it.
 */
export class FetchStep implements PipelineStep {
  readonly name = 'fetch' as const;

  constructor(
    private readonly store: ObjectStore,
    private readonly urls: UrlFetcher,
  ) {}

  async run(ctx: StepContext): Promise<StepMetrics> {
    const refreshed = ctx.run.refresh ? await this.refresh(ctx) : null;
    const { version } = ctx;
    const object = await this.store.stat(version.object_key);
    if (!object) {
      throw new PermanentStepError(
        `object ${version.object_key} is missing from bucket "${this.store.bucket}"; register the dataset again to store the CSV anew`,
      );
    }
    if (object.size !== Number(version.size_bytes)) {
      throw new PermanentStepError(`object ${version.object_key} has ${object.size} bytes where ${version.size_bytes} were stored; register the dataset again`);
    }
    return { bytes: object.size, sha256: version.sha256, ...(refreshed ? { refreshed: refreshed.unchanged ? 'unchanged' : 'changed' } : {}) };
  }

  private async refresh(ctx: StepContext): Promise<DatasetVersionRow> {
    const { dataset, run } = ctx;
    const url = dataset.source_url;
    if (dataset.source_type !== 'url' || !url) {
      throw new PermanentStepError(`dataset "${dataset.name}" was uploaded, so there is no URL to fetch again; upload the new file and run it without refresh`);
    }
    let version = await ctx.repo.versionFetchedBy(run.id);
    if (!version) {
      await ctx.repo.event(run.id, 'fetch', 'info', `fetching ${url} again`);
      let fetched;
      try {
        fetched = await this.urls.fetchToStore(url);
      } catch (error) {
        // A stall, a dropped connection or a 5xx is tried again; a refused address, a 4xx or an oversized file is not.
        if (error instanceof SourceError && !error.transient) throw new PermanentStepError(error.message);
        throw error;
      }
      version = await ctx.repo.recordRefreshedVersion(run.id, dataset.id, { ...fetched, sourceUrl: url });
      const what = version.unchanged ? 'the same content as the previous version' : 'new content';
      await ctx.repo.event(run.id, 'fetch', 'info', `fetched ${fetched.sizeBytes} bytes from ${fetched.finalUrl}: ${what} (sha256 ${version.sha256})`);
    }
    // The steps after this one in this attempt share the context's version object; a later attempt loads the run's new version itself.
    Object.assign(ctx.version, version);
    return version;
  }
}

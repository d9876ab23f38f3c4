import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  type CreateCsvDatasetRequest,
  type Dataset,
  type DatasetList,
  type DatasetProfile,
  type DatasetVersionList,
  type ListDatasetsQuery,
  type ListDatasetVersionsQuery,
} from '@relayboard/contracts';
import type { DatasetLineageRow, DatasetLocks } from '@relayboard/db';
import type { PipelineQueue } from '@relayboard/queue';
import { ContentStore, UrlFetcher } from '@relayboard/sources';
import { decodeCursor, page } from '../common/cursor';
import { datasetNotFound, DomainError } from '../common/domain-error';
import { DATASET_LOCKS, PIPELINE_QUEUE } from '../core/tokens';
import { DatasetRelationsRepository } from './dataset-relations.repository';
import { toDatasetDto, toDatasetProfileDto, toDatasetVersionDto } from './datasets.dto';
import { DatasetsRepository, type DatasetWithVersion } from './datasets.repository';
import { asDomainError } from './source-errors';
import { UploadReader } from './upload.reader';

/** People's models (not Relayboard's generated ones) downstream of the dataset in its last build. */
function peoplesModelsDownstream(lineage: DatasetLineageRow['lineage'] | null, dataset: string): string[] {
  if (!lineage) return [];
  const nodes = lineage.nodes as {
    id: string;
    role: string;
    dataset: string | null;
    path: string | null;
    name: string;
  }[];
  const source = nodes.find((n) => n.role === 'source' && n.dataset === dataset);
  if (!source) return [];
  const reached = new Set([source.id]);
  for (let grew = true; grew;) {
    grew = false;
    for (const edge of lineage.edges) {
      if (reached.has(edge.from) && !reached.has(edge.to)) {
        reached.add(edge.to);
        grew = true;
      }
    }
  }
  return nodes
    .filter((n) => reached.has(n.id) && n.role === 'model' && n.dataset === null)
    .map((n) => n.path ?? n.name);
}

@Injectable()
export class DatasetsService {
  private readonly logger = new Logger('datasets');

  constructor(
    private readonly repository: DatasetsRepository,
    private readonly relations: DatasetRelationsRepository,
    private readonly urls: UrlFetcher,
    private readonly content: ContentStore,
    private readonly uploads: UploadReader,
    @Inject(DATASET_LOCKS) private readonly locks: DatasetLocks,
    @Inject(PIPELINE_QUEUE) private readonly queue: PipelineQueue,
  ) {}

  async registerFromUrl(request: CreateCsvDatasetRequest): Promise<Dataset> {
    if (await this.repository.findByName(request.name)) throw this.exists(request.name);
    const fetched = await this.urls.fetchToStore(request.csvUrl).catch((error: unknown) => {
      throw asDomainError(error);
    });
    const created = await this.repository.createWithVersion(request.name, {
      source: 'url',
      sourceUrl: request.csvUrl,
      sha256: fetched.sha256,
      sizeBytes: fetched.sizeBytes,
      objectKey: fetched.objectKey,
    });
    // Another request may have registered the same name while this one was fetching.
    if (!created) throw this.exists(request.name);
    return toDatasetDto(created);
  }

  /** Stores an uploaded CSV as a new version of the dataset, creating the dataset when the name is new. */
  async upload(name: string, req: IncomingMessage): Promise<{ created: boolean; dataset: Dataset }> {
    const received = await this.uploads.read(req);
    const stored = await this.content.publish(received).catch((error: unknown) => {
      throw asDomainError(error);
    });
    const result = await this.repository.createOrAddVersion(name, {
      source: 'upload',
      sourceUrl: null,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      objectKey: stored.objectKey,
    });
    return { created: result.created, dataset: toDatasetDto(result) };
  }

  async list(query: ListDatasetsQuery): Promise<DatasetList> {
    const after = query.cursor ? String(decodeCursor(query.cursor, ['string'])[0]) : null;
    const { items, nextCursor } = page(
      await this.repository.list(after, query.limit + 1, query.prefix),
      query.limit,
      (d) => [d.dataset.name],
    );
    return { datasets: items.map(toDatasetDto), nextCursor };
  }

  async get(name: string): Promise<Dataset> {
    return toDatasetDto(await this.find(name));
  }

  async setOwners(name: string, owners: string[]): Promise<Dataset> {
    const updated = await this.repository.setOwners(name, owners);
    if (!updated) throw this.notFound(name);
    return toDatasetDto(updated);
  }

  async versions(name: string, query: ListDatasetVersionsQuery): Promise<DatasetVersionList> {
    const { dataset } = await this.find(name);
    const after = query.cursor ? decodeCursor(query.cursor, ['string', 'string']) : null;
    const rows = await this.repository.versions(
      dataset.id,
      after ? { fetchedAt: String(after[0]), id: String(after[1]) } : null,
      query.limit + 1,
    );
    const { items, nextCursor } = page(rows, query.limit, (v) => [v.fetched_at.toISOString(), v.id]);
    return { versions: items.map(toDatasetVersionDto), nextCursor };
  }

  /** Null share, distinct values and cast failures per column, from the newest run that profiled the dataset. */
  async profile(name: string): Promise<DatasetProfile> {
    const { dataset } = await this.find(name);
    return toDatasetProfileDto(await this.repository.latestProfile(dataset.id));
  }

  /**
   * Deletes the dataset: its staging and warehouse relations, its rows in the
   * dbt data tables and all its metadata, then asks a worker to remove its
   * generated dbt files. Refused while a run of it is queued or running, and
   * (unless forced) while people's models ref it, since they would stop parsing.
   * The CSV objects stay in the object store: they are addressed by content and
   * may be shared with other datasets' versions.
   */
  async delete(name: string, force: boolean): Promise<void> {
    const { dataset } = await this.find(name);
    const dependents = peoplesModelsDownstream(await this.repository.lineage(dataset.id), name);
    if (dependents.length && !force) {
      throw new DomainError(
        ErrorCode.DatasetHasDependents,
        `your dbt models ref ${name}: ${dependents.join(', ')}; without the dataset they stop dbt from parsing the project, and every run fails. ` +
          `Remove them, or guard each with {{ config(enabled=relayboard_dataset_exists('${name}')) }}, then delete with ?force=true`,
        { models: dependents },
      );
    }
    const lock = await this.locks.tryAcquire(name);
    if (!lock) throw this.busy(name, 'a run of it is staging or building right now');
    let dropped: string[] = [];
    try {
      const result = await this.repository.deleteUnlessActive(dataset.id, async () => {
        const outcome = await this.relations.drop(name);
        if ('blockedBy' in outcome) {
          throw new DomainError(
            ErrorCode.DatasetHasDependents,
            `other relations in the warehouse depend on ${name}'s tables, so nothing was deleted: ${outcome.blockedBy}; drop or change them, then delete again`,
          );
        }
        dropped = outcome.dropped;
      });
      if (!result.deleted) {
        throw this.busy(
          name,
          `run(s) ${result.activeRuns.map((r) => `${r.id} (${r.status})`).join(', ')} of it are not finished`,
          { runs: result.activeRuns },
        );
      }
    } finally {
      await lock.release();
    }
    this.logger.log(
      `deleted dataset ${name} (${dataset.id}); dropped ${dropped.length ? dropped.join(', ') : 'no relations'}`,
    );
    // Its schedule row went with the dataset (cascade); a scheduler Redis keeps meanwhile is removed by the re-sync.
    await this.queue.removeSchedule(dataset.id).catch((error: Error) => {
      this.logger.warn(
        `could not remove the job scheduler of deleted dataset ${name} (${error.message}); the reconciler's re-sync removes it`,
      );
    });
    await this.queue.enqueueForgetDataset({ datasetId: dataset.id, name }).catch((error: Error) => {
      // Workers also remove folders of datasets that no longer exist before every build.
      this.logger.warn(
        `could not ask a worker to remove the dbt files of deleted dataset ${name} (${error.message}); the next build on each worker removes them`,
      );
    });
  }

  private busy(name: string, why: string, details?: unknown): DomainError {
    return new DomainError(
      ErrorCode.DatasetBusy,
      `dataset "${name}" cannot be deleted now: ${why}; wait for its runs to finish (GET /v1/runs?datasetName=${name}), then delete again`,
      details,
    );
  }

  private async find(name: string): Promise<DatasetWithVersion> {
    const found = await this.repository.findByName(name);
    if (!found) throw this.notFound(name);
    return found;
  }

  private notFound(name: string): DomainError {
    return datasetNotFound(name);
  }

  private exists(name: string): DomainError {
    return new DomainError(
      ErrorCode.DatasetExists,
      `a dataset named "${name}" already exists; pick another name, run it with POST /v1/pipelines/run, or fetch its URL again with { "refresh": true }`,
    );
  }
}

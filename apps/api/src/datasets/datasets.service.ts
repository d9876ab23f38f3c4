import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { ErrorCode, type CreateCsvDatasetRequest, type Dataset, type DatasetVersion } from '@relayboard/contracts';
import { ContentStore, UrlFetcher } from '@relayboard/sources';
import { DomainError } from '../common/domain-error';
import { toDatasetDto, toDatasetVersionDto } from './datasets.dto';
import { DatasetsRepository, type DatasetWithVersion } from './datasets.repository';
import { asDomainError } from './source-errors';
import { UploadReader } from './upload.reader';

@Injectable()
export class DatasetsService {
  constructor(
    private readonly repository: DatasetsRepository,
    private readonly urls: UrlFetcher,
    private readonly content: ContentStore,
    private readonly uploads: UploadReader,
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

  async list(): Promise<Dataset[]> {
    return (await this.repository.list()).map(toDatasetDto);
  }

  async get(name: string): Promise<Dataset> {
    return toDatasetDto(await this.find(name));
  }

  async versions(name: string): Promise<DatasetVersion[]> {
    const { dataset } = await this.find(name);
    return (await this.repository.versions(dataset.id)).map(toDatasetVersionDto);
  }

  private async find(name: string): Promise<DatasetWithVersion> {
    const found = await this.repository.findByName(name);
    if (!found) {
      throw new DomainError(ErrorCode.DatasetNotFound, `no dataset named "${name}"; register it with POST /v1/datasets/csv or POST /v1/datasets/${name}/upload`);
    }
    return found;
  }

  private exists(name: string): DomainError {
    return new DomainError(
      ErrorCode.DatasetExists,
      `a dataset named "${name}" already exists; pick another name, run it with POST /v1/pipelines/run, or fetch its URL again with { "refresh": true }`,
    );
  }
}

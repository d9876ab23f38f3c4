import { Injectable } from '@nestjs/common';
import { ErrorCode, type CreateCsvDatasetRequest, type Dataset } from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';
import { CsvFetcher } from './csv-fetcher';
import { toDatasetDto } from './datasets.dto';
import { DatasetsRepository } from './datasets.repository';

@Injectable()
export class DatasetsService {
  constructor(
    private readonly repository: DatasetsRepository,
    private readonly fetcher: CsvFetcher,
  ) {}

  async registerFromUrl(request: CreateCsvDatasetRequest): Promise<Dataset> {
    if (await this.repository.findByName(request.name)) throw this.exists(request.name);
    const fetched = await this.fetcher.fetchToStore(request.csvUrl);
    const created = await this.repository.createWithVersion({
      name: request.name,
      sourceType: 'url',
      sourceUrl: request.csvUrl,
      sha256: fetched.sha256,
      sizeBytes: fetched.sizeBytes,
      objectKey: fetched.objectKey,
    });
    // Another request may have registered the same name while this one was fetching.
    if (!created) throw this.exists(request.name);
    return toDatasetDto(created);
  }

  async list(): Promise<Dataset[]> {
    return (await this.repository.list()).map(toDatasetDto);
  }

  async get(name: string): Promise<Dataset> {
    const found = await this.repository.findByName(name);
    if (!found) throw new DomainError(ErrorCode.DatasetNotFound, `no dataset named "${name}"; register it with POST /v1/datasets/csv`);
    return toDatasetDto(found);
  }

  private exists(name: string): DomainError {
    return new DomainError(ErrorCode.DatasetExists, `a dataset named "${name}" already exists; pick another name or run it with POST /v1/pipelines/run`);
  }
}

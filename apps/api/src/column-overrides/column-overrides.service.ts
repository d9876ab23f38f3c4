import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type ColumnOverrides, type PutColumnOverridesRequest } from '@relayboard/contracts';
import { datasetNotFound, DomainError } from '../common/domain-error';
import type { RequestToken } from '../auth/auth-policy';
import { toColumnOverridesDto } from './column-overrides.dto';
import { ColumnOverridesRepository } from './column-overrides.repository';
import { overrideIssues } from './column-overrides.rules';

/** A dataset's column overrides: stored here, applied by the worker's stage step on the dataset's next run. */
@Injectable()
export class ColumnOverridesService {
  private readonly logger = new Logger('column-overrides');

  constructor(private readonly repository: ColumnOverridesRepository) {}

  async get(name: string): Promise<ColumnOverrides> {
    const datasetId = await this.datasetId(name);
    return toColumnOverridesDto(name, await this.repository.list(datasetId));
  }

  /** Replaces the whole set; {} clears it. */
  async put(name: string, request: PutColumnOverridesRequest, token: RequestToken | null): Promise<ColumnOverrides> {
    const datasetId = await this.datasetId(name);
    if (Object.keys(request.columns).length > 0) {
      const staged = await this.repository.stagedColumns(datasetId);
      const issues = overrideIssues(request.columns, staged?.columns.map((c) => c.name) ?? null, name);
      if (issues.length)
        throw new DomainError(
          ErrorCode.ValidationFailed,
          `invalid request body: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
          { issues },
        );
    }
    await this.repository.replace(datasetId, request.columns, token?.id ?? null);
    const columns = Object.keys(request.columns);
    this.logger.log(
      columns.length
        ? `dataset ${name}: column overrides set on ${columns.join(', ')}; the next run applies them`
        : `dataset ${name}: column overrides cleared; the next run types every column from its values`,
    );
    return toColumnOverridesDto(name, await this.repository.list(datasetId));
  }

  private async datasetId(name: string): Promise<string> {
    const id = await this.repository.datasetId(name);
    if (!id) throw datasetNotFound(name);
    return id;
  }
}

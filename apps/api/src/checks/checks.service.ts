import { Injectable } from '@nestjs/common';
import { isUuid, ErrorCode, type Check, type CreateCheckRequest } from '@relayboard/contracts';
import { ROW_NUMBER_COLUMN } from '@relayboard/db';
import { DomainError } from '../common/domain-error';
import { checkConfig, checkName } from './checks.definition';
import { toCheckDto } from './checks.dto';
import { ChecksRepository, type DatasetColumns } from './checks.repository';

@Injectable()
export class ChecksService {
  constructor(private readonly repository: ChecksRepository) {}

  async create(datasetName: string, request: CreateCheckRequest): Promise<Check> {
    const dataset = await this.dataset(datasetName);
    if (request.kind !== 'row_count') this.assertColumn(dataset, request.column, 'column');
    if (request.kind === 'relationships') {
      const target = await this.repository.findDataset(request.toDataset);
      if (!target) {
        throw new DomainError(
          ErrorCode.ValidationFailed,
          `toDataset: no dataset named "${request.toDataset}"; register it first with POST /v1/datasets/csv`,
          {
            issues: [{ field: 'toDataset', message: `no dataset named "${request.toDataset}"; register it first` }],
          },
        );
      }
      this.assertColumn(target, request.toColumn, 'toColumn');
    }
    const name = checkName(dataset.name, request);
    const created = await this.repository.create({
      dataset_id: dataset.id,
      name,
      kind: request.kind,
      column_name: request.kind === 'row_count' ? null : request.column,
      severity: request.severity,
      config: checkConfig(request),
    });
    if (!created) {
      const existing = await this.repository.findByName(dataset.id, name);
      throw new DomainError(
        ErrorCode.CheckExists,
        `dataset "${dataset.name}" already declares check ${name}${existing ? ` (id ${existing.id})` : ''}; delete it first to change it`,
      );
    }
    return toCheckDto(created, dataset.name, undefined);
  }

  async list(datasetName: string): Promise<Check[]> {
    const dataset = await this.dataset(datasetName);
    const rows = await this.repository.list(dataset.id);
    const results = new Map((await this.repository.lastResults(rows.map((r) => r.id))).map((r) => [r.check_id, r]));
    return rows.map((row) => toCheckDto(row, dataset.name, results.get(row.id)));
  }

  async delete(datasetName: string, id: string): Promise<void> {
    const dataset = await this.dataset(datasetName);
    if (!isUuid(id) || !(await this.repository.delete(dataset.id, id))) {
      throw new DomainError(
        ErrorCode.CheckNotFound,
        `dataset "${dataset.name}" has no check with id "${id}"; list them with GET /v1/datasets/${dataset.name}/checks`,
      );
    }
  }

  private async dataset(name: string): Promise<DatasetColumns> {
    const dataset = await this.repository.findDataset(name);
    if (!dataset)
      throw new DomainError(
        ErrorCode.DatasetNotFound,
        `no dataset named "${name}"; register it with POST /v1/datasets/csv`,
      );
    return dataset;
  }

  /** Checks are validated against the columns once a run has staged the dataset; before that, the run reports a missing column. */
  private assertColumn(dataset: DatasetColumns, column: string, field: string): void {
    // Staging's row number is a column of every dataset, so checks may name it.
    if (dataset.columns === null || column === ROW_NUMBER_COLUMN || dataset.columns.some((c) => c.name === column))
      return;
    const known = dataset.columns.map((c) => c.name).join(', ');
    throw new DomainError(
      ErrorCode.ValidationFailed,
      `${field}: dataset "${dataset.name}" has no column "${column}"; its columns are ${known}`,
      {
        issues: [{ field, message: `no column "${column}" in ${dataset.name}` }],
      },
    );
  }
}

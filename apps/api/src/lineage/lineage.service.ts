import { Injectable } from '@nestjs/common';
import { ErrorCode, type DatasetLineage, type LineageNode } from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';
import { LineageRepository } from './lineage.repository';

@Injectable()
export class LineageService {
  constructor(private readonly repository: LineageRepository) {}

  /** The lineage the worker saved from dbt's manifest at the dataset's last build; the api never runs dbt. */
  async get(name: string): Promise<DatasetLineage> {
    const dataset = await this.repository.findDataset(name);
    if (!dataset)
      throw new DomainError(
        ErrorCode.DatasetNotFound,
        `no dataset named "${name}"; register it with POST /v1/datasets/csv`,
      );
    const row = await this.repository.find(dataset.id);
    if (!row) return { dataset: dataset.name, runId: null, builtAt: null, nodes: [], edges: [] };
    const statuses = row.run_id ? await this.repository.nodeStatuses(row.run_id) : new Map<string, string>();
    const nodes = (row.lineage.nodes as Omit<LineageNode, 'status'>[]).map((n) => ({
      ...n,
      status: statuses.get(n.id) ?? null,
    }));
    return {
      dataset: dataset.name,
      runId: row.run_id,
      builtAt: (row.finished_at ?? row.updated_at).toISOString(),
      nodes,
      edges: row.lineage.edges,
    };
  }
}

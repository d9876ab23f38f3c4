import type { Knex } from 'knex';
import { Tables } from '../index';
import type { DatasetCheckRow, RunNodeResultRow } from '../rows';

/** One dbt node's outcome in a build, as the worker reads it from run_results.json. */
export interface NodeResultInput {
  uniqueId: string;
  name: string;
  kind: string;
  status: string;
  message: string | null;
  failures: number | null;
  rowsAffected: number | null;
  executionTime: number;
  /** ISO strings; null when dbt recorded no timing (a skipped node). */
  startedAt: string | null;
  completedAt: string | null;
  checkId: string | null;
  /** A few failing rows of a failed or warned test. */
  samples: string[];
}

/** The checks family (declared dataset_checks and the run_node_results of each build). */
export class CheckStore {
  constructor(private readonly knex: Knex) {}

  /** Every declared data-quality check, with its dataset's name, for the generated dbt project. */
  declaredChecks(): Promise<(DatasetCheckRow & { dataset_name: string })[]> {
    return this.knex(`${Tables.datasetChecks} as c`)
      .join(`${Tables.datasets} as d`, 'd.id', 'c.dataset_id')
      .select('c.*', 'd.name as dataset_name')
      .orderBy(['d.name', 'c.name']);
  }

  /** The run's dbt node results; a retried attempt replaces those of the one before. */
  async recordNodeResults(runId: string, nodes: NodeResultInput[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx<RunNodeResultRow>(Tables.runNodeResults).where({ run_id: runId }).delete();
      if (!nodes.length) return;
      await trx<RunNodeResultRow>(Tables.runNodeResults).insert(
        nodes.map((n) => ({
          run_id: runId,
          unique_id: n.uniqueId,
          name: n.name,
          kind: n.kind,
          status: n.status,
          rows_affected: n.rowsAffected === null ? null : String(n.rowsAffected),
          execution_time: n.executionTime,
          started_at: n.startedAt === null ? null : new Date(n.startedAt),
          completed_at: n.completedAt === null ? null : new Date(n.completedAt),
          failures: n.failures === null ? null : String(n.failures),
          message: n.message,
          check_id: n.checkId,
          samples: n.samples.length ? (JSON.stringify(n.samples) as unknown as string[]) : null,
        })),
      );
    });
  }

  nodeResults(runId: string): Promise<RunNodeResultRow[]> {
    return this.knex<RunNodeResultRow>(Tables.runNodeResults).where({ run_id: runId }).orderBy('id');
  }
}

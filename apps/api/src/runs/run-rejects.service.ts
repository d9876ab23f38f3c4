import { Injectable } from '@nestjs/common';
import { isUuid, ErrorCode, type RunRejects, type RunRejectsQuery } from '@relayboard/contracts';
import { decodeCursor, page } from '../common/cursor';
import { DomainError } from '../common/domain-error';
import { RunRejectsRepository } from './run-rejects.repository';
import { RunsRepository } from './runs.repository';

/**
 * A run's rejected rows. Staging keeps only the dataset's latest load, stamped
 * with the run that made it, so a run is answered with rows only while they are
 * its own; otherwise the answer says why there are none (replaced by a later
 * load, not staged yet, not staged at all) instead of showing another run's rows.
 */
@Injectable()
export class RunRejectsService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly rejects: RunRejectsRepository,
  ) {}

  async list(id: string, query: RunRejectsQuery): Promise<RunRejects> {
    const run = isUuid(id) ? await this.runs.find(id) : null;
    if (!run) throw new DomainError(ErrorCode.RunNotFound, `no run with id "${id}"; list runs with GET /v1/runs`);
    const afterLine = query.cursor ? Number(decodeCursor(query.cursor, ['number'])[0]) : null;
    const [steps, read] = await Promise.all([
      this.runs.steps(id),
      this.rejects.read(run.dataset_name, afterLine, query.limit + 1),
    ]);
    const table = RunRejectsRepository.tableOf(run.dataset_name);

    if (read && read.loadId === run.id) {
      const { items, nextCursor } = page(read.rows, query.limit, (r) => [Number(r.line_number)]);
      return {
        runId: id,
        source: 'available',
        replacedByRunId: null,
        table,
        rejects: items.map((r) => ({
          lineNumber: Number(r.line_number),
          reason: r.reason,
          raw: r.raw,
          rawTruncated: r.raw_truncated,
        })),
        total: read.total,
        nextCursor,
      };
    }

    const stage = steps.find((s) => s.name === 'stage');
    const counted = typeof stage?.metrics.rejects === 'number' ? stage.metrics.rejects : null;
    const none = { runId: id, replacedByRunId: null, table, rejects: [], nextCursor: null };
    if (stage?.status !== 'succeeded') {
      const waiting =
        (run.status === 'queued' || run.status === 'running') &&
        (stage === undefined || stage.status === 'pending' || stage.status === 'running');
      return { ...none, source: waiting ? 'pending' : 'not_staged', total: null };
    }
    // The stage step succeeded, so this run published rejects that the table no longer holds.
    const stampedBy = read?.loadId && isUuid(read.loadId) ? await this.runs.find(read.loadId) : null;
    if (read && read.loadId !== null && (stampedBy === null || stampedBy.created_at > run.created_at)) {
      return { ...none, source: 'replaced', replacedByRunId: stampedBy?.id ?? null, total: counted };
    }
    if (!read) return { ...none, source: 'replaced', total: counted };
    return { ...none, source: 'unattributed', total: counted };
  }
}

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RunSummary } from '@relayboard/contracts';
import { elapsedMs, formatDuration } from '@/lib/format';
import { DataTable } from './data-table';
import { RunWaitingReason } from './run-stream';
import { StatusBadge } from './status-badge';
import { Timestamp } from './timestamp';

interface RunsTableProps {
  runs: RunSummary[];
  now: Date;
  filtered: boolean;
  /** What an empty list says, where the default (how to start a first run) does not fit. */
  empty?: ReactNode;
}

export function RunsTable({ runs, now, filtered, empty }: RunsTableProps) {
  return (
    <DataTable
      caption="Pipeline runs, newest first"
      columns={['Run', 'Status', 'Dataset', 'Trigger', 'Created', 'Duration', 'Error']}
    >
      {runs.length === 0 ? (
        <tr>
          <td colSpan={7} className="px-4 py-10 text-left text-slate-500 sm:text-center">
            {empty ??
              (filtered ? (
                <>
                  No runs match these filters.{' '}
                  <Link href="/" className="text-sky-700 underline-offset-2 hover:underline">
                    Show all runs
                  </Link>
                </>
              ) : (
                <>
                  No runs yet. Register a dataset and start one with{' '}
                  <code className="font-mono text-slate-700">POST /v1/pipelines/run</code>.
                </>
              ))}
          </td>
        </tr>
      ) : (
        runs.map((run) => (
          <tr key={run.id} className="hover:bg-slate-50">
            <td className="px-4 py-3 whitespace-nowrap">
              <Link
                href={`/runs/${run.id}`}
                title={run.id}
                aria-label={`Run ${run.id.slice(0, 8)}`}
                className="font-mono text-sky-700 underline-offset-2 hover:underline"
              >
                {run.id.slice(0, 8)}
              </Link>
            </td>
            {/* Beside the id, so a phone shows it before the table scrolls. */}
            <td className="px-4 py-3">
              <span className="flex flex-col items-start gap-1">
                <StatusBadge status={run.status} />
                {run.status === 'queued' && <RunWaitingReason waitingFor={run.waitingFor} />}
              </span>
            </td>
            <td className="px-4 py-3 font-medium whitespace-nowrap">{run.datasetName}</td>
            <td className="px-4 py-3 whitespace-nowrap text-slate-600">{run.trigger}</td>
            <td className="px-4 py-3 whitespace-nowrap text-slate-600">
              <Timestamp iso={run.createdAt} />
            </td>
            <td className="px-4 py-3 whitespace-nowrap text-slate-600 tabular-nums">
              {formatDuration(elapsedMs(run.startedAt, run.finishedAt, now))}
            </td>
            <td className="max-w-sm px-4 py-3 text-red-700">
              {run.error ? (
                <span title={run.error} className="line-clamp-2">
                  {run.error}
                </span>
              ) : (
                <span className="text-slate-500">—</span>
              )}
            </td>
          </tr>
        ))
      )}
    </DataTable>
  );
}

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RunRejects } from '@relayboard/contracts';
import { getRunRejects, isApiProblem } from '@/lib/api';
import { ApiProblemNotice } from './api-problem-notice';
import { DataTable } from './data-table';

function Note({ children }: { children: ReactNode }) {
  return <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">{children}</p>;
}

function rejectedCount(total: number | null): string {
  if (total === null) return 'Its rejected rows';
  return `Its ${total.toLocaleString('en-US')} rejected row${total === 1 ? '' : 's'}`;
}

/** Why there are no rows to show, when they are not this run's to show. */
function Unavailable({ answer }: { answer: RunRejects }) {
  switch (answer.source) {
    case 'pending':
      return <Note>Rejected rows show here once the stage step has published this run&apos;s load.</Note>;
    case 'not_staged':
      return (
        <Note>This run published no load, so it kept no rejected rows (the stage step failed or did not run).</Note>
      );
    case 'replaced':
      return (
        <div
          className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900"
          data-testid="rejects-replaced"
        >
          <p className="font-semibold">Replaced by a later load</p>
          <p className="mt-1">
            {rejectedCount(answer.total)} were kept in <code className="font-mono">{answer.table}</code> until{' '}
            {answer.replacedByRunId ? (
              <Link href={`/runs/${answer.replacedByRunId}`} className="font-medium underline underline-offset-2">
                run {answer.replacedByRunId.slice(0, 8)}
              </Link>
            ) : (
              'a later load'
            )}{' '}
            staged the dataset again; staging keeps only the latest load&apos;s rejects, so they are not shown here.
          </p>
        </div>
      );
    case 'unattributed':
      return (
        <Note>
          <code className="font-mono">{answer.table}</code> holds rejects of a load that did not record its run, so they
          are not shown as this run&apos;s.
        </Note>
      );
    default:
      return null;
  }
}

/** A page of the rows the run's stage step rejected, by line number, with the reason and the raw text. */
export async function RunRejectsSection({ runId, cursor }: { runId: string; cursor?: string }) {
  let answer: RunRejects;
  try {
    answer = await getRunRejects(runId, cursor);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  if (answer.source !== 'available') return <Unavailable answer={answer} />;
  if (answer.total === 0) return <Note>No rows were rejected: every record of the file was loaded.</Note>;

  const shown = answer.rejects.length;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        {answer.total?.toLocaleString('en-US')} rejected row{answer.total === 1 ? '' : 's'}, kept in{' '}
        <code className="font-mono text-xs">{answer.table}</code>
        {cursor ? '' : shown < (answer.total ?? 0) ? `; the first ${shown} by line number` : ''}
      </p>
      <DataTable caption="Rejected rows, by line number" columns={['Line', 'Reason and raw text']}>
        {answer.rejects.map((reject) => (
          <tr key={reject.lineNumber} className="align-top">
            <td
              className="px-4 py-2.5 font-mono text-xs whitespace-nowrap text-slate-800 tabular-nums"
              data-testid="reject-line"
            >
              {reject.lineNumber.toLocaleString('en-US')}
            </td>
            <td className="px-4 py-2.5">
              <p className="break-words text-slate-800" data-testid="reject-reason">
                {reject.reason}
              </p>
              <pre
                className="mt-1.5 rounded bg-slate-50 p-2 font-mono text-xs break-all whitespace-pre-wrap text-slate-700"
                data-testid="reject-raw"
              >
                {reject.raw}
              </pre>
              {reject.rawTruncated && (
                <p className="mt-1 text-xs text-slate-500">cut short; the whole record is in the table</p>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {(answer.nextCursor || cursor) && (
        <nav aria-label="Rejected rows pages" className="flex gap-4 text-sm">
          {cursor && (
            <Link href={`/runs/${runId}#rejects-title`} className="text-sky-700 underline-offset-2 hover:underline">
              First rejected rows
            </Link>
          )}
          {answer.nextCursor && (
            <Link
              href={`/runs/${runId}?rejects=${encodeURIComponent(answer.nextCursor)}#rejects-title`}
              className="text-sky-700 underline-offset-2 hover:underline"
            >
              Next rejected rows
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}

import Link from 'next/link';
import type { Check } from '@relayboard/contracts';
import { isApiProblem, listDatasetChecks } from '@/lib/api';
import { AddCheckForm } from './add-check-form';
import { ApiProblemNotice } from './api-problem-notice';
import { DataTable } from './data-table';
import { RemoveCheckButton } from './remove-check-button';
import { Timestamp } from './timestamp';

// dbt's test statuses, which are not run statuses: the word is always shown, colour repeats it.
const RESULT_STYLES: Record<string, string> = {
  pass: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  warn: 'bg-amber-50 text-amber-800 ring-amber-300',
  fail: 'bg-red-50 text-red-800 ring-red-300',
  error: 'bg-red-50 text-red-800 ring-red-300',
};

function describeRule(check: Check): string {
  switch (check.kind) {
    case 'accepted_values':
      return `one of ${(check.values ?? []).join(', ')}`;
    case 'row_count':
      return (
        [
          check.min !== undefined ? `at least ${check.min}` : null,
          check.max !== undefined ? `at most ${check.max}` : null,
        ]
          .filter(Boolean)
          .join(', ') + ' rows'
      );
    case 'relationships':
      return `in ${check.toDataset}.${check.toColumn}`;
    default:
      return '';
  }
}

function LastResult({ check }: { check: Check }) {
  const result = check.lastResult;
  if (result === null) return <span className="text-slate-500">not run yet</span>;
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${RESULT_STYLES[result.status] ?? 'bg-slate-50 text-slate-700 ring-slate-300'}`}
        >
          {result.status}
        </span>
        {result.failures !== null && result.failures > 0 && (
          <span className="text-xs text-slate-700 tabular-nums">
            {result.failures.toLocaleString('en-US')} failing row{result.failures === 1 ? '' : 's'}
          </span>
        )}
        <Link
          href={`/runs/${result.runId}`}
          className="font-mono text-xs text-sky-700 underline-offset-2 hover:underline"
          aria-label={`Run ${result.runId.slice(0, 8)} of check ${check.name}`}
        >
          {result.runId.slice(0, 8)}
        </Link>
        <span className="text-xs text-slate-600">
          <Timestamp iso={result.at} />
        </span>
      </div>
      {result.message && result.status !== 'pass' && (
        <p className="max-w-md text-xs break-words text-slate-600">{result.message}</p>
      )}
    </div>
  );
}

export async function DatasetChecks({ name, columns }: { name: string; columns: string[] }) {
  let checks: Check[];
  try {
    checks = await listDatasetChecks(name);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  return (
    <div className="space-y-4">
      <DataTable
        caption="Declared checks with their last result"
        columns={['Check', 'Column', 'Rule', 'Severity', 'Last result', 'Actions']}
      >
        {checks.length === 0 ? (
          <tr>
            <td colSpan={6} className="px-4 py-8 text-center text-slate-500">
              No checks declared. Add one below; it runs as a dbt test on every build.
            </td>
          </tr>
        ) : (
          checks.map((check) => (
            <tr key={check.id} data-check-id={check.id}>
              <td className="px-4 py-2.5 whitespace-nowrap">{check.kind.replace('_', ' ')}</td>
              <td className="px-4 py-2.5 font-mono text-xs">{check.column ?? '—'}</td>
              <td className="px-4 py-2.5 break-words text-slate-600">{describeRule(check) || '—'}</td>
              <td className="px-4 py-2.5 text-slate-600">{check.severity}</td>
              {/* Wide enough that the result's message does not stack a word a line on a phone; the table scrolls instead. */}
              <td className="min-w-64 px-4 py-2.5">
                <LastResult check={check} />
              </td>
              <td className="px-4 py-2.5 text-right">
                <RemoveCheckButton datasetName={name} checkId={check.id} checkName={check.name} />
              </td>
            </tr>
          ))
        )}
      </DataTable>
      <AddCheckForm datasetName={name} columns={columns} />
    </div>
  );
}

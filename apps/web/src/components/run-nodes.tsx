import type { RunNode } from '@relayboard/contracts';
import { formatDuration } from '@/lib/format';
import { countNodes, isProblemStatus, nodesFailuresFirst } from '@/lib/run-nodes';
import { DataTable } from './data-table';

// dbt's node statuses, which are not run statuses: the word is always shown, colour repeats it.
const NODE_STYLES: Record<string, string> = {
  success: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  pass: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  warn: 'bg-amber-50 text-amber-800 ring-amber-300',
  fail: 'bg-red-50 text-red-800 ring-red-300',
  error: 'bg-red-50 text-red-800 ring-red-300',
  skipped: 'bg-slate-50 text-slate-600 ring-slate-300',
};

function NodeStatus({ status }: { status: string }) {
  return (
    <span
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${NODE_STYLES[status] ?? 'bg-slate-50 text-slate-700 ring-slate-300'}`}
    >
      {status}
    </span>
  );
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** dbt's models and tests of the run, the ones that need a person first, with each failure's message and failing rows. */
export function RunNodes({
  nodes,
  transformStatus,
}: {
  nodes: RunNode[] | undefined;
  transformStatus: string | undefined;
}) {
  if (!nodes || nodes.length === 0) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
        {transformStatus === 'pending' || transformStatus === 'running' || transformStatus === undefined
          ? 'No dbt results yet: the transform step records each model and test as dbt finishes the build.'
          : 'dbt reported no models or tests for this run.'}
      </p>
    );
  }

  const counts = countNodes(nodes);
  const problems = [
    counts.errors > 0 && `${counts.errors.toLocaleString('en-US')} errored`,
    counts.failed > 0 && `${counts.failed.toLocaleString('en-US')} failed`,
    counts.warned > 0 && `${counts.warned.toLocaleString('en-US')} warned`,
  ].filter(Boolean);

  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        {plural(counts.models, 'model')}, {plural(counts.tests, 'test')}
        {problems.length > 0 ? `: ${problems.join(', ')}` : ': all passed'}
      </p>
      <DataTable caption="dbt models and tests, failures first" columns={['Status', 'Node', 'Result']}>
        {nodesFailuresFirst(nodes).map((node) => {
          const problem = isProblemStatus(node.status);
          return (
            <tr
              key={node.uniqueId}
              className={`align-top ${problem ? (node.status === 'warn' ? 'bg-amber-50/40' : 'bg-red-50/40') : ''}`}
            >
              <td className="px-4 py-2.5">
                <NodeStatus status={node.status} />
              </td>
              <td className="px-4 py-2.5">
                <p className="font-mono text-xs break-all text-slate-900" data-testid="node-name">
                  {node.name}
                </p>
                <p className="text-xs text-slate-600">{node.kind}</p>
                {problem && node.message && (
                  <p className="mt-1 text-sm break-words whitespace-pre-wrap text-slate-800">{node.message}</p>
                )}
                {node.samples.length > 0 && (
                  <div className="mt-2">
                    <p className="text-xs font-medium text-slate-600">
                      Failing rows
                      {node.failures !== null && node.failures > node.samples.length
                        ? ` (first ${node.samples.length})`
                        : ''}
                    </p>
                    <ul className="mt-1 space-y-1">
                      {node.samples.map((sample, index) => (
                        <li
                          key={index}
                          className="rounded bg-white/80 px-2 py-1 font-mono text-xs break-all text-slate-800 ring-1 ring-slate-200"
                        >
                          {sample}
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
              </td>
              <td className="px-4 py-2.5 text-xs whitespace-nowrap text-slate-700 tabular-nums">
                {node.rowsAffected !== null && <p>{plural(node.rowsAffected, 'row')}</p>}
                {node.failures !== null && <p>{plural(node.failures, 'failure')}</p>}
                <p>{formatDuration(node.executionTime * 1000)}</p>
              </td>
            </tr>
          );
        })}
      </DataTable>
    </div>
  );
}

import type { DatasetLineage } from '@relayboard/contracts';
import { getDatasetLineage, isApiProblem } from '@/lib/api';
import { ApiProblemNotice } from './api-problem-notice';
import { ROLE_STYLES } from '@/lib/lineage-roles';
import { LineageGraph } from './lineage-graph';
import { Timestamp } from './timestamp';

export async function DatasetLineageSection({ name }: { name: string }) {
  let lineage: DatasetLineage;
  try {
    lineage = await getDatasetLineage(name);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  if (lineage.nodes.length === 0) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500" data-testid="lineage-empty">
        The lineage is drawn from dbt&apos;s manifest after the first build. Press Run now to build it.
      </p>
    );
  }
  const names = new Map(lineage.nodes.map((node) => [node.id, node.name]));
  const inputsOf = (id: string) =>
    lineage.edges.filter((edge) => edge.to === id && names.has(edge.from)).map((edge) => names.get(edge.from)!);

  return (
    <div className="space-y-2">
      {lineage.builtAt && (
        <p className="text-xs text-slate-600">
          From the build of <Timestamp iso={lineage.builtAt} />
        </p>
      )}
      <LineageGraph nodes={lineage.nodes} edges={lineage.edges} />
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-hidden="true">
        {[...new Set(lineage.nodes.map((node) => node.role))].map((role) => (
          <li key={role} className="flex items-center gap-1.5">
            <span className={`inline-block h-3 w-3 rounded-sm border-2 ${ROLE_STYLES[role].className}`} />
            {ROLE_STYLES[role].label}
          </li>
        ))}
      </ul>
      {/* Screen readers always read this list; on a phone, where the graph is too small to read, everyone sees it. */}
      <ul
        className="space-y-1 rounded-lg border border-slate-200 bg-white p-3 text-xs break-all text-slate-700 shadow-sm sm:sr-only"
        aria-label="Lineage nodes"
        data-testid="lineage-list"
      >
        {lineage.nodes.map((node) => {
          const inputs = inputsOf(node.id);
          return (
            <li key={node.id} className="flex items-start gap-1.5">
              <span
                aria-hidden="true"
                className={`mt-0.5 inline-block h-3 w-3 shrink-0 rounded-sm border-2 ${ROLE_STYLES[node.role].className}`}
              />
              <span>
                {node.name}: {ROLE_STYLES[node.role].label}
                {node.relation ? ` ${node.relation}` : ''}, {node.status ?? 'not run'}
                {inputs.length > 0 ? `; reads ${inputs.join(', ')}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

import type { DatasetVersion, RunSummary, StagedColumnDto } from '@relayboard/contracts';
import { isApiProblem, listDatasetRuns, listDatasetVersions } from '@/lib/api';
import { formatBytes } from '@/lib/format';
import { ApiProblemNotice } from './api-problem-notice';
import { DataTable } from './data-table';
import { RunsTable } from './runs-table';
import { Timestamp } from './timestamp';

export const RECENT_RUNS = 10;

export function DatasetSchema({ columns }: { columns: StagedColumnDto[] | null }) {
  if (columns === null || columns.length === 0) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500">
        The schema is inferred when a run stages the dataset. Press Run now to load it.
      </p>
    );
  }
  return (
    <DataTable caption="Inferred schema, in file order" columns={['#', 'Original header', 'Column', 'Type']}>
      {columns.map((column, index) => (
        <tr key={column.name}>
          <td className="px-4 py-2.5 text-slate-500 tabular-nums">{index + 1}</td>
          <td className="px-4 py-2.5 break-all">{column.originalName}</td>
          <td className="px-4 py-2.5 font-mono text-xs">{column.name}</td>
          <td className="px-4 py-2.5">
            <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800">{column.type}</code>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export async function DatasetVersions({ name }: { name: string }) {
  let versions: DatasetVersion[];
  try {
    versions = await listDatasetVersions(name);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  return (
    <DataTable caption="Versions, newest first" columns={['Version', 'Size', 'Rows', 'Source', 'Fetched', 'Content']}>
      {versions.length === 0 ? (
        <tr>
          <td colSpan={6} className="px-4 py-8 text-center text-slate-500">
            No versions yet.
          </td>
        </tr>
      ) : (
        versions.map((version) => (
          <tr key={version.id}>
            <td className="px-4 py-2.5 whitespace-nowrap">
              <code className="font-mono text-xs" title={version.sha256}>
                {version.sha256.slice(0, 12)}
              </code>
            </td>
            <td className="px-4 py-2.5 whitespace-nowrap tabular-nums">{formatBytes(version.sizeBytes)}</td>
            <td className="px-4 py-2.5 whitespace-nowrap tabular-nums">
              {version.rows !== null ? version.rows.toLocaleString('en-US') : <span className="text-slate-500">not staged</span>}
            </td>
            <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{version.source}</td>
            <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">
              <Timestamp iso={version.fetchedAt} />
            </td>
            <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{version.unchanged ? 'unchanged' : 'new content'}</td>
          </tr>
        ))
      )}
    </DataTable>
  );
}

export async function DatasetRecentRuns({ name }: { name: string }) {
  let runs: RunSummary[];
  try {
    runs = await listDatasetRuns(name, RECENT_RUNS);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return <ApiProblemNotice problem={error} />;
  }
  return <RunsTable runs={runs} now={new Date()} filtered={false} empty="This dataset has not run yet." />;
}

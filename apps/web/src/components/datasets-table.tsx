import Link from 'next/link';
import type { Dataset } from '@relayboard/contracts';
import { DataTable } from './data-table';
import { StatusBadge } from './status-badge';
import { Timestamp } from './timestamp';

export function DatasetsTable({ datasets }: { datasets: Dataset[] }) {
  return (
    <DataTable caption="Datasets by name" columns={['Dataset', 'Last run', 'Rows', 'Version', 'Updated']}>
      {datasets.length === 0 ? (
        <tr>
          <td colSpan={5} className="px-4 py-10 text-left text-slate-500 sm:text-center">
            No datasets yet. Register a CSV by URL or upload one above.
          </td>
        </tr>
      ) : (
        datasets.map((dataset) => {
          const version = dataset.currentVersion;
          return (
            <tr key={dataset.id} className="hover:bg-slate-50">
              <td className="px-4 py-3 whitespace-nowrap">
                <Link
                  href={`/datasets/${dataset.name}`}
                  className="font-medium text-sky-700 underline-offset-2 hover:underline"
                >
                  {dataset.name}
                </Link>
                <span className="ml-2 text-xs text-slate-500">{dataset.sourceType === 'url' ? 'URL' : 'upload'}</span>
              </td>
              <td className="px-4 py-3">
                {dataset.lastRun ? (
                  <Link
                    href={`/runs/${dataset.lastRun.id}`}
                    aria-label={`Last run of ${dataset.name}: ${dataset.lastRun.status}`}
                  >
                    <StatusBadge status={dataset.lastRun.status} />
                  </Link>
                ) : (
                  <span className="text-slate-500">never run</span>
                )}
              </td>
              <td className="px-4 py-3 whitespace-nowrap text-slate-700 tabular-nums">
                {version?.rows != null ? (
                  version.rows.toLocaleString('en-US')
                ) : (
                  <span className="text-slate-500">—</span>
                )}
              </td>
              <td className="px-4 py-3 whitespace-nowrap">
                {version ? (
                  <code className="font-mono text-xs text-slate-700" title={version.sha256}>
                    {version.sha256.slice(0, 12)}
                  </code>
                ) : (
                  <span className="text-slate-500">—</span>
                )}
              </td>
              <td className="px-4 py-3 whitespace-nowrap text-slate-600">
                <Timestamp iso={dataset.lastRun?.finishedAt ?? version?.fetchedAt ?? dataset.createdAt} />
              </td>
            </tr>
          );
        })
      )}
    </DataTable>
  );
}

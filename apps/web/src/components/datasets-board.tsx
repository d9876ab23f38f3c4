import Link from 'next/link';
import { isApiProblem, listDatasetsPage } from '@/lib/api';
import type { DatasetList } from '@relayboard/contracts';
import { ApiProblemNotice } from './api-problem-notice';
import { DatasetsTable } from './datasets-table';

export async function DatasetsBoard({ cursor }: { cursor?: string }) {
  let page: DatasetList;
  try {
    page = await listDatasetsPage(cursor);
  } catch (error) {
    if (!isApiProblem(error)) throw error;
    return (
      <ApiProblemNotice problem={error}>
        {cursor && (
          <p className="mt-4 text-sm">
            <Link href="/datasets" className="text-sky-700 underline-offset-2 hover:underline">
              Back to the first page
            </Link>
          </p>
        )}
      </ApiProblemNotice>
    );
  }

  return (
    <div className="space-y-3">
      <DatasetsTable datasets={page.datasets} />
      <nav aria-label="Dataset pages" className="flex gap-4 text-sm">
        {cursor && (
          <Link href="/datasets" className="text-sky-700 underline-offset-2 hover:underline">
            First page
          </Link>
        )}
        {page.nextCursor && (
          <Link
            href={`/datasets?${new URLSearchParams({ cursor: page.nextCursor })}`}
            className="text-sky-700 underline-offset-2 hover:underline"
          >
            Next page <span aria-hidden="true">→</span>
          </Link>
        )}
      </nav>
    </div>
  );
}

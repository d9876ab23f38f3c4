import Form from 'next/form';
import Link from 'next/link';
import { RUN_STATUSES } from '@relayboard/contracts';
import { hasFilters, type RunFilters } from '@/lib/runs';
import { DatasetNameField } from './dataset-name-field';

interface RunFiltersFormProps {
  filters: RunFilters;
  /** Runs per page from the URL, kept when the filters change (the cursor is not: new filters start at the newest). */
  limit?: string;
}

const fieldClassName =
  'rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-sky-500 focus:ring-2 focus:ring-sky-200 focus:outline-none';

/** A GET form, so the filters live in the URL and work before any JavaScript loads. */
export function RunFiltersForm({ filters, limit }: RunFiltersFormProps) {
  return (
    <Form action="/" className="flex flex-wrap items-end gap-3" aria-label="Filter runs">
      {limit && <input type="hidden" name="limit" value={limit} />}
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-status" className="text-xs font-medium text-slate-600">
          Status
        </label>
        <select id="filter-status" name="status" defaultValue={filters.status ?? ''} className={fieldClassName}>
          <option value="">All statuses</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-dataset" className="text-xs font-medium text-slate-600">
          Dataset
        </label>
        <DatasetNameField
          id="filter-dataset"
          name="datasetName"
          defaultValue={filters.datasetName ?? ''}
          className={fieldClassName}
        />
      </div>
      <button
        type="submit"
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-slate-700 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none"
      >
        Apply
      </button>
      {hasFilters(filters) && (
        <Link href="/" className="py-1.5 text-sm text-sky-700 underline-offset-2 hover:underline">
          Clear filters
        </Link>
      )}
    </Form>
  );
}

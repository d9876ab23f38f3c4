import type { ReactNode } from 'react';

interface DataTableProps {
  /** Read by screen readers only. */
  caption: string;
  columns: string[];
  /** The table's rows. */
  children: ReactNode;
}

/** The board's bordered table: a header row of column names and the rows given. */
export function DataTable({ caption, columns, children }: DataTableProps) {
  return (
    // Focusable and named, so a keyboard can scroll a table wider than a phone's screen.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:outline-none"
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            {columns.map((column) => (
              <th
                key={column}
                scope="col"
                className="px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase"
              >
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

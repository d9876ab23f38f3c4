import Link from 'next/link';
import { isFirstPage, runsHref, type RunFilters, type RunPage } from '@/lib/runs';
import { LinkPending } from './link-pending';

interface RunsPaginationProps {
  filters: RunFilters;
  page: RunPage;
  nextCursor: string | null;
  prevCursor: string | null;
}

const linkClassName =
  'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:outline-none';

/** Plain links carrying the filters and a cursor, so every page has its own URL and works without JavaScript. */
export function RunsPagination({ filters, page, nextCursor, prevCursor }: RunsPaginationProps) {
  const first = isFirstPage(page);
  if (first && nextCursor === null) return null;
  const limit = page.limit ? { limit: page.limit } : {};
  return (
    <nav aria-label="Pages of runs" className="flex flex-wrap items-center gap-2">
      {!first && (
        <Link href={runsHref(filters, limit)} className={linkClassName}>
          <span aria-hidden="true">« </span>Newest
          <LinkPending />
        </Link>
      )}
      {prevCursor !== null && (
        <Link href={runsHref(filters, { ...limit, before: prevCursor })} rel="prev" className={linkClassName}>
          <span aria-hidden="true">‹ </span>Previous page
          <LinkPending />
        </Link>
      )}
      {nextCursor !== null && (
        <Link href={runsHref(filters, { ...limit, cursor: nextCursor })} rel="next" className={linkClassName}>
          Next page<span aria-hidden="true"> ›</span>
          <LinkPending />
        </Link>
      )}
      {nextCursor === null && <span className="text-sm text-slate-500">Oldest runs reached.</span>}
    </nav>
  );
}

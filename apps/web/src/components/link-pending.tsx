'use client';

import { useLinkStatus } from 'next/link';

/**
 * Inside a Link: a small spinner while the page it opens is being read, since the runs
 * page is read in full before it is shown. Hidden from screen readers, which hear the new page.
 */
export function LinkPending() {
  const { pending } = useLinkStatus();
  if (!pending) return null;
  return (
    <span
      aria-hidden="true"
      className="ml-2 inline-block size-3 animate-spin rounded-full border-2 border-slate-300 border-t-slate-700 align-[-2px] motion-reduce:animate-none"
    />
  );
}

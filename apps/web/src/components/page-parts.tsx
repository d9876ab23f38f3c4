import Link from 'next/link';
import type { ReactNode } from 'react';

/** The link at the top of a detail page back to its list. */
export function BackLink({ href, label }: { href: string; label: string }) {
  return (
    <Link href={href} className="inline-block text-sm text-sky-700 underline-offset-2 hover:underline">
      <span aria-hidden="true">← </span>
      {label}
    </Link>
  );
}

/** One fact in a detail page's summary list (inside a <dl>). */
export function SummaryItem({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-800">{children}</dd>
    </div>
  );
}

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

/** A titled part of a page: an h2 that names the section for screen readers (`<id>-title`). */
export function PageSection({
  id,
  title,
  action,
  children,
}: {
  id: string;
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  const heading = (
    <h2 id={`${id}-title`} className="text-lg font-semibold">
      {title}
    </h2>
  );
  return (
    <section aria-labelledby={`${id}-title`} className="space-y-3">
      {action ? (
        <div className="flex items-baseline justify-between gap-4">
          {heading}
          {action}
        </div>
      ) : (
        heading
      )}
      {children}
    </section>
  );
}

/** The body of a 404 page: what was not found, what to do, and the way back. */
export function NotFoundNotice({
  title,
  message,
  href,
  label,
}: {
  title: string;
  message: string;
  href: string;
  label: string;
}) {
  return (
    <div className="py-16 text-center">
      <p className="font-mono text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-2 text-slate-600">{message}</p>
      <Link href={href} className="mt-6 inline-block text-sky-700 underline-offset-2 hover:underline">
        {label}
      </Link>
    </div>
  );
}

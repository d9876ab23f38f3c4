'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Runs', owns: (path: string) => path === '/' || path.startsWith('/runs/') },
  {
    href: '/datasets',
    label: 'Datasets',
    owns: (path: string) => path === '/datasets' || path.startsWith('/datasets/'),
  },
  { href: '/destinations', label: 'Destinations', owns: (path: string) => path === '/destinations' },
] as const;

/** The top navigation; the section the page belongs to is marked for sight and for screen readers (aria-current). */
export function MainNav() {
  const pathname = usePathname() ?? '/';
  return (
    <nav aria-label="Main" className="flex flex-wrap items-center justify-end gap-x-4 gap-y-1 sm:gap-x-5">
      {LINKS.map((link) => {
        const current = link.owns(pathname);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={current ? 'page' : undefined}
            className={`text-sm font-medium underline-offset-8 ${current ? 'text-slate-900 underline decoration-2 decoration-sky-600' : 'text-slate-600 hover:text-slate-900'}`}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}

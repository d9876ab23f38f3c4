import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { MainNav } from '@/components/main-nav';
import { SignOutButton } from '@/components/sign-out-button';
import { sessionToken } from '@/lib/session';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Relayboard', template: '%s · Relayboard' },
  description: 'CSV to warehouse to Slack: every pipeline run, live.',
};

export default async function RootLayout({ children }: Readonly<{ children: ReactNode }>) {
  const signedIn = (await sessionToken()) !== null;
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
            <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
              <span
                aria-hidden="true"
                className="grid size-7 place-items-center rounded-md bg-slate-900 text-sm text-white"
              >
                R
              </span>
              {/* The mark alone on a phone, so the navigation keeps to one line. */}
              <span className="max-sm:sr-only">Relayboard</span>
            </Link>
            <div className="flex flex-wrap items-center justify-end gap-x-4 gap-y-1 sm:gap-x-5">
              <MainNav />
              {signedIn && <SignOutButton />}
            </div>
          </div>
        </header>
        <main id="main" className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
          {children}
        </main>
      </body>
    </html>
  );
}

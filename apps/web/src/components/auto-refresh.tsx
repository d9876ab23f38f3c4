'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';

interface AutoRefreshProps {
  label: string;
  intervalMs?: number;
}

/**
 * Re-renders the page's server components on a timer so progress shows without a reload.
 * The next refresh is scheduled only once the previous one has landed, so a slow api
 * never piles up requests, and a hidden tab asks for nothing.
 */
export function AutoRefresh({ label, intervalMs = 2000 }: AutoRefreshProps) {
  const router = useRouter();
  const [isRefreshing, startTransition] = useTransition();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (isRefreshing) return;
    const timer = setTimeout(() => {
      if (!document.hidden) startTransition(() => router.refresh());
      setTick((value) => value + 1);
    }, intervalMs);
    return () => clearTimeout(timer);
  }, [isRefreshing, tick, intervalMs, router]);

  return (
    <p className="flex items-center gap-2 text-xs text-slate-500">
      <span aria-hidden="true" className="size-2 animate-pulse rounded-full bg-sky-500 motion-reduce:animate-none" />
      {label}
    </p>
  );
}

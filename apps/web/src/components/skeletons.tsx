const bar = 'rounded bg-slate-200 animate-pulse motion-reduce:animate-none';

export function RunDetailSkeleton() {
  return (
    <div className="space-y-8" aria-busy="true">
      <span className="sr-only" role="status">
        Loading run…
      </span>
      <div className="space-y-3" aria-hidden="true">
        <div className={`h-8 w-64 ${bar}`} />
        <div className={`h-4 w-96 ${bar}`} />
      </div>
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6" aria-hidden="true">
        {Array.from({ length: 6 }, (_, cell) => (
          <div key={cell} className="space-y-2">
            <div className={`h-3 w-16 ${bar}`} />
            <div className={`h-4 w-28 ${bar}`} />
          </div>
        ))}
      </div>
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-4" aria-hidden="true">
        {Array.from({ length: 4 }, (_, step) => (
          <div key={step} className="h-48 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <div className={`h-5 w-24 ${bar}`} />
            <div className={`mt-4 h-4 w-full ${bar}`} />
            <div className={`mt-2 h-4 w-3/4 ${bar}`} />
          </div>
        ))}
      </div>
      <div className={`h-40 ${bar}`} aria-hidden="true" />
    </div>
  );
}

export function TableSkeleton({ label, rows = 5, columns = 5 }: { label: string; rows?: number; columns?: number }) {
  return (
    <div aria-busy="true">
      <span className="sr-only" role="status">
        {label}
      </span>
      <div className="rounded-lg border border-slate-200 bg-white shadow-sm" aria-hidden="true">
        <div className="h-10 border-b border-slate-200 bg-slate-50" />
        {Array.from({ length: rows }, (_, row) => (
          <div key={row} className="flex items-center gap-6 border-b border-slate-100 px-4 py-3.5 last:border-0">
            {Array.from({ length: columns }, (_, cell) => (
              <div key={cell} className={`h-4 ${cell === 0 ? 'w-32' : 'flex-1'} ${bar}`} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

export function DigestSkeleton() {
  return (
    <div aria-busy="true" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <span className="sr-only" role="status">
        Loading the digest…
      </span>
      <div className="space-y-3" aria-hidden="true">
        <div className={`h-5 w-64 ${bar}`} />
        <div className={`h-4 w-full ${bar}`} />
        <div className={`h-4 w-3/4 ${bar}`} />
      </div>
    </div>
  );
}

export function ChartSkeleton({ label }: { label: string }) {
  return (
    <div aria-busy="true">
      <span className="sr-only" role="status">
        {label}
      </span>
      <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-hidden="true">
        <div className={`mb-3 h-4 w-2/3 ${bar}`} />
        <div className={`h-64 w-full ${bar}`} />
      </div>
    </div>
  );
}

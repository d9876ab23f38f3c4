'use client';

interface ErrorPageProps {
  error: unknown;
  retry: () => void;
}

/** For failures the pages do not handle themselves; the api's own problems are shown in place. */
export default function ErrorPage({ error, retry }: ErrorPageProps) {
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : undefined;

  return (
    <section aria-labelledby="error-title" className="rounded-lg border border-red-300 bg-red-50 p-6">
      <h1 id="error-title" className="text-lg font-semibold text-red-900">
        The board could not show this page
      </h1>
      <p className="mt-2 text-sm text-red-900">
        Something failed while rendering it. The board&apos;s server log has the details
        {digest && (
          <>
            {' '}
            under <code className="font-mono">{digest}</code>
          </>
        )}
        .
      </p>
      <button
        type="button"
        onClick={() => retry()}
        className="mt-4 rounded-md bg-red-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 focus-visible:ring-2 focus-visible:ring-red-400 focus-visible:ring-offset-2 focus-visible:outline-none"
      >
        Try again
      </button>
    </section>
  );
}

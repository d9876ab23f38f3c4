import type { ReactNode } from 'react';
import { ApiUnreachableError, UNEXPECTED_RESPONSE, type ApiProblem } from '@/lib/api-problems';
import { AutoRefresh } from './auto-refresh';

interface ApiProblemNoticeProps {
  problem: ApiProblem;
  children?: ReactNode;
}

/**
 * Rendered in place of a section rather than thrown to an error boundary: in production
 * Next.js hides server error messages from the browser, and these are the ones a person
 * needs to read.
 */
export function ApiProblemNotice({ problem, children }: ApiProblemNoticeProps) {
  if (problem instanceof ApiUnreachableError) {
    return (
      <section aria-labelledby="api-problem-title" className="rounded-lg border border-amber-300 bg-amber-50 p-6">
        <h2 id="api-problem-title" className="text-base font-semibold text-amber-900">
          The api is not answering
        </h2>
        <p className="mt-2 text-sm text-amber-900">
          The Relayboard api at <code className="font-mono font-semibold">{problem.apiUrl}</code> is not answering:
          start it with{' '}
          <code className="rounded bg-amber-100 px-1.5 py-0.5 font-mono font-semibold">./relayboard up</code>
        </p>
        <p className="mt-1 text-xs text-amber-800">Reason: {problem.reason}</p>
        <div className="mt-4">
          <AutoRefresh label="Trying again every 5 seconds" intervalMs={5000} />
        </div>
        {children}
      </section>
    );
  }

  return (
    <section aria-labelledby="api-problem-title" className="rounded-lg border border-red-300 bg-red-50 p-6">
      <h2 id="api-problem-title" className="text-base font-semibold text-red-900">
        {problem.code === UNEXPECTED_RESPONSE
          ? 'The api answered in a way the board does not understand'
          : 'The api answered with an error'}
      </h2>
      <p className="mt-2 text-sm whitespace-pre-wrap text-red-900">{problem.message}</p>
      <p className="mt-2 font-mono text-xs text-red-800">
        HTTP {problem.status} · {problem.code}
      </p>
      {problem.details !== undefined && (
        <details className="mt-3 text-sm text-red-900">
          <summary className="cursor-pointer">Details</summary>
          <pre className="mt-2 overflow-x-auto rounded bg-white/70 p-3 font-mono text-xs">
            {typeof problem.details === 'string' ? problem.details : JSON.stringify(problem.details, null, 2)}
          </pre>
        </details>
      )}
      {children}
    </section>
  );
}

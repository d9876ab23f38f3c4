'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { errorResponseSchema, runSummarySchema } from '@relayboard/contracts';
import { ApiResponseError, UNEXPECTED_RESPONSE, type ApiProblem } from '@/lib/api-problems';
import { ApiProblemNotice } from './api-problem-notice';
import { primaryButtonClassName } from './register-dataset-form';
import { useRunStreamContext } from './run-stream';

const secondaryButtonClassName =
  'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500';
const dangerButtonClassName =
  'rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-red-800 focus-visible:ring-2 focus-visible:ring-red-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:bg-red-300';

type Action = 'retry' | 'cancel';

async function problemFrom(response: Response, action: Action): Promise<ApiProblem> {
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = errorResponseSchema.safeParse(body);
  if (parsed.success)
    return new ApiResponseError(
      response.status,
      parsed.data.error.code,
      parsed.data.error.message,
      parsed.data.error.details,
    );
  return new ApiResponseError(
    response.status,
    UNEXPECTED_RESPONSE,
    `POST /v1/runs/:id/${action} answered HTTP ${response.status} without a Relayboard error body`,
  );
}

/**
 * Retry (a failed or canceled run, from its failed step) and Cancel (a queued or
 * running run, after a confirmation) for the run page. The page follows the run
 * live: a retried run's stream is opened again; a canceled one's ends by itself.
 */
export function RunActions({ runId }: { runId: string }) {
  const router = useRouter();
  const { status, cancelRequestedAt, follow } = useRunStreamContext();
  const [pending, setPending] = useState<Action | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [notice, setNotice] = useState('');
  const reasonId = useId();

  const canRetry = status === 'failed' || status === 'canceled';
  const canCancel = (status === 'queued' || status === 'running') && !cancelRequestedAt;

  async function act(action: Action) {
    setPending(action);
    setProblem(null);
    setNotice('');
    try {
      const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(action === 'cancel' && reason.trim() ? { reason: reason.trim() } : {}),
      });
      if (response.status !== 202) {
        setProblem(await problemFrom(response, action));
      } else {
        const summary = runSummarySchema.safeParse(await response.json().catch(() => undefined));
        if (summary.success) {
          const { status: next, startedAt, finishedAt, cancelRequestedAt: requested } = summary.data;
          follow({ status: next, startedAt, finishedAt, cancelRequestedAt: requested });
          setNotice(
            action === 'retry'
              ? 'Retry requested: the run is queued again and resumes from its failed step.'
              : next === 'canceled'
                ? 'The run was canceled before it started.'
                : 'Cancel requested: the worker stops the run within a few seconds.',
          );
        }
        setConfirming(false);
        setReason('');
        // The page's server-rendered parts (the error, the summary) catch up.
        router.refresh();
      }
    } catch {
      setProblem(
        new ApiResponseError(
          0,
          'board_unreachable',
          'The board did not answer; check that it is running and try again.',
        ),
      );
    }
    setPending(null);
  }

  function confirmCancel(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void act('cancel');
  }

  if (!canRetry && !canCancel && !cancelRequestedAt && !problem && !notice) return null;

  return (
    <section aria-labelledby="run-actions-title" className="space-y-3">
      <h2 id="run-actions-title" className="sr-only">
        Run actions
      </h2>
      <div className="flex flex-wrap items-center gap-3">
        {canRetry && (
          <button
            type="button"
            onClick={() => void act('retry')}
            disabled={pending !== null}
            aria-busy={pending === 'retry'}
            className={primaryButtonClassName}
          >
            {pending === 'retry' ? 'Retrying…' : 'Retry from failed step'}
          </button>
        )}
        {canCancel && !confirming && (
          <button
            type="button"
            onClick={() => setConfirming(true)}
            disabled={pending !== null}
            className={secondaryButtonClassName}
          >
            Cancel run
          </button>
        )}
        {cancelRequestedAt && (status === 'queued' || status === 'running') && (
          <p className="text-sm text-amber-800">Cancel requested: the worker is stopping the run…</p>
        )}
        <p role="status" className="text-sm text-slate-600">
          {notice}
        </p>
      </div>
      {canCancel && confirming && (
        <form
          onSubmit={confirmCancel}
          aria-labelledby="cancel-confirm-title"
          className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4"
        >
          <h3 id="cancel-confirm-title" className="text-sm font-semibold text-amber-900">
            Cancel this run?
          </h3>
          <p className="text-sm text-amber-900">
            A running step is stopped (dbt is killed, a load is rolled back), staging and the warehouse keep their
            previous tables, and no digest is posted. You can retry the run afterwards.
          </p>
          <div className="space-y-1">
            <label htmlFor={reasonId} className="block text-sm font-medium text-amber-900">
              Reason (optional)
            </label>
            <input
              id={reasonId}
              value={reason}
              maxLength={500}
              onChange={(event) => setReason(event.target.value)}
              className="w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 shadow-sm focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:outline-none"
            />
          </div>
          <div className="flex flex-wrap gap-3">
            <button
              type="submit"
              disabled={pending !== null}
              aria-busy={pending === 'cancel'}
              className={dangerButtonClassName}
            >
              {pending === 'cancel' ? 'Canceling…' : 'Yes, cancel the run'}
            </button>
            <button
              type="button"
              onClick={() => setConfirming(false)}
              disabled={pending !== null}
              className={secondaryButtonClassName}
            >
              Keep it running
            </button>
          </div>
        </form>
      )}
      {problem && <ApiProblemNotice problem={problem} />}
    </section>
  );
}

'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { DatasetScheduleSummary } from '@relayboard/contracts';
import { formErrorsFrom } from '@/lib/form-errors';
import { NO_ERRORS, useFormErrors } from '@/lib/use-form-errors';
import { FormAlert, FormField } from './form-field';
import { primaryButtonClassName } from './register-dataset-form';
import { Timestamp } from './timestamp';

const FIELDS = ['cron', 'timezone', 'alwaysRun'];
const secondaryButton =
  'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500';

/**
 * The dataset's cron schedule (cron, time zone, next run, paused) and a form
 * that sets or replaces it; pause, resume and remove act on it at once.
 */
export function DatasetSchedule({
  datasetName,
  schedule,
  canRefresh,
}: {
  datasetName: string;
  schedule: DatasetScheduleSummary | null;
  canRefresh: boolean;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const { errors, setErrors, formRef } = useFormErrors();
  const base = `/api/datasets/${encodeURIComponent(datasetName)}/schedule`;

  async function send(path: string, init: RequestInit, done: string): Promise<void> {
    setBusy(true);
    setErrors(NO_ERRORS);
    setNotice('');
    try {
      const response = await fetch(path, {
        ...init,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
      if (response.ok) {
        setNotice(done);
        router.refresh();
      } else {
        setErrors(formErrorsFrom(await response.json().catch(() => undefined), response.status, FIELDS));
      }
    } catch {
      setErrors({ fields: {}, form: ['The board did not answer; check that it is running and try again.'] });
    }
    setBusy(false);
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const body = {
      cron: String(data.get('cron') ?? ''),
      timezone: String(data.get('timezone') ?? ''),
      alwaysRun: data.get('alwaysRun') === 'on',
    };
    void send(base, { method: 'PUT', body: JSON.stringify(body) }, 'Schedule saved.');
  }

  return (
    <div className="space-y-3">
      {schedule ? (
        <dl
          data-testid="schedule-facts"
          aria-label="Schedule"
          className="grid grid-cols-2 gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm sm:grid-cols-5"
        >
          <div>
            <dt className="text-xs font-medium text-slate-500">Cron</dt>
            <dd className="mt-0.5 font-mono text-xs text-slate-800">{schedule.cron}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium text-slate-500">Time zone</dt>
            <dd className="mt-0.5 text-slate-800">{schedule.timezone}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium text-slate-500">Next run</dt>
            <dd className="mt-0.5 text-slate-800">
              {schedule.paused ? 'paused' : <Timestamp iso={schedule.nextRunAt} />}
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium text-slate-500">State</dt>
            <dd className="mt-0.5 text-slate-800">{schedule.paused ? 'Paused' : 'Active'}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium text-slate-500">Unchanged source</dt>
            <dd className="mt-0.5 text-slate-800">{schedule.alwaysRun ? 'runs anyway' : 'skipped'}</dd>
          </div>
        </dl>
      ) : (
        <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-500">
          No schedule: the dataset runs only when someone starts it.
        </p>
      )}
      {schedule && (
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            disabled={busy}
            className={secondaryButton}
            onClick={() =>
              void send(
                `${base}/${schedule.paused ? 'resume' : 'pause'}`,
                { method: 'POST', body: '{}' },
                schedule.paused ? 'Schedule resumed.' : 'Schedule paused.',
              )
            }
          >
            {schedule.paused ? 'Resume schedule' : 'Pause schedule'}
          </button>
          <button
            type="button"
            disabled={busy}
            className={`${secondaryButton} text-red-800`}
            onClick={() => void send(base, { method: 'DELETE' }, 'Schedule removed.')}
          >
            Remove schedule
          </button>
        </div>
      )}
      <form
        ref={formRef}
        onSubmit={submit}
        noValidate
        aria-labelledby="set-schedule-title"
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      >
        <h3 id="set-schedule-title" className="font-semibold">
          {schedule ? 'Change the schedule' : 'Set a schedule'}
        </h3>
        <div className="grid gap-3 sm:grid-cols-2">
          <FormField
            id="schedule-cron"
            name="cron"
            label="Cron"
            defaultValue={schedule?.cron ?? ''}
            placeholder="0 6 * * 1-5"
            autoComplete="off"
            spellCheck={false}
            hint="Minute hour day-of-month month day-of-week; a sixth field in front counts seconds."
            errors={errors.fields.cron}
          />
          <FormField
            id="schedule-timezone"
            name="timezone"
            label="Time zone"
            defaultValue={schedule?.timezone ?? 'UTC'}
            placeholder="Europe/Paris"
            autoComplete="off"
            spellCheck={false}
            hint="An IANA name, such as Europe/Paris or UTC."
            errors={errors.fields.timezone}
          />
        </div>
        <div className="flex items-start gap-2 text-sm">
          <input
            id="schedule-always-run"
            name="alwaysRun"
            type="checkbox"
            defaultChecked={schedule?.alwaysRun ?? false}
            className="mt-0.5"
            aria-describedby="schedule-always-run-hint"
          />
          <div>
            <label htmlFor="schedule-always-run" className="font-medium text-slate-700">
              Always run
            </label>
            <p id="schedule-always-run-hint" className="text-xs text-slate-500">
              {canRefresh
                ? 'Without it, a scheduled run whose source did not change is skipped (no load, no Slack digest).'
                : 'Without it, scheduled runs of an uploaded dataset are skipped: there is nothing to fetch.'}
            </p>
          </div>
        </div>
        <FormAlert messages={errors.form} />
        <div className="flex items-center gap-3">
          <button type="submit" disabled={busy} className={primaryButtonClassName}>
            {busy ? 'Saving…' : 'Save schedule'}
          </button>
          {notice && (
            <p role="status" className="text-sm text-emerald-800">
              {notice}
            </p>
          )}
        </div>
      </form>
    </div>
  );
}

'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { formErrorsFrom } from '@/lib/form-errors';
import { NO_ERRORS, useFormErrors } from '@/lib/use-form-errors';
import { FormAlert, FormField } from './form-field';

const FIELDS = ['name', 'csvUrl'] as const;
export const primaryButtonClassName =
  'rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-slate-700 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:bg-slate-400';

export function RegisterDatasetForm() {
  const router = useRouter();
  const [submitting, setSubmitting] = useState(false);
  const { errors, setErrors, formRef } = useFormErrors();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = String(data.get('name') ?? '').trim();
    const csvUrl = String(data.get('csvUrl') ?? '').trim();
    setSubmitting(true);
    setErrors(NO_ERRORS);
    try {
      const response = await fetch('/api/datasets/csv', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ name, csvUrl }),
      });
      if (response.ok) {
        router.push(`/datasets/${encodeURIComponent(name)}`);
        return;
      }
      setErrors(formErrorsFrom(await response.json().catch(() => undefined), response.status, FIELDS));
    } catch {
      setErrors({ fields: {}, form: ['The board did not answer; check that it is running and try again.'] });
    }
    setSubmitting(false);
  }

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-labelledby="register-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div>
        <h2 id="register-title" className="font-semibold">
          Register a CSV by URL
        </h2>
        <p className="text-xs text-slate-500">Relayboard downloads it now and keeps each new version.</p>
      </div>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,12rem)_minmax(0,1fr)]">
        <FormField
          id="register-name"
          name="name"
          label="Dataset name"
          placeholder="orders"
          autoComplete="off"
          spellCheck={false}
          required
          hint="Lowercase letters, digits and _; starts with a letter."
          errors={errors.fields.name}
        />
        <FormField
          id="register-url"
          name="csvUrl"
          type="url"
          label="CSV URL"
          placeholder="https://example.com/orders.csv"
          autoComplete="off"
          spellCheck={false}
          required
          errors={errors.fields.csvUrl}
        />
      </div>
      <FormAlert messages={errors.form} />
      <div className="flex items-center gap-3">
        <button type="submit" disabled={submitting} className={primaryButtonClassName}>
          Register
        </button>
        <p role="status" className="text-xs text-slate-500">
          {submitting ? 'Downloading and registering…' : ''}
        </p>
      </div>
    </form>
  );
}

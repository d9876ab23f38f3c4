'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import type { Destination } from '@relayboard/contracts';
import { destinationRequestBody, withDatasetIssuesOnTheList } from '@/lib/destinations';
import { formErrorsFrom } from '@/lib/form-errors';
import { NO_ERRORS, useFormErrors } from '@/lib/use-form-errors';
import { DESTINATION_FIELDS, DestinationFields, destinationFormValues } from './destination-fields';
import { FormAlert } from './form-field';
import { primaryButtonClassName } from './register-dataset-form';

export function AddDestinationForm() {
  const router = useRouter();
  const [submitting, setSubmitting] = useState(false);
  const [saved, setSaved] = useState('');
  const { errors, setErrors, formRef } = useFormErrors();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = destinationRequestBody(destinationFormValues(form), 'create');
    setSubmitting(true);
    setErrors(NO_ERRORS);
    setSaved('');
    try {
      const response = await fetch('/api/destinations/slack', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => undefined);
      if (response.ok) {
        const destination = answer as Destination;
        // The webhook URL is a secret: once saved it leaves the page, which shows the masked form only.
        form.reset();
        setSaved(
          response.status === 201
            ? `Saved “${destination.name}”: it is listed below.`
            : `This webhook is already the destination “${destination.name}”, unchanged; edit it below.`,
        );
        router.refresh();
      } else {
        setErrors(
          formErrorsFrom(withDatasetIssuesOnTheList(answer, body.datasets), response.status, DESTINATION_FIELDS),
        );
      }
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
      aria-labelledby="add-destination-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div>
        <h2 id="add-destination-title" className="font-semibold">
          Add a Slack destination
        </h2>
        <p className="text-xs text-slate-600">Each run&apos;s digest is posted to the destinations it is routed to.</p>
      </div>
      <DestinationFields idPrefix="add-destination" errors={errors} />
      <FormAlert messages={errors.form} />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" disabled={submitting} className={primaryButtonClassName}>
          Save destination
        </button>
        <p role="status" className="text-xs text-slate-600">
          {submitting ? 'Saving…' : saved}
        </p>
      </div>
    </form>
  );
}

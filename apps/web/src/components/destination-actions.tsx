'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { destinationTestResultSchema, type Destination } from '@relayboard/contracts';
import { describeTestResult, destinationRequestBody, withDatasetIssuesOnTheList } from '@/lib/destinations';
import { formErrorsFrom, type FormErrors } from '@/lib/form-errors';
import { NO_ERRORS } from '@/lib/use-form-errors';
import { DESTINATION_FIELDS, DestinationFields, destinationFormValues } from './destination-fields';
import { FormAlert } from './form-field';
import { primaryButtonClassName } from './register-dataset-form';

const NOT_ANSWERING = 'The board did not answer; check that it is running and try again.';

const secondaryButtonClassName =
  'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500';
const dangerButtonClassName =
  'rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-800 shadow-sm hover:bg-red-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500';

type Notice = { tone: 'neutral' | 'good' | 'bad'; text: string };

const NOTICE_STYLES: Record<Notice['tone'], string> = {
  neutral: 'text-slate-700',
  good: 'text-emerald-800',
  bad: 'text-red-800',
};

/** Send test, edit and delete for one destination; what happened is announced in one live region. */
export function DestinationActions({ destination }: { destination: Destination }) {
  const router = useRouter();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [testing, setTesting] = useState(false);
  const [editing, setEditing] = useState(false);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const idPrefix = `destination-${destination.id}`;

  async function sendTest() {
    setTesting(true);
    setNotice({ tone: 'neutral', text: 'Sending a test message…' });
    try {
      const response = await fetch(`/api/destinations/${encodeURIComponent(destination.id)}/test`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      const answer = await response.json().catch(() => undefined);
      const result = destinationTestResultSchema.safeParse(answer);
      if (response.ok && result.success) {
        setNotice({ tone: result.data.ok ? 'good' : 'bad', text: describeTestResult(result.data) });
      } else {
        setNotice({ tone: 'bad', text: `Not sent: ${formErrorsFrom(answer, response.status, []).form.join(' ')}` });
      }
    } catch {
      setNotice({ tone: 'bad', text: NOT_ANSWERING });
    }
    setTesting(false);
  }

  return (
    <div className="mt-4 space-y-3 border-t border-slate-100 pt-3">
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          onClick={sendTest}
          disabled={testing}
          aria-label={`Send test to ${destination.name}`}
          className={secondaryButtonClassName}
        >
          {testing ? 'Sending…' : 'Send test'}
        </button>
        <button
          ref={editButtonRef}
          type="button"
          onClick={() => setEditing((open) => !open)}
          aria-expanded={editing}
          aria-controls={`${idPrefix}-edit`}
          aria-label={`Edit ${destination.name}`}
          className={secondaryButtonClassName}
        >
          Edit
        </button>
        <button
          type="button"
          onClick={() => dialogRef.current?.showModal()}
          aria-label={`Delete ${destination.name}`}
          className={dangerButtonClassName}
        >
          Delete
        </button>
      </div>
      <p
        role="status"
        data-testid="destination-notice"
        className={`text-sm break-words ${notice ? NOTICE_STYLES[notice.tone] : ''}`}
      >
        {notice?.text}
      </p>
      <div id={`${idPrefix}-edit`} hidden={!editing}>
        {editing && (
          <EditDestinationForm
            destination={destination}
            idPrefix={`${idPrefix}-edit`}
            onDone={(saved) => {
              setEditing(false);
              // The form that had the focus is gone; the button that opened it takes it back.
              editButtonRef.current?.focus();
              if (saved) {
                setNotice({ tone: 'good', text: 'Changes saved.' });
                router.refresh();
              }
            }}
          />
        )}
      </div>
      <DeleteDestinationDialog dialogRef={dialogRef} destination={destination} onDeleted={() => router.refresh()} />
    </div>
  );
}

function EditDestinationForm({
  destination,
  idPrefix,
  onDone,
}: {
  destination: Destination;
  idPrefix: string;
  onDone: (saved: boolean) => void;
}) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [submitting, setSubmitting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? formRef.current?.querySelector<HTMLElement>('input'))?.focus();
  }, [errors]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = destinationRequestBody(destinationFormValues(event.currentTarget), 'edit');
    setSubmitting(true);
    setErrors(NO_ERRORS);
    try {
      const response = await fetch(`/api/destinations/${encodeURIComponent(destination.id)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        onDone(true);
        return;
      }
      setErrors(
        formErrorsFrom(
          withDatasetIssuesOnTheList(await response.json().catch(() => undefined), body.datasets),
          response.status,
          DESTINATION_FIELDS,
        ),
      );
    } catch {
      setErrors({ fields: {}, form: [NOT_ANSWERING] });
    }
    setSubmitting(false);
  }

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-label={`Edit ${destination.name}`}
      className="space-y-3 rounded-md bg-slate-50 p-3"
    >
      <DestinationFields idPrefix={idPrefix} errors={errors} destination={destination} />
      <FormAlert messages={errors.form} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" disabled={submitting} className={primaryButtonClassName}>
          {submitting ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" onClick={() => onDone(false)} className={secondaryButtonClassName}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DeleteDestinationDialog({
  dialogRef,
  destination,
  onDeleted,
}: {
  dialogRef: RefObject<HTMLDialogElement | null>;
  destination: Destination;
  onDeleted: () => void;
}) {
  const [deleting, setDeleting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const titleId = `destination-${destination.id}-delete-title`;

  async function remove() {
    setDeleting(true);
    setProblem(null);
    try {
      const response = await fetch(`/api/destinations/${encodeURIComponent(destination.id)}`, {
        method: 'DELETE',
        headers: { accept: 'application/json' },
      });
      // Already gone is what the person wanted too.
      if (response.ok || response.status === 404) {
        dialogRef.current?.close();
        onDeleted();
        return;
      }
      setProblem(formErrorsFrom(await response.json().catch(() => undefined), response.status, []).form.join(' '));
    } catch {
      setProblem(NOT_ANSWERING);
    }
    setDeleting(false);
  }

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      onClose={() => setProblem(null)}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-900/40"
    >
      <h2 id={titleId} className="text-base font-semibold break-words">
        Delete “{destination.name}”?
      </h2>
      <p className="mt-2 text-sm text-slate-700">
        Digests stop going to this webhook, and its delivery records are removed from past runs. Slack keeps the
        webhook; remove it there too if nobody else uses it.
      </p>
      {problem && (
        <p role="alert" className="mt-3 text-sm text-red-800">
          {problem}
        </p>
      )}
      <div className="mt-4 flex flex-wrap justify-end gap-2">
        <button type="button" autoFocus onClick={() => dialogRef.current?.close()} className={secondaryButtonClassName}>
          Cancel
        </button>
        <button
          type="button"
          onClick={remove}
          disabled={deleting}
          className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-red-800 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:bg-slate-400"
        >
          {deleting ? 'Deleting…' : 'Delete destination'}
        </button>
      </div>
    </dialog>
  );
}

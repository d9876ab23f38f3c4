'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { CHECK_SEVERITIES, type CheckKind } from '@relayboard/contracts';
import { formErrorsFrom } from '@/lib/form-errors';
import { NO_ERRORS, useFormErrors } from '@/lib/use-form-errors';
import { FormAlert, FormField, SelectField } from './form-field';
import { primaryButtonClassName } from './register-dataset-form';

const KINDS = [
  { value: 'not_null', label: 'not null' },
  { value: 'unique', label: 'unique' },
  { value: 'accepted_values', label: 'accepted values' },
  { value: 'relationships', label: 'relationships (values exist in another dataset)' },
  { value: 'row_count', label: 'row count' },
] as const satisfies readonly { value: CheckKind; label: string }[];
type FormKind = (typeof KINDS)[number]['value'];

const SEVERITIES = CHECK_SEVERITIES.map((severity) => ({
  value: severity,
  label: severity === 'error' ? 'error: a failure fails the run' : 'warn: a failure is reported only',
}));

function fieldsOf(kind: FormKind): string[] {
  if (kind === 'row_count') return ['kind', 'min', 'max', 'severity'];
  if (kind === 'accepted_values') return ['kind', 'column', 'values', 'severity'];
  if (kind === 'relationships') return ['kind', 'column', 'toDataset', 'toColumn', 'severity'];
  return ['kind', 'column', 'severity'];
}

function bound(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  // Sent as typed when it is not a number, so the api's message says what is wrong with it.
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export function AddCheckForm({ datasetName, columns }: { datasetName: string; columns: string[] }) {
  const router = useRouter();
  const [kind, setKind] = useState<FormKind>('not_null');
  const [submitting, setSubmitting] = useState(false);
  const [added, setAdded] = useState('');
  const { errors, setErrors, formRef } = useFormErrors();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (field: string) => String(data.get(field) ?? '');
    const body: Record<string, unknown> = { kind, severity: text('severity') };
    if (kind === 'row_count') {
      body.min = bound(text('min'));
      body.max = bound(text('max'));
    } else {
      body.column = text('column');
    }
    if (kind === 'accepted_values') {
      body.values = text('values')
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value !== '');
    }
    if (kind === 'relationships') {
      body.toDataset = text('toDataset').trim();
      body.toColumn = text('toColumn').trim();
    }
    setSubmitting(true);
    setErrors(NO_ERRORS);
    setAdded('');
    try {
      const response = await fetch(`/api/datasets/${encodeURIComponent(datasetName)}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        form.reset();
        setKind('not_null');
        setAdded('Check added; it runs with the next build.');
        router.refresh();
      } else {
        // A row count has no column field, and its "give min, max or both" concerns no one field.
        const aliases: Record<string, string> = kind === 'row_count' ? { column: 'kind', body: 'min' } : {};
        setErrors(
          formErrorsFrom(await response.json().catch(() => undefined), response.status, fieldsOf(kind), aliases),
        );
      }
    } catch {
      setErrors({ fields: {}, form: ['The board did not answer; check that it is running and try again.'] });
    }
    setSubmitting(false);
  }

  const columnOptions = columns.map((column) => ({ value: column, label: column }));

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      noValidate
      aria-labelledby="add-check-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h3 id="add-check-title" className="font-semibold">
        Add a check
      </h3>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <SelectField
          id="check-kind"
          name="kind"
          label="Kind"
          value={kind}
          onChange={(event) => {
            setKind(event.target.value as FormKind);
            setErrors(NO_ERRORS);
          }}
          options={KINDS}
          errors={errors.fields.kind}
        />
        {kind === 'row_count' ? (
          <>
            <FormField
              id="check-min"
              name="min"
              label="Minimum rows"
              inputMode="numeric"
              autoComplete="off"
              errors={errors.fields.min}
            />
            <FormField
              id="check-max"
              name="max"
              label="Maximum rows"
              inputMode="numeric"
              autoComplete="off"
              errors={errors.fields.max}
            />
          </>
        ) : columnOptions.length > 0 ? (
          <SelectField
            id="check-column"
            name="column"
            label="Column"
            options={columnOptions}
            errors={errors.fields.column}
          />
        ) : (
          <FormField
            id="check-column"
            name="column"
            label="Column"
            autoComplete="off"
            spellCheck={false}
            hint="The schema is known after the first run; name the column as Relayboard writes it."
            errors={errors.fields.column}
          />
        )}
        {kind === 'accepted_values' && (
          <FormField
            id="check-values"
            name="values"
            label="Accepted values"
            autoComplete="off"
            spellCheck={false}
            hint="Comma-separated."
            errors={errors.fields.values}
          />
        )}
        {kind === 'relationships' && (
          <>
            <FormField
              id="check-to-dataset"
              name="toDataset"
              label="Referenced dataset"
              autoComplete="off"
              spellCheck={false}
              hint="Every value of the column must exist in this dataset's column."
              errors={errors.fields.toDataset}
            />
            <FormField
              id="check-to-column"
              name="toColumn"
              label="Referenced column"
              autoComplete="off"
              spellCheck={false}
              errors={errors.fields.toColumn}
            />
          </>
        )}
        <SelectField
          id="check-severity"
          name="severity"
          label="Severity"
          defaultValue="error"
          options={SEVERITIES}
          errors={errors.fields.severity}
        />
      </div>
      <FormAlert messages={errors.form} />
      <div className="flex items-center gap-3">
        <button type="submit" disabled={submitting} className={primaryButtonClassName}>
          Add check
        </button>
        <p role="status" className="text-xs text-slate-500">
          {submitting ? 'Adding…' : added}
        </p>
      </div>
    </form>
  );
}

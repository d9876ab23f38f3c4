'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { COLUMN_TYPES, DATE_PARTS, TIME_PARTS, type ColumnOverride } from '@relayboard/contracts';
import {
  formFromOverride,
  overrideFieldAliases,
  overrideFromForm,
  withColumnOverride,
  type OverrideFormValues,
} from '@/lib/column-overrides';
import { formErrorsFrom } from '@/lib/form-errors';
import { NO_ERRORS, useFormErrors } from '@/lib/use-form-errors';
import { FormAlert, inputClassName, SelectField } from './form-field';
import { primaryButtonClassName } from './register-dataset-form';

const secondaryButtonClassName =
  'rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-400 focus-visible:ring-offset-2 focus-visible:outline-none disabled:cursor-not-allowed disabled:text-slate-500';

const FIELDS = ['column', 'type', 'datePart', 'timePart', 'decimal', 'thousands', 'nullMarkers'];

const TYPE_OPTIONS = [
  { value: '', label: 'as inferred' },
  ...COLUMN_TYPES.map((type) => ({ value: type, label: type })),
];
const DATE_PART_OPTIONS = [{ value: '', label: 'none' }, ...DATE_PARTS.map((part) => ({ value: part, label: part }))];
const TIME_PART_OPTIONS = [
  { value: '', label: 'no time' },
  ...TIME_PARTS.map((part) => ({ value: part, label: part })),
];
const DECIMAL_OPTIONS = [
  { value: '', label: 'none' },
  { value: '.', label: '. (1234.5)' },
  { value: ',', label: ', (1234,5)' },
];
const THOUSANDS_OPTIONS = [
  { value: '', label: 'none' },
  { value: ',', label: ', (1,234)' },
  { value: '.', label: '. (1.234)' },
  { value: ' ', label: 'space (1 234)' },
  { value: "'", label: "' (1'234)" },
];

/**
 * One column's override at a time, sent as the dataset's whole set (PUT replaces
 * it): the column's stored override is loaded into the fields, Save replaces it,
 * Clear removes it. The next run applies the set.
 */
export function ColumnOverrideForm({
  datasetName,
  columns,
  overrides,
}: {
  datasetName: string;
  columns: string[];
  overrides: Record<string, ColumnOverride>;
}) {
  const router = useRouter();
  const [column, setColumn] = useState(columns[0] ?? '');
  const [values, setValues] = useState<OverrideFormValues>(formFromOverride(overrides[columns[0] ?? '']));
  const [submitting, setSubmitting] = useState(false);
  const [saved, setSaved] = useState('');
  const { errors, setErrors, formRef } = useFormErrors();

  const set = <K extends keyof OverrideFormValues>(key: K, value: OverrideFormValues[K]) =>
    setValues((current) => ({ ...current, [key]: value }));

  function choose(next: string) {
    setColumn(next);
    setValues(formFromOverride(overrides[next]));
    setErrors(NO_ERRORS);
    setSaved('');
  }

  async function send(override: ColumnOverride | null, done: string) {
    setSubmitting(true);
    setErrors(NO_ERRORS);
    setSaved('');
    try {
      const response = await fetch(`/api/datasets/${encodeURIComponent(datasetName)}/column-overrides`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ columns: withColumnOverride(overrides, column, override) }),
      });
      if (response.ok) {
        if (override === null) setValues(formFromOverride(undefined));
        setSaved(done);
        router.refresh();
      } else {
        setErrors(
          formErrorsFrom(
            await response.json().catch(() => undefined),
            response.status,
            FIELDS,
            overrideFieldAliases(column),
          ),
        );
      }
    } catch {
      setErrors({ fields: {}, form: ['The board did not answer; check that it is running and try again.'] });
    }
    setSubmitting(false);
  }

  const override = overrideFromForm(values);

  return (
    <form
      ref={formRef}
      onSubmit={(event) => {
        event.preventDefault();
        void send(override, `Override of ${column} saved; the next run applies it.`);
      }}
      noValidate
      aria-labelledby="column-override-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h3 id="column-override-title" className="font-semibold">
        Override a column
      </h3>
      <p className="text-xs text-slate-600">
        Sets how the next run types the column, whatever its values look like. Values that do not fit a forced type are
        NULL in the warehouse and counted as cast failures; staging keeps every value as it was.
      </p>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <SelectField
          id="override-column"
          name="column"
          label="Column"
          value={column}
          onChange={(event) => choose(event.target.value)}
          options={columns.map((name) => ({ value: name, label: overrides[name] ? `${name} (overridden)` : name }))}
          errors={errors.fields.column}
        />
        <SelectField
          id="override-type"
          name="type"
          label="Type"
          value={values.keepText ? '' : values.type}
          disabled={values.keepText}
          onChange={(event) => set('type', event.target.value)}
          options={TYPE_OPTIONS}
          errors={errors.fields.type}
        />
        <SelectField
          id="override-date-part"
          name="datePart"
          label="Date format"
          value={values.datePart}
          onChange={(event) => set('datePart', event.target.value)}
          options={DATE_PART_OPTIONS}
          hint="For date and timestamp types."
          errors={errors.fields.datePart}
        />
        <SelectField
          id="override-time-part"
          name="timePart"
          label="Time format"
          value={values.timePart}
          disabled={values.datePart === ''}
          onChange={(event) => set('timePart', event.target.value)}
          options={TIME_PART_OPTIONS}
          hint="For timestamp types."
          errors={errors.fields.timePart}
        />
        <SelectField
          id="override-decimal"
          name="decimal"
          label="Decimal mark"
          value={values.decimal}
          onChange={(event) => set('decimal', event.target.value)}
          options={DECIMAL_OPTIONS}
          hint="For bigint and numeric types."
          errors={errors.fields.decimal}
        />
        <SelectField
          id="override-thousands"
          name="thousands"
          label="Thousands separator"
          value={values.thousands}
          disabled={values.decimal === ''}
          onChange={(event) => set('thousands', event.target.value)}
          options={THOUSANDS_OPTIONS}
          errors={errors.fields.thousands}
        />
        <div className="flex min-w-0 flex-col gap-1 sm:col-span-2">
          <label htmlFor="override-null-markers" className="text-xs font-medium text-slate-700">
            Missing-value markers
          </label>
          <textarea
            id="override-null-markers"
            name="nullMarkers"
            rows={2}
            spellCheck={false}
            value={values.nullMarkers}
            disabled={values.noNullMarkers}
            onChange={(event) => set('nullMarkers', event.target.value)}
            aria-invalid={errors.fields.nullMarkers ? 'true' : undefined}
            aria-describedby={`override-null-markers-hint${errors.fields.nullMarkers ? ' override-null-markers-error' : ''}`}
            className={`${inputClassName} font-mono`}
          />
          <p id="override-null-markers-hint" className="text-xs text-slate-500">
            One a line, read as NULL (e.g. NA). Empty keeps what the run infers.
          </p>
          {errors.fields.nullMarkers && (
            <p id="override-null-markers-error" className="text-xs text-red-700">
              {errors.fields.nullMarkers.join(' ')}
            </p>
          )}
        </div>
      </div>
      <div className="flex flex-wrap gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            name="keepText"
            checked={values.keepText}
            onChange={(event) => set('keepText', event.target.checked)}
          />
          Keep as text
        </label>
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            name="noNullMarkers"
            checked={values.noNullMarkers}
            onChange={(event) => set('noNullMarkers', event.target.checked)}
          />
          No missing-value markers
        </label>
      </div>
      <FormAlert messages={errors.form} />
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={submitting || override === null || column === ''}
          className={primaryButtonClassName}
        >
          Save override
        </button>
        <button
          type="button"
          disabled={submitting || !overrides[column]}
          onClick={() => void send(null, `Override of ${column} cleared; the next run types it from its values.`)}
          className={secondaryButtonClassName}
        >
          Clear override
        </button>
        <p role="status" className="text-xs text-slate-500">
          {submitting ? 'Saving…' : saved}
        </p>
      </div>
    </form>
  );
}

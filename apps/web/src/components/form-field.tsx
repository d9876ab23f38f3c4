import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

interface FormFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'className'> {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
}

export const inputClassName =
  'w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-sky-500 focus:ring-2 focus:ring-sky-200 focus:outline-none aria-[invalid=true]:border-red-500 aria-[invalid=true]:focus:ring-red-200';

function describedByIds(id: string, hint: string | undefined, errors: string[]) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors.length > 0 ? `${id}-error` : undefined;
  return { hintId, errorId, describedBy: [errorId, hintId].filter(Boolean).join(' ') || undefined };
}

/** Label, control, hint and errors: the frame every field shares, with the ids that tie them together. */
function FieldFrame({
  id,
  label,
  hint,
  errors,
  control,
}: {
  id: string;
  label: string;
  hint?: string;
  errors: string[];
  control: (aria: { 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ReactNode;
}) {
  const { hintId, errorId, describedBy } = describedByIds(id, hint, errors);
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      {control({ 'aria-invalid': errors.length > 0 ? 'true' : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} className="text-xs text-red-700">
          {errors.join(' ')}
        </p>
      )}
    </div>
  );
}

/** A labelled input whose errors are tied to it, so a screen reader reads them with the field. */
export function FormField({ id, label, hint, errors = [], ...input }: FormFieldProps) {
  return (
    <FieldFrame
      id={id}
      label={label}
      hint={hint}
      errors={errors}
      control={(aria) => <input id={id} {...aria} className={inputClassName} {...input} />}
    />
  );
}

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'className'> {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
  options: readonly { value: string; label: string }[];
}

/** The select counterpart of FormField, with its errors tied to it the same way. */
export function SelectField({ id, label, hint, errors = [], options, ...select }: SelectFieldProps) {
  return (
    <FieldFrame
      id={id}
      label={label}
      hint={hint}
      errors={errors}
      control={(aria) => (
        <select id={id} {...aria} className={inputClassName} {...select}>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** Errors of a form as a whole (not of one field), announced when they appear. */
export function FormAlert({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}

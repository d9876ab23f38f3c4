'use client';

import { useEffect, useRef, useState } from 'react';
import type { FormErrors } from './form-errors';

export const NO_ERRORS: FormErrors = { fields: {}, form: [] };

/**
 * A form's errors from the api, and a ref for the form: whenever the errors change,
 * keyboard and screen reader users land on the first field the api refused.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);
  return { errors, setErrors, formRef };
}

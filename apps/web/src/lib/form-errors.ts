import { ErrorCode } from '@relayboard/contracts';

export interface FormErrors {
  /** Messages by the request field they concern (`name`, `csvUrl`, ...). */
  fields: Record<string, string[]>;
  /** Messages that concern no one field. */
  form: string[];
}

// Errors the api raises after validation, while it fetches the URL or stores the dataset.
const FIELD_BY_CODE: Record<string, string> = {
  [ErrorCode.DatasetExists]: 'name',
  [ErrorCode.UrlNotAllowed]: 'csvUrl',
  [ErrorCode.SourceUnreachable]: 'csvUrl',
  [ErrorCode.SourceHttpError]: 'csvUrl',
  [ErrorCode.SourceTooLarge]: 'csvUrl',
  [ErrorCode.SourceEmpty]: 'csvUrl',
  [ErrorCode.SourceInvalid]: 'csvUrl',
  // One check per kind and column: the column is what a person changes.
  [ErrorCode.CheckExists]: 'column',
  // Another destination has this webhook (on PATCH); a disallowed host also names the field in details.
  [ErrorCode.DestinationExists]: 'webhookUrl',
  [ErrorCode.WebhookHostNotAllowed]: 'webhookUrl',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads an api error body into messages per field, so a form can show each next to the
 * input it concerns. `fieldNames` are the fields the form has; a message about any
 * other field is shown for the whole form, named, so nothing the api said is lost.
 */
export function formErrorsFrom(
  body: unknown,
  status: number,
  fieldNames: readonly string[],
  fieldAliases: Record<string, string> = {},
): FormErrors {
  const errors: FormErrors = { fields: {}, form: [] };
  const add = (field: string | undefined, message: string) => {
    const target = field === undefined ? undefined : (fieldAliases[field] ?? field);
    if (target !== undefined && fieldNames.includes(target)) (errors.fields[target] ??= []).push(message);
    else errors.form.push(field === undefined ? message : `${field}: ${message}`);
  };

  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error === undefined || typeof error.message !== 'string') {
    errors.form.push(
      `The board got HTTP ${status} without an error it can read; try again, and check the board's and the api's logs if it keeps failing.`,
    );
    return errors;
  }

  const issues = isRecord(error.details) && Array.isArray(error.details.issues) ? error.details.issues : [];
  const readable = issues.filter(
    (issue): issue is { field: string; message: string } =>
      isRecord(issue) && typeof issue.field === 'string' && typeof issue.message === 'string',
  );
  if (readable.length > 0) {
    for (const issue of readable) add(issue.field, issue.message);
    return errors;
  }
  add(typeof error.code === 'string' ? FIELD_BY_CODE[error.code] : undefined, error.message);
  return errors;
}

import type { DestinationTestResult, NotifyOn } from '@relayboard/contracts';

export const NOTIFY_ON_OPTIONS: readonly { value: NotifyOn; label: string }[] = [
  { value: 'always', label: 'always: every run' },
  { value: 'failures', label: 'failures: failed runs' },
  { value: 'changes', label: 'changes: failures and runs whose data changed' },
];

export function describeNotifyOn(notifyOn: NotifyOn): string {
  return NOTIFY_ON_OPTIONS.find((option) => option.value === notifyOn)?.label ?? notifyOn;
}

/** A share as the api stores it (0.1) in the words a person reads (10%). */
export function formatShare(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

export function describeSuppression(hours: number | null): string {
  if (hours === null) return 'none: every failure digest is posted';
  return `at most one failure digest per dataset every ${hours} hour${hours === 1 ? '' : 's'}`;
}

/** Names separated by commas, spaces or lines; none at all routes every dataset (null). */
export function parseDatasetList(text: string): string[] | null {
  const names = text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length === 0 ? null : names;
}

/** A number as typed, or the text itself when it is not one, so the api's message says what is wrong with it. */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export interface DestinationFormValues {
  name: string;
  webhookUrl: string;
  datasets: string;
  notifyOn: string;
  rowChangeThreshold: string;
  suppressHours: string;
}

/**
 * The request body for POST /v1/destinations/slack (`create`) or PATCH (`edit`). Creating
 * leaves out what is empty, so the api's defaults apply; editing sends every routing field,
 * an empty one meaning "every dataset" or "no suppression", and a webhook URL only when a
 * new one is typed.
 */
export function destinationRequestBody(
  values: DestinationFormValues,
  mode: 'create' | 'edit',
): Record<string, unknown> {
  const name = values.name.trim();
  const webhookUrl = values.webhookUrl.trim();
  const datasets = parseDatasetList(values.datasets);
  const suppressHours = numberOrText(values.suppressHours);
  const body: Record<string, unknown> = {
    notifyOn: values.notifyOn,
    rowChangeThreshold: numberOrText(values.rowChangeThreshold),
  };
  if (mode === 'create') {
    body.webhookUrl = webhookUrl;
    if (name !== '') body.name = name;
    if (datasets !== null) body.datasets = datasets;
    if (suppressHours !== undefined) body.suppressHours = suppressHours;
  } else {
    body.name = name;
    if (webhookUrl !== '') body.webhookUrl = webhookUrl;
    body.datasets = datasets;
    body.suppressHours = suppressHours ?? null;
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

interface Issue {
  field: string;
  message: string;
}

/**
 * The api names a bad dataset by its place in the list (`datasets.1`); the form has one
 * datasets field, so the issue goes there, saying which name it is about.
 */
export function withDatasetIssuesOnTheList(body: unknown, sentDatasets: unknown): unknown {
  const error = (body as { error?: { details?: { issues?: unknown } } } | null)?.error;
  const issues = error?.details?.issues;
  if (!Array.isArray(issues)) return body;
  const list = Array.isArray(sentDatasets) ? sentDatasets : [];
  const renamed = issues.map((issue: Issue) => {
    const match = typeof issue?.field === 'string' ? /^datasets\.(\d+)$/.exec(issue.field) : null;
    if (!match) return issue;
    const name = list[Number(match[1])];
    return { field: 'datasets', message: typeof name === 'string' ? `"${name}": ${issue.message}` : issue.message };
  });
  return { ...(body as object), error: { ...error, details: { ...error?.details, issues: renamed } } };
}

// What Slack's answers mean for the person who has to fix them.
const ANSWER_HINTS: Record<string, string> = {
  no_service:
    'the webhook was removed or its Slack app uninstalled; create a new incoming webhook in Slack and paste it under Edit.',
  channel_not_found:
    "the webhook's channel no longer exists; create a new incoming webhook for another channel and paste it under Edit.",
  channel_is_archived:
    "the webhook's channel is archived; unarchive it, or paste a webhook for another channel under Edit.",
  action_prohibited: "a Slack admin restricted posting to the webhook's channel.",
  invalid_token: 'the webhook URL is not valid any more; create a new one in Slack and paste it under Edit.',
  invalid_payload: "Slack could not read the message; this is Relayboard's fault, please report it.",
  invalid_blocks: "Slack could not read the message; this is Relayboard's fault, please report it.",
};

/** The sentence the page announces after "Send test". */
export function describeTestResult(result: DestinationTestResult): string {
  if (result.status === null) return `Not sent: Slack could not be reached (${result.error ?? 'no answer'}).`;
  const answer = `HTTP ${result.status}${result.body ? ` ${result.body}` : ''}`;
  if (result.ok) return `Sent: Slack took the test message (${answer}); look for it in the channel.`;
  const body = (result.body ?? '').trim();
  const hint =
    ANSWER_HINTS[body] ??
    (result.status === 429
      ? 'Slack is limiting posts to this webhook; try again in a minute.'
      : result.status >= 500
        ? 'Slack had a problem; try again later.'
        : (result.error ?? 'check the webhook URL in Slack.'));
  return `Failed: Slack refused the test message with ${answer}: ${hint}`;
}

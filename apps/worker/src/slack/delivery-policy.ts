/** What came back from one post to a webhook. */
export type SlackAnswer =
  | { kind: 'answer'; status: number; body: string; retryAfterSeconds: number | null }
  /** A timeout or a connection error: Slack may or may not have seen the post. */
  | { kind: 'no-answer'; error: string };

export type AnswerVerdict = 'sent' | 'retry' | 'permanent';

/**
 * 2xx is delivered; 429, 5xx, timeouts and connection errors are worth another
 * try; every other answer (400 invalid_payload / invalid_blocks, 403, 404
 * no_service / channel_not_found, 410) says the webhook or the message is
 * wrong, which retrying cannot fix.
 */
export function judgeAnswer(answer: SlackAnswer): AnswerVerdict {
  if (answer.kind === 'no-answer') return 'retry';
  if (answer.status >= 200 && answer.status < 300) return 'sent';
  if (answer.status === 429 || answer.status >= 500) return 'retry';
  return 'permanent';
}

export const BACKOFF = { baseMs: 1_000, maxMs: 30_000, maxRetryAfterMs: 120_000 } as const;

/**
 * How long to wait before try `attempt + 1`: Retry-After on 429 (as Slack asks),
 * else exponential backoff with full jitter, so workers retrying together spread out.
 */
export function backoffMs(attempt: number, answer: SlackAnswer, random: () => number = Math.random): number {
  if (answer.kind === 'answer' && answer.status === 429)
    return Math.min(BACKOFF.maxRetryAfterMs, Math.max(1, answer.retryAfterSeconds ?? 1) * 1000);
  const ceiling = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Words for a person: what Slack said and what to do about it. */
export function describeAnswer(answer: SlackAnswer): string {
  if (answer.kind === 'no-answer') return `no answer from Slack (${answer.error})`;
  const said = `Slack answered ${answer.status} ${answer.body || '(empty body)'}`.trim();
  if (answer.status === 404 || answer.status === 410)
    return `${said}: the webhook was removed or its channel is gone; create a new incoming webhook in Slack and update the destination (PATCH /v1/destinations/:id)`;
  if (answer.status === 403)
    return `${said}: the webhook is not allowed to post there; check the app's permissions in Slack`;
  if (answer.status === 400)
    return `${said}: Slack refused the message itself; this is a Relayboard bug, please report it with the run id`;
  if (answer.status === 429) return `${said}: rate limited`;
  return said;
}

import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import type { SlackAnswer } from './delivery-policy';
import type { SlackMessage } from './digest';

/**
 * One post to an incoming webhook, with @slack/webhook (its own retries off:
 * delivery-policy decides), as a SlackAnswer. @slack/webhook's HTTP error has no
 * headers, so the fetch it is given keeps Retry-After for 429s.
 */
export async function postToSlack(url: string, message: SlackMessage, timeoutMs: number): Promise<SlackAnswer> {
  let retryAfter: string | null = null;
  const webhook = new IncomingWebhook(url, {
    timeout: timeoutMs,
    retryConfig: { retries: 0 },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      retryAfter = response.headers.get('retry-after');
      return response;
    },
  });
  try {
    const result = await webhook.send(message);
    return { kind: 'answer', status: 200, body: result.text ?? '', retryAfterSeconds: null };
  } catch (error) {
    if (error instanceof IncomingWebhookHTTPError) {
      const seconds = retryAfter === null ? null : Number(retryAfter);
      return {
        kind: 'answer',
        status: error.statusCode,
        body: error.body.slice(0, 1000),
        retryAfterSeconds: seconds !== null && Number.isFinite(seconds) ? seconds : null,
      };
    }
    const cause = error instanceof IncomingWebhookRequestError ? error.original : (error as Error);
    const timedOut = cause?.name === 'TimeoutError' || cause?.name === 'AbortError';
    return {
      kind: 'no-answer',
      error: timedOut ? `no answer within ${timeoutMs} ms` : (cause?.message ?? String(error)),
    };
  }
}

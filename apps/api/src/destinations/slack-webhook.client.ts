import { Injectable } from '@nestjs/common';
import type { DestinationTestResult } from '@relayboard/contracts';

const TIMEOUT_MS = 10_000;
/** Slack answers a word (`ok`, `no_service`); anything longer is not worth returning whole. */
const MAX_BODY_CHARS = 1000;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** Posts to a Slack incoming webhook and reports what came back; the URL never appears in what it returns. */
@Injectable()
export class SlackWebhookClient {
  async post(url: string, message: SlackMessage): Promise<DestinationTestResult> {
    const host = new URL(url).host;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        // A redirect would send the message somewhere SLACK_WEBHOOK_HOSTS did not allow.
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = (await res.text()).slice(0, MAX_BODY_CHARS);
      return { ok: res.status >= 200 && res.status < 300, status: res.status, body, error: null };
    } catch (error) {
      return { ok: false, status: null, body: null, error: scrub(describe(error as Error, host), url) };
    }
  }
}

function describe(error: Error, host: string): string {
  if (error.name === 'TimeoutError' || error.name === 'AbortError')
    return `${host} did not answer within ${TIMEOUT_MS / 1000} s`;
  const cause = (error as Error & { cause?: Error }).cause;
  return `could not reach ${host}: ${cause?.message ?? error.message}`;
}

/** Node's errors name the address, not the path; this keeps it so if one ever does. */
function scrub(text: string, url: string): string {
  const { pathname } = new URL(url);
  return pathname.length > 1 ? text.split(url).join('(the webhook URL)').split(pathname).join('/services/…') : text;
}

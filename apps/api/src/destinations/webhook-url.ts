import { ErrorCode } from '@relayboard/contracts';
import type { DestinationRow } from '@relayboard/db';
import { maskWebhookUrl, type SecretBox } from '@relayboard/secrets';
import { DomainError } from '../common/domain-error';

const SLACK_HOST = 'hooks.slack.com';

/** The field in the message and, like the validation pipe's, in `details.issues`, so a form can show it on the field. */
function refuse(code: ErrorCode, field: string, message: string): DomainError {
  return new DomainError(code, `${field}: ${message}`, { issues: [{ field, message }] });
}

/**
 * Refuses what is not an incoming-webhook URL on an allowed host. Real Slack is
 * https only; a host added to SLACK_WEBHOOK_HOSTS (a stand-in, a proxy) may be
 * http. The messages name the host and the path shape only: the URL is a secret.
 */
export function assertWebhookUrl(url: string, allowedHosts: string[], field = 'webhookUrl'): void {
  const parsed = new URL(url);
  const host = parsed.hostname.toLowerCase();
  const extraHost = host !== SLACK_HOST && allowedHosts.includes(host);
  if (!allowedHosts.includes(host)) {
    throw refuse(
      ErrorCode.WebhookHostNotAllowed,
      field,
      `host "${host}" is not an allowed Slack webhook host (${allowedHosts.join(', ')}); use the https://hooks.slack.com/services/... URL from Slack's Incoming Webhooks page, or add the host to SLACK_WEBHOOK_HOSTS`,
    );
  }
  if (parsed.protocol !== 'https:' && !(extraHost && parsed.protocol === 'http:')) {
    throw refuse(
      ErrorCode.ValidationFailed,
      field,
      `must be an https:// URL for ${host}${host === SLACK_HOST ? '' : ' (http:// is accepted only for hosts other than hooks.slack.com listed in SLACK_WEBHOOK_HOSTS)'}`,
    );
  }
  if (parsed.username || parsed.password) {
    throw refuse(
      ErrorCode.ValidationFailed,
      field,
      'must not carry a user name or password; paste the URL exactly as Slack shows it',
    );
  }
  if (parsed.search || parsed.hash) {
    throw refuse(
      ErrorCode.ValidationFailed,
      field,
      'must not have a query or fragment; paste the URL exactly as Slack shows it',
    );
  }
  const segments = parsed.pathname.split('/');
  // ['', 'services', team, bot, token, ...]: an empty segment is a doubled or trailing slash.
  if (segments[1] !== 'services' || segments.length < 5 || segments.slice(2).some((s) => s === '')) {
    throw refuse(
      ErrorCode.ValidationFailed,
      field,
      "the path must be /services/<team>/<bot>/<token> like Slack's https://hooks.slack.com/services/T…/B…/…; copy the whole URL from Slack's Incoming Webhooks page",
    );
  }
}

/** The stored form of a webhook URL: never the URL itself. */
export function sealWebhookUrl(
  box: SecretBox,
  url: string,
): Pick<DestinationRow, 'webhook_encrypted' | 'webhook_fingerprint' | 'webhook_masked'> {
  return {
    webhook_encrypted: box.encrypt(url),
    webhook_fingerprint: box.fingerprint(url),
    webhook_masked: maskWebhookUrl(url),
  };
}

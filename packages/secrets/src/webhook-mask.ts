/**
 * A Slack webhook URL as it may be shown: `https://hooks.slack.com/services/T0…/B0…/••••3f9a`.
 * The token (the last segment) is the secret, so at most its last 4 characters
 * show, and never more than a quarter of it, so short test tokens stay hidden too.
 * Never throws: legacy rows may hold URLs that today's validation refuses.
 */
export function maskWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '••••';
  }
  const origin = `${parsed.protocol}//${parsed.host}`;
  const segments = parsed.pathname.split('/').filter(Boolean);
  if (segments[0] !== 'services' || segments.length < 4) return `${origin}/••••`;
  const token = segments[segments.length - 1];
  const shown = Math.min(4, Math.floor(token.length / 4));
  const tail = shown > 0 ? token.slice(-shown) : '';
  return `${origin}/services/${segments[1].slice(0, 2)}…/${segments[2].slice(0, 2)}…/••••${tail}`;
}

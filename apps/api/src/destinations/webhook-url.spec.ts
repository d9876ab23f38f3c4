import { ErrorCode } from '@relayboard/contracts';
import { SecretBox } from '@relayboard/secrets';
import { DomainError } from '../common/domain-error';
import { assertWebhookUrl, sealWebhookUrl } from './webhook-url';

const HOSTS = ['hooks.slack.com', '127.0.0.1', 'localhost'];

function problem(url: string, hosts = HOSTS): { code: ErrorCode; message: string; details: unknown } | null {
  try {
    assertWebhookUrl(url, hosts);
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
}

describe('assertWebhookUrl', () => {
  it.each([
    'https://hooks.slack.com/services/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',
    'https://HOOKS.slack.com/services/T1/B1/token',
    'http://127.0.0.1:4010/services/T000/B000/readme',
    'https://localhost/services/T1/B1/token/extra',
  ])('accepts %s', (url) => {
    expect(problem(url)).toBeNull();
  });

  it('refuses a host outside SLACK_WEBHOOK_HOSTS, naming the setting and not the path', () => {
    const sut = problem('https://evil.example.com/services/T1/B1/secret-token');
    expect(sut).toMatchObject({
      code: ErrorCode.WebhookHostNotAllowed,
      message: expect.stringMatching(/^webhookUrl: host "evil\.example\.com".*SLACK_WEBHOOK_HOSTS/),
    });
    expect(sut?.message).not.toContain('secret-token');
  });

  it('refuses the stand-in hosts unless they are listed', () => {
    expect(problem('http://127.0.0.1:4010/services/T1/B1/token', ['hooks.slack.com'])?.code).toBe(
      ErrorCode.WebhookHostNotAllowed,
    );
  });

  it('refuses http for hooks.slack.com', () => {
    expect(problem('http://hooks.slack.com/services/T1/B1/token')).toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: expect.stringMatching(/https:\/\//),
    });
  });

  it.each([
    ['a path outside /services/', 'https://hooks.slack.com/workflows/T1/B1/token'],
    ['too few segments', 'https://hooks.slack.com/services/T1/B1'],
    ['an empty segment', 'https://hooks.slack.com/services/T1//token'],
    ['a trailing slash after two segments', 'https://hooks.slack.com/services/T1/B1/'],
  ])('refuses %s, saying the shape', (_what, url) => {
    expect(problem(url)).toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: expect.stringMatching(/^webhookUrl: the path must be \/services\/<team>\/<bot>\/<token>/),
    });
  });

  it.each([
    ['a host outside SLACK_WEBHOOK_HOSTS', 'https://evil.example.com/services/T1/B1/token'],
    ['http for hooks.slack.com', 'http://hooks.slack.com/services/T1/B1/token'],
    ['a path outside /services/', 'https://hooks.slack.com/workflows/T1/B1/token'],
  ])('names the field of %s in details.issues, as the validation pipe does', (_what, url) => {
    const sut = problem(url);
    expect(sut?.details).toEqual({
      issues: [{ field: 'webhookUrl', message: sut?.message.replace(/^webhookUrl: /, '') }],
    });
    expect(sut?.message).toMatch(/^webhookUrl: ./);
  });

  it('refuses credentials, a query or a fragment', () => {
    expect(problem('https://u:p@hooks.slack.com/services/T1/B1/token')?.message).toMatch(/user name or password/);
    expect(problem('https://hooks.slack.com/services/T1/B1/token?x=1')?.message).toMatch(/query or fragment/);
    expect(problem('https://hooks.slack.com/services/T1/B1/token#x')?.message).toMatch(/query or fragment/);
  });
});

describe('sealWebhookUrl', () => {
  it('stores a token that decrypts to the URL, its fingerprint and its masked form, and not the URL', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const url = 'https://hooks.slack.com/services/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';
    const sut = sealWebhookUrl(box, url);
    expect(box.decrypt(sut.webhook_encrypted as string)).toBe(url);
    expect(sut.webhook_fingerprint).toBe(box.fingerprint(url));
    expect(sut.webhook_masked).toBe('https://hooks.slack.com/services/T0…/B0…/••••3f9a');
    expect(JSON.stringify(sut)).not.toContain('x9Kp2Lm4Qr7sT1vW3yZ5');
  });
});

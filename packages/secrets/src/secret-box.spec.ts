import { SecretBox, SecretsKeyError, maskWebhookUrl, secretBoxFromConfig } from './index';

const WEBHOOK = 'https://hooks.slack.com/services/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';

describe('SecretBox', () => {
  const sut = new SecretBox(Buffer.alloc(32, 7));

  it('decrypts what it encrypted', () => {
    expect(sut.decrypt(sut.encrypt(WEBHOOK))).toBe(WEBHOOK);
    expect(sut.decrypt(sut.encrypt(''))).toBe('');
    expect(sut.decrypt(sut.encrypt('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('uses a fresh IV, so the same secret encrypts differently each time', () => {
    const first = sut.encrypt(WEBHOOK);
    const second = sut.encrypt(WEBHOOK);
    expect(first).not.toBe(second);
    expect(first.split('.')[1]).not.toBe(second.split('.')[1]);
  });

  it('keeps no part of the secret readable in the token', () => {
    const token = sut.encrypt(WEBHOOK);
    expect(token).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    for (const part of ['hooks.slack.com', 'T024BE7LD', 'x9Kp2Lm4Qr7sT1vW3yZ53f9a']) expect(token).not.toContain(part);
  });

  it('refuses a token under another key with a SecretsKeyError naming SECRETS_KEY', () => {
    const other = new SecretBox(Buffer.alloc(32, 8));
    const token = sut.encrypt(WEBHOOK);
    expect(() => other.decrypt(token)).toThrow(SecretsKeyError);
    expect(() => other.decrypt(token)).toThrow(/SECRETS_KEY/);
  });

  it('refuses a changed token', () => {
    const [version, iv, tag, ciphertext] = sut.encrypt(WEBHOOK).split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => sut.decrypt([version, iv, tag, flipped.toString('base64url')].join('.'))).toThrow(SecretsKeyError);
    expect(() => sut.decrypt([version, iv, Buffer.alloc(16).toString('base64url'), ciphertext].join('.'))).toThrow(
      SecretsKeyError,
    );
    expect(() => sut.decrypt('v2.a.b.c')).toThrow(SecretsKeyError);
    expect(() => sut.decrypt('not a token')).toThrow(SecretsKeyError);
  });

  it('fingerprints stably under one key and differently under another', () => {
    const sameKey = new SecretBox(Buffer.alloc(32, 7));
    const otherKey = new SecretBox(Buffer.alloc(32, 8));
    expect(sut.fingerprint(WEBHOOK)).toMatch(/^[0-9a-f]{64}$/);
    expect(sameKey.fingerprint(WEBHOOK)).toBe(sut.fingerprint(WEBHOOK));
    expect(otherKey.fingerprint(WEBHOOK)).not.toBe(sut.fingerprint(WEBHOOK));
    expect(sut.fingerprint(`${WEBHOOK}x`)).not.toBe(sut.fingerprint(WEBHOOK));
  });

  it('reads a generated key and refuses keys that are not 32 bytes of base64', () => {
    const key = SecretBox.generateKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    const box = SecretBox.fromBase64(key);
    expect(box.decrypt(box.encrypt('x'))).toBe('x');
    expect(() => SecretBox.fromBase64(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => SecretBox.fromBase64('not base64!')).toThrow(/not base64/);
  });

  it('refuses to build without SECRETS_KEY, saying how to make one', () => {
    expect(() => secretBoxFromConfig({ secretsKey: null })).toThrow(SecretsKeyError);
    expect(() => secretBoxFromConfig({ secretsKey: null })).toThrow(/SECRETS_KEY is not set.*openssl rand -base64 32/);
  });
});

describe('maskWebhookUrl', () => {
  it('shows the host, the start of the team and bot ids and the last 4 characters of the token', () => {
    expect(maskWebhookUrl(WEBHOOK)).toBe('https://hooks.slack.com/services/T0…/B0…/••••3f9a');
  });

  it('keeps the same shape for other hosts, port included', () => {
    expect(maskWebhookUrl('http://127.0.0.1:4010/services/T000/B000/abcdefghijklmnop')).toBe(
      'http://127.0.0.1:4010/services/T0…/B0…/••••mnop',
    );
  });

  it('shows at most a quarter of a short token', () => {
    expect(maskWebhookUrl('https://hooks.slack.com/services/T1/B1/readme')).toBe(
      'https://hooks.slack.com/services/T1…/B1…/••••e',
    );
    expect(maskWebhookUrl('https://hooks.slack.com/services/T1/B1/abc')).toBe(
      'https://hooks.slack.com/services/T1…/B1…/••••',
    );
  });

  it('hides the whole path of URLs that are not /services/<team>/<bot>/<token>, and never throws', () => {
    expect(maskWebhookUrl('https://hooks.slack.com/services/secret-token')).toBe('https://hooks.slack.com/••••');
    expect(maskWebhookUrl('https://example.com/hook/secret-token')).toBe('https://example.com/••••');
    expect(maskWebhookUrl('not a url')).toBe('••••');
  });

  it('never shows credentials, a query or a fragment', () => {
    expect(maskWebhookUrl('https://user:pw@hooks.slack.com/services/T1/B1/tokentokentoken1?k=secret#frag')).toBe(
      'https://hooks.slack.com/services/T1…/B1…/••••ken1',
    );
  });
});

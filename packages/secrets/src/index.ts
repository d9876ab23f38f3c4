import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { AppConfig } from '@relayboard/config';

const VERSION = 'v1';
const IV_BYTES = 12;

/** A missing, malformed or wrong SECRETS_KEY: the message says what to do. */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

const HOW_TO_GET_ONE =
  'generate one with `openssl rand -base64 32` and keep it: it is the only way to read the stored webhook URLs (the local stack keeps its own in .relayboard/secrets.key)';

/**
 * Encrypts secrets at rest (webhook URLs) with AES-256-GCM under SECRETS_KEY.
 * Tokens are `v1.<iv>.<tag>.<ciphertext>` in base64url; GCM's tag makes a wrong
 * key or a changed token fail loudly instead of decrypting to garbage.
 * Fingerprints are HMAC-SHA256 under a key derived from the same secret, so a
 * webhook registered twice is found without storing it in the clear.
 */
export class SecretBox {
  private readonly encryptionKey: Buffer;
  private readonly fingerprintKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32)
      throw new SecretsKeyError(
        `SECRETS_KEY must be 32 bytes in base64 (it decodes to ${key.length}); ${HOW_TO_GET_ONE}`,
      );
    this.encryptionKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'relayboard secrets v1: encryption', 32));
    this.fingerprintKey = Buffer.from(
      hkdfSync('sha256', key, Buffer.alloc(0), 'relayboard secrets v1: fingerprint', 32),
    );
  }

  static fromBase64(value: string): SecretBox {
    const trimmed = value.trim();
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))
      throw new SecretsKeyError(`SECRETS_KEY is not base64; ${HOW_TO_GET_ONE}`);
    return new SecretBox(Buffer.from(trimmed, 'base64'));
  }

  /** A new random key, base64, for SECRETS_KEY. */
  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(token: string): string {
    const [version, iv, tag, ciphertext] = token.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined)
      throw new SecretsKeyError('a stored secret is not a Relayboard v1 token; it was changed outside Relayboard');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsKeyError(
        `SECRETS_KEY does not decrypt the stored secrets: it is not the key they were encrypted with; set SECRETS_KEY back to that key`,
      );
    }
  }

  fingerprint(plain: string): string {
    return createHmac('sha256', this.fingerprintKey).update(plain, 'utf8').digest('hex');
  }
}

/** The SecretBox of the configured SECRETS_KEY; the api and the worker refuse to start without one. */
export function secretBoxFromConfig(config: Pick<AppConfig, 'secretsKey'>): SecretBox {
  if (!config.secretsKey)
    throw new SecretsKeyError(
      `SECRETS_KEY is not set: Relayboard encrypts Slack webhook URLs with it; ${HOW_TO_GET_ONE}`,
    );
  return SecretBox.fromBase64(config.secretsKey);
}

export { maskWebhookUrl } from './webhook-mask';

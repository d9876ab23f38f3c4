import { parseIdempotencyKey } from './runs';

describe('parseIdempotencyKey', () => {
  it('takes a Structured Field string and a bare token', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('nightly:2026-12-01')).toBe('nightly:2026-12-01');
    expect(parseIdempotencyKey('a'.repeat(255))).toBe('a'.repeat(255));
  });

  it('refuses empty, too long, spaced, non-ASCII and quote-broken keys', () => {
    for (const bad of ['', '""', '"', 'a'.repeat(256), 'two words', 'clé', '"a"b"', 'a\\b', '"a", "b"', 'tab\there']) {
      expect({ bad, key: parseIdempotencyKey(bad) }).toEqual({ bad, key: null });
    }
  });
});

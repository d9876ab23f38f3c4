import { ErrorCode } from '@relayboard/contracts';
import { DomainError } from '../common/domain-error';
import {
  authorize,
  generateToken,
  hashToken,
  isPublicPath,
  parseAuthorization,
  requiredScope,
  scopeAllows,
  tokenPrefix,
  type AccessRequest,
  type TokenLookup,
} from './auth-policy';

const TOKEN = generateToken();

function request(
  overrides: Partial<AccessRequest> & { found?: TokenLookup } = {},
): AccessRequest & { lookup: jest.Mock } {
  const found = overrides.found ?? { kind: 'valid', token: { id: 't1', name: 'ci', scope: 'read' } };
  return {
    authEnabled: true,
    method: 'GET',
    path: '/v1/runs',
    authorization: `Bearer ${TOKEN}`,
    ...overrides,
    lookup: jest.fn(async () => found),
  };
}

async function refusal(sut: Promise<unknown>): Promise<DomainError> {
  const error = await sut.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('scopeAllows', () => {
  it('orders admin above write above read', () => {
    expect(scopeAllows('admin', 'write')).toBe(true);
    expect(scopeAllows('admin', 'read')).toBe(true);
    expect(scopeAllows('write', 'read')).toBe(true);
    expect(scopeAllows('write', 'write')).toBe(true);
    expect(scopeAllows('read', 'write')).toBe(false);
    expect(scopeAllows('write', 'admin')).toBe(false);
    expect(scopeAllows('read', 'admin')).toBe(false);
  });
});

describe('requiredScope', () => {
  it('asks read of reads and write of changes, unless the route names its scope', () => {
    expect(requiredScope('GET')).toBe('read');
    expect(requiredScope('head')).toBe('read');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(requiredScope(method)).toBe('write');
    expect(requiredScope('GET', 'admin')).toBe('admin');
    expect(requiredScope('DELETE', 'admin')).toBe('admin');
  });
});

describe('parseAuthorization', () => {
  it('takes the token of a Bearer header', () => {
    expect(parseAuthorization(`Bearer ${TOKEN}`)).toEqual({ kind: 'token', token: TOKEN });
    expect(parseAuthorization(`bearer   ${TOKEN} `)).toEqual({ kind: 'token', token: TOKEN });
  });

  it('tells a missing header from a malformed one', () => {
    expect(parseAuthorization(undefined)).toEqual({ kind: 'missing' });
    expect(parseAuthorization('  ')).toEqual({ kind: 'missing' });
    expect(parseAuthorization(`Basic ${TOKEN}`).kind).toBe('malformed');
    expect(parseAuthorization(TOKEN).kind).toBe('malformed');
    expect(parseAuthorization('Bearer not-a-relayboard-token').kind).toBe('malformed');
    expect(parseAuthorization(`Bearer ${TOKEN}x`).kind).toBe('malformed');
    expect(parseAuthorization(`Bearer ${TOKEN} extra`).kind).toBe('malformed');
  });
});

describe('generateToken / hashToken', () => {
  it('makes distinct rb_ tokens of 32 random bytes, hashed with SHA-256', () => {
    const other = generateToken();
    expect(TOKEN).toMatch(/^rb_[A-Za-z0-9_-]{43}$/);
    expect(other).not.toBe(TOKEN);
    expect(hashToken(TOKEN)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(TOKEN)).not.toBe(hashToken(other));
    expect(hashToken(TOKEN)).not.toContain(TOKEN.slice(3));
    expect(tokenPrefix(TOKEN)).toBe(TOKEN.slice(0, 7));
  });
});

describe('isPublicPath', () => {
  it('opens the probes, metrics and docs, and nothing under /v1', () => {
    for (const path of [
      '/health',
      '/ready',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/docs/',
      '/docs/index.css',
      '/health/',
    ])
      expect(isPublicPath(path)).toBe(true);
    for (const path of ['/v1/runs', '/v1/health', '/healthz', '/docsx', '/', '/v1/tokens'])
      expect(isPublicPath(path)).toBe(false);
  });
});

describe('authorize', () => {
  it('lets a token of a large enough scope through and hands it on', async () => {
    const sut = request();
    await expect(authorize(sut)).resolves.toEqual({ id: 't1', name: 'ci', scope: 'read' });
    expect(sut.lookup).toHaveBeenCalledWith(TOKEN);
  });

  it('with AUTH=off asks for no token and looks none up', async () => {
    const sut = request({
      authEnabled: false,
      method: 'DELETE',
      path: '/v1/tokens/x',
      authorization: undefined,
      routeScope: 'admin',
    });
    await expect(authorize(sut)).resolves.toBeNull();
    expect(sut.lookup).not.toHaveBeenCalled();
  });

  it('leaves public paths open without a token', async () => {
    const sut = request({ path: '/ready', authorization: undefined });
    await expect(authorize(sut)).resolves.toBeNull();
    expect(sut.lookup).not.toHaveBeenCalled();
  });

  it('refuses a request without a token with 401, saying how to get one', async () => {
    const error = await refusal(authorize(request({ authorization: undefined })));
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toContain('Authorization: Bearer');
    expect(error.message).toContain('.relayboard/admin-token');
  });

  it.each([
    ['unknown', { kind: 'unknown' }, 'not one this api gave out'],
    [
      'revoked',
      { kind: 'revoked', name: 'ci', at: new Date('2026-01-01T00:00:00Z') },
      'was revoked at 2026-01-01T00:00:00.000Z',
    ],
    [
      'expired',
      { kind: 'expired', name: 'ci', at: new Date('2026-01-02T00:00:00Z') },
      'expired at 2026-01-02T00:00:00.000Z',
    ],
  ] as const)('refuses a %s token with 401 saying which', async (reason, found, words) => {
    const error = await refusal(authorize(request({ found: found as TokenLookup })));
    expect(error.code).toBe(ErrorCode.Unauthorized);
    expect(error.message).toContain(words);
    expect(error.details).toEqual({ reason });
  });

  it('refuses a malformed header with 401 without looking anything up', async () => {
    const sut = request({ authorization: 'Bearer abc' });
    expect((await refusal(authorize(sut))).code).toBe(ErrorCode.Unauthorized);
    expect(sut.lookup).not.toHaveBeenCalled();
  });

  it('refuses a token whose scope is too small with 403 naming the scope needed', async () => {
    const error = await refusal(authorize(request({ method: 'POST', path: '/v1/pipelines/run' })));
    expect(error.code).toBe(ErrorCode.Forbidden);
    expect(error.message).toContain('needs a token with scope write');
    expect(error.details).toEqual({ requiredScope: 'write', tokenScope: 'read' });
    const admin = await refusal(
      authorize(
        request({
          path: '/v1/audit',
          routeScope: 'admin',
          found: { kind: 'valid', token: { id: 't2', name: 'ops', scope: 'write' } },
        }),
      ),
    );
    expect(admin.code).toBe(ErrorCode.Forbidden);
    expect(admin.details).toEqual({ requiredScope: 'admin', tokenScope: 'write' });
  });
});

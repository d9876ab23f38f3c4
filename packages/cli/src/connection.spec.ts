import { DEFAULT_API_URL, resolveConnection } from './connection';

describe('where the CLI finds the api and its token', () => {
  const files = (entries: Record<string, string>) => (file: string) => entries[file] ?? null;

  it("takes flags first, then the environment, then the local stack's files, then the default", () => {
    const readFile = files({ '/h/api-url': 'http://127.0.0.1:4100/\n', '/h/admin-token': 'rb_file\n' });
    expect(
      resolveConnection({
        flags: { apiUrl: 'http://a:1', token: 't1' },
        env: { RELAYBOARD_API_URL: 'http://b:2', RELAYBOARD_TOKEN: 't2' },
        home: '/h',
        readFile,
      }),
    ).toEqual({
      apiUrl: 'http://a:1',
      token: 't1',
      apiUrlFrom: '--api-url',
      tokenFrom: '--token',
    });
    expect(
      resolveConnection({
        flags: {},
        env: { RELAYBOARD_API_URL: 'http://b:2', RELAYBOARD_TOKEN: 't2' },
        home: '/h',
        readFile,
      }),
    ).toMatchObject({ apiUrl: 'http://b:2', token: 't2', tokenFrom: 'RELAYBOARD_TOKEN' });
    expect(resolveConnection({ flags: {}, env: {}, home: '/h', readFile })).toEqual({
      apiUrl: 'http://127.0.0.1:4100',
      token: 'rb_file',
      apiUrlFrom: '/h/api-url',
      tokenFrom: '/h/admin-token',
    });
    expect(resolveConnection({ flags: {}, env: {}, home: '/none', readFile })).toEqual({
      apiUrl: DEFAULT_API_URL,
      token: null,
      apiUrlFrom: 'the default',
      tokenFrom: null,
    });
  });

  it('refuses an api URL that is not http(s), naming where it came from', () => {
    expect(() =>
      resolveConnection({ flags: { apiUrl: 'localhost:4000' }, env: {}, home: '/h', readFile: () => null }),
    ).toThrow(/from --api-url/);
    expect(() =>
      resolveConnection({ flags: {}, env: { RELAYBOARD_API_URL: 'ftp://x' }, home: '/h', readFile: () => null }),
    ).toThrow(/must be http/);
  });
});

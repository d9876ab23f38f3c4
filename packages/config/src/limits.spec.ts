import { loadConfig } from './index';

describe('request and fetch limits', () => {
  it('defaults to a 1 MiB JSON body, a 30 s headers timeout and a 10 minute fetch deadline', () => {
    const config = loadConfig({});
    expect(config.api.jsonBodyLimit).toBe(1024 ** 2);
    expect(config.fetch).toMatchObject({ headersTimeoutMs: 30_000, deadlineMs: 600_000 });
    expect(config.api.readyChecksDbt).toBe(true);
  });

  it.each([
    ['65536', 65536],
    ['64kb', 64 * 1024],
    ['2MB', 2 * 1024 ** 2],
    [' 1 gb ', 1024 ** 3],
  ])('reads API_JSON_BODY_LIMIT=%j as %d bytes', (value, bytes) => {
    expect(loadConfig({ API_JSON_BODY_LIMIT: value }).api.jsonBodyLimit).toBe(bytes);
  });

  it.each(['1.5mb', 'lots', '0', '-1kb'])('refuses API_JSON_BODY_LIMIT=%j, naming the variable', (value) => {
    expect(() => loadConfig({ API_JSON_BODY_LIMIT: value })).toThrow(/API_JSON_BODY_LIMIT: must be/);
  });
});

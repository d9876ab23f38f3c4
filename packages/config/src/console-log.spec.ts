import { routeConsoleTo } from './console-log';

describe('routeConsoleTo', () => {
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
  };
  afterEach(() => Object.assign(console, saved));

  it('sends console.* through the logger, formatted as console would', () => {
    const lines: string[] = [];
    const at = (level: string) => (message: string) => lines.push(`${level} ${message}`);
    routeConsoleTo({ info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') });
    console.log('ready on %d', 4000);
    console.warn('[ioredis] Unhandled error event:', new Error('connect ECONNREFUSED').message);
    console.error({ code: 'E1' });
    console.debug('x');
    Object.assign(console, saved);
    expect(lines).toEqual([
      'info ready on 4000',
      'warn [ioredis] Unhandled error event: connect ECONNREFUSED',
      "error { code: 'E1' }",
      'debug x',
    ]);
  });
});

import { Writable } from 'node:stream';
import { createApiLog, JsonNestLogger, nestLogFields } from './json-logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("Nest's Logger calls as JSON lines", () => {
  it('reads the context Nest passes last, and a stack before it on error()', () => {
    expect(nestLogFields('listening', ['api'], false)).toEqual({ msg: 'listening', context: 'api' });
    expect(nestLogFields('boom', ['Error: boom\n    at x (y.js:1:1)', 'http'], true)).toEqual({
      msg: 'boom',
      stack: 'Error: boom\n    at x (y.js:1:1)',
      context: 'http',
    });
    expect(nestLogFields('boom', ['Error: boom\n    at x (y.js:1:1)'], true)).toEqual({
      msg: 'boom',
      stack: 'Error: boom\n    at x (y.js:1:1)',
    });
    expect(nestLogFields({ a: 1 }, [], false)).toEqual({ msg: '{"a":1}' });
  });

  it('writes one JSON object per line with level, service and context, at LOG_LEVEL and above', () => {
    const { stream, lines } = capture();
    const logger = new JsonNestLogger(createApiLog('info', stream));
    logger.log('applied migrations', 'core');
    logger.debug('not written at info', 'core');
    logger.warn('a warning', 'runs');
    logger.error('failed', 'Error: failed\n    at z', 'http');
    expect(lines().map(({ level, service, context, msg }) => ({ level, service, context, msg }))).toEqual([
      { level: 'info', service: 'api', context: 'core', msg: 'applied migrations' },
      { level: 'warn', service: 'api', context: 'runs', msg: 'a warning' },
      { level: 'error', service: 'api', context: 'http', msg: 'failed' },
    ]);
    expect(lines()[2].stack).toContain('at z');
    expect(typeof lines()[0].time).toBe('string');
  });

  it('writes debug lines when LOG_LEVEL=debug', () => {
    const { stream, lines } = capture();
    new JsonNestLogger(createApiLog('debug', stream)).debug('now written', 'core');
    expect(lines()).toHaveLength(1);
  });
});

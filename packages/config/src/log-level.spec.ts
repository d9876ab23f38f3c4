import { LOG_LEVELS, loadConfig } from './index';

describe('LOG_LEVEL', () => {
  it('defaults to info and takes each of pino level names', () => {
    expect(loadConfig({}).logLevel).toBe('info');
    for (const level of LOG_LEVELS) expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it.each(['verbose', 'INFO', 'loud'])('refuses LOG_LEVEL=%j, naming the variable', (value) => {
    expect(() => loadConfig({ LOG_LEVEL: value })).toThrow(/LOG_LEVEL/);
  });
});

import { Writable } from 'node:stream';
import { createLog, type RunLogFields } from './log';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, text: () => text };
}

describe("the worker's JSON log", () => {
  it("binds a run's fields to every line of its child loggers, each field once", () => {
    const { stream, text } = capture();
    const base = createLog('info', stream);
    const run: RunLogFields = { runId: 'r1', dataset: 'orders', step: null };
    base.child({ ...run }).info('attempt 1 started');
    base.child({ ...run, step: 'stage' }).info({ durationMs: 5 }, 'stage succeeded');
    const raw = text().split('\n').filter(Boolean);
    expect(raw).toHaveLength(2);
    for (const line of raw) expect(line.match(/"step":/g)).toHaveLength(1);
    const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      lines.map(({ runId, dataset, step, msg, level, service }) => ({ runId, dataset, step, msg, level, service })),
    ).toEqual([
      { runId: 'r1', dataset: 'orders', step: null, msg: 'attempt 1 started', level: 'info', service: 'worker' },
      { runId: 'r1', dataset: 'orders', step: 'stage', msg: 'stage succeeded', level: 'info', service: 'worker' },
    ]);
    expect(lines[1].durationMs).toBe(5);
  });

  it('honours the level: debug is left out at info, warn is kept at warn', () => {
    const { stream, text } = capture();
    const log = createLog('warn', stream);
    log.info('left out');
    log.debug('left out');
    log.warn('kept');
    expect(
      text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['kept']);
  });
});

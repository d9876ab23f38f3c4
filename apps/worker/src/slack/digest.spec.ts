import { buildDigest } from './digest';

const base = { dataset: 'orders', runId: 'r1', runUrl: 'http://board/runs/r1', durationMs: 4200 };

describe('buildDigest', () => {
  it('names the dataset and the row count on success', () => {
    const sut = buildDigest({ ...base, metrics: { stage: { rows: 12345, bytes: 2048 }, transform: { models: 2, tests: 2 } }, failure: null });
    expect(sut.text).toBe('Relayboard: orders loaded 12,345 rows');
    expect(JSON.stringify(sut.blocks)).toContain('2.0 KB');
    expect(JSON.stringify(sut.blocks)).toContain('warehouse.orders');
  });

  it('gives the failing step and reason on failure, clipped to Slack limits', () => {
    const sut = buildDigest({ ...base, metrics: {}, failure: { step: 'transform', message: 'x'.repeat(5000) } });
    expect(sut.text).toBe('Relayboard: orders failed at transform');
    const section = sut.blocks[1] as { type: string; text?: { text: string } };
    const text = section.text?.text ?? '';
    expect(text.length).toBeLessThanOrEqual(2800);
    expect(text).toContain('*Step:* transform');
  });
});

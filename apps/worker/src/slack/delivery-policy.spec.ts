import { backoffMs, BACKOFF, describeAnswer, judgeAnswer, type SlackAnswer } from './delivery-policy';

const answer = (status: number, body = 'ok', retryAfterSeconds: number | null = null): SlackAnswer => ({
  kind: 'answer',
  status,
  body,
  retryAfterSeconds,
});

describe('what to do with an answer from Slack', () => {
  it('treats 2xx as delivered, 429, 5xx and no answer as worth another try, other answers as permanent', () => {
    expect(judgeAnswer(answer(200))).toBe('sent');
    expect(judgeAnswer(answer(429, 'rate_limited', 3))).toBe('retry');
    expect(judgeAnswer(answer(500, 'internal_error'))).toBe('retry');
    expect(judgeAnswer(answer(503, ''))).toBe('retry');
    expect(judgeAnswer({ kind: 'no-answer', error: 'timeout of 10000ms exceeded' })).toBe('retry');
    for (const [status, body] of [
      [400, 'invalid_blocks'],
      [400, 'invalid_payload'],
      [403, 'action_prohibited'],
      [404, 'no_service'],
      [404, 'channel_not_found'],
      [410, 'channel_is_archived'],
    ] as const) {
      expect(judgeAnswer(answer(status, body))).toBe('permanent');
    }
  });

  it('waits Retry-After on 429, capped', () => {
    expect(backoffMs(1, answer(429, 'rate_limited', 7))).toBe(7000);
    expect(backoffMs(1, answer(429, 'rate_limited', null))).toBe(1000);
    expect(backoffMs(1, answer(429, 'rate_limited', 100000))).toBe(BACKOFF.maxRetryAfterMs);
  });

  it('backs off exponentially with full jitter otherwise', () => {
    expect(backoffMs(1, answer(500), () => 1)).toBe(1000);
    expect(backoffMs(3, answer(500), () => 1)).toBe(4000);
    expect(backoffMs(3, answer(500), () => 0.5)).toBe(2000);
    expect(backoffMs(20, { kind: 'no-answer', error: 'ECONNRESET' }, () => 1)).toBe(BACKOFF.maxMs);
    expect(backoffMs(2, answer(502), () => 0)).toBe(0);
  });

  it('says what Slack answered and what to do', () => {
    expect(describeAnswer(answer(404, 'no_service'))).toMatch(
      /^Slack answered 404 no_service: the webhook was removed .* update the destination/,
    );
    expect(describeAnswer({ kind: 'no-answer', error: 'timeout of 10000ms exceeded' })).toBe(
      'no answer from Slack (timeout of 10000ms exceeded)',
    );
  });
});

import {
  describeSuppression,
  describeTestResult,
  destinationRequestBody,
  formatShare,
  numberOrText,
  parseDatasetList,
  withDatasetIssuesOnTheList,
} from './destinations';

describe('parseDatasetList', () => {
  it('splits on commas, spaces and lines, and reads nothing as every dataset', () => {
    expect(parseDatasetList(' orders, customers\nrefunds  payments,,')).toEqual([
      'orders',
      'customers',
      'refunds',
      'payments',
    ]);
    expect(parseDatasetList('  , \n')).toBeNull();
  });
});

describe('numberOrText', () => {
  it('reads numbers and keeps anything else as typed', () => {
    expect(numberOrText(' 0.25 ')).toBe(0.25);
    expect(numberOrText('.5')).toBe(0.5);
    expect(numberOrText('6')).toBe(6);
    expect(numberOrText('ten')).toBe('ten');
    expect(numberOrText('  ')).toBeUndefined();
  });
});

describe('destinationRequestBody', () => {
  const values = {
    name: '',
    webhookUrl: ' https://hooks.slack.com/services/T1/B1/x ',
    datasets: '',
    notifyOn: 'always',
    rowChangeThreshold: '0.1',
    suppressHours: '',
  };

  it('leaves empty fields out when creating, so the api defaults apply', () => {
    expect(destinationRequestBody(values, 'create')).toEqual({
      webhookUrl: 'https://hooks.slack.com/services/T1/B1/x',
      notifyOn: 'always',
      rowChangeThreshold: 0.1,
    });
    expect(
      destinationRequestBody({ ...values, name: ' Data ', datasets: 'orders', suppressHours: '6' }, 'create'),
    ).toEqual({
      webhookUrl: 'https://hooks.slack.com/services/T1/B1/x',
      name: 'Data',
      datasets: ['orders'],
      notifyOn: 'always',
      rowChangeThreshold: 0.1,
      suppressHours: 6,
    });
  });

  it('sends every routing field when editing, empty meaning every dataset and no suppression, and the URL only when typed', () => {
    expect(destinationRequestBody({ ...values, name: 'Data', webhookUrl: '', notifyOn: 'changes' }, 'edit')).toEqual({
      name: 'Data',
      datasets: null,
      notifyOn: 'changes',
      rowChangeThreshold: 0.1,
      suppressHours: null,
    });
    expect(destinationRequestBody({ ...values, name: 'Data' }, 'edit').webhookUrl).toBe(
      'https://hooks.slack.com/services/T1/B1/x',
    );
  });
});

describe('withDatasetIssuesOnTheList', () => {
  it('moves issues about one dataset onto the list, naming it', () => {
    const body = {
      error: {
        code: 'validation_failed',
        message: 'invalid request body: datasets.1: a dataset name must match',
        details: {
          issues: [
            { field: 'datasets.1', message: 'a dataset name must match' },
            { field: 'notifyOn', message: 'must be one of' },
          ],
        },
      },
    };
    expect(withDatasetIssuesOnTheList(body, ['orders', 'Bad Name'])).toEqual({
      error: {
        ...body.error,
        details: {
          issues: [
            { field: 'datasets', message: '"Bad Name": a dataset name must match' },
            { field: 'notifyOn', message: 'must be one of' },
          ],
        },
      },
    });
  });

  it('leaves bodies without issues alone', () => {
    const body = { error: { code: 'webhook_host_not_allowed', message: 'x' } };
    expect(withDatasetIssuesOnTheList(body, null)).toBe(body);
    expect(withDatasetIssuesOnTheList(undefined, null)).toBeUndefined();
  });
});

describe('describeTestResult', () => {
  it('says a taken message was sent', () => {
    expect(describeTestResult({ ok: true, status: 200, body: 'ok', error: null })).toBe(
      'Sent: Slack took the test message (HTTP 200 ok); look for it in the channel.',
    );
  });

  it("says what Slack's refusals mean", () => {
    expect(describeTestResult({ ok: false, status: 404, body: 'no_service', error: null })).toMatch(
      /^Failed: Slack refused the test message with HTTP 404 no_service: the webhook was removed/,
    );
    expect(describeTestResult({ ok: false, status: 503, body: 'upstream', error: null })).toBe(
      'Failed: Slack refused the test message with HTTP 503 upstream: Slack had a problem; try again later.',
    );
    expect(describeTestResult({ ok: false, status: 429, body: null, error: null })).toMatch(
      /^Failed: .*HTTP 429: Slack is limiting posts/,
    );
  });

  it('says when Slack could not be reached, with the reason', () => {
    expect(
      describeTestResult({ ok: false, status: null, body: null, error: 'could not reach 127.0.0.1:9: ECONNREFUSED' }),
    ).toBe('Not sent: Slack could not be reached (could not reach 127.0.0.1:9: ECONNREFUSED).');
  });
});

describe('formatShare and describeSuppression', () => {
  it('reads shares as percentages and hours as words', () => {
    expect([formatShare(0.1), formatShare(0.255), formatShare(0), formatShare(2)]).toEqual([
      '10%',
      '25.5%',
      '0%',
      '200%',
    ]);
    expect(describeSuppression(null)).toMatch(/^none/);
    expect(describeSuppression(1)).toBe('at most one failure digest per dataset every 1 hour');
    expect(describeSuppression(6)).toBe('at most one failure digest per dataset every 6 hours');
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, fixtureUrl, uniqueName } from './helpers';
import { testStack } from './stack-env';

describe('GET /health and GET /ready', () => {
  it('/health answers liveness only', async () => {
    const { status, body } = await api('GET', '/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
  });

  it('/ready reports each dependency, dbt with its version', async () => {
    const { status, body } = await api('GET', '/ready');
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      checks: {
        postgres: { ok: true },
        redis: { ok: true },
        objectStore: { ok: true },
        dbt: { ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
      },
    });
  });
});

describe('POST /v1/datasets/csv rejects bad input with a clear 4xx', () => {
  it.each([
    [
      'an invalid name',
      { name: 'Bad Name', csvUrl: 'http://127.0.0.1/x.csv' },
      400,
      'validation_failed',
      /name: a dataset name must match \^\[a-z\]/,
    ],
    [
      'a reserved prefix',
      { name: 'stg_orders', csvUrl: 'http://127.0.0.1/x.csv' },
      400,
      'validation_failed',
      /must not start with "stg_"/,
    ],
    ['a missing csvUrl', { name: 'contract_a' }, 400, 'validation_failed', /csvUrl: is required/],
    [
      'a file:// URL',
      { name: 'contract_b', csvUrl: 'file:///etc/passwd' },
      400,
      'validation_failed',
      /csvUrl: only http and https URLs are accepted/,
    ],
    [
      'the cloud metadata address',
      { name: 'contract_c', csvUrl: 'http://169.254.169.254/latest/meta-data' },
      400,
      'url_not_allowed',
      /169\.254\.169\.254/,
    ],
  ])('%s', async (_what, body, status, code, message) => {
    const res = await api('POST', '/v1/datasets/csv', body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses malformed JSON', async () => {
    const res = await api('POST', '/v1/datasets/csv', undefined, '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/not valid JSON/),
    });
  });

  it('says when the source answers with an HTTP error', async () => {
    const res = await api('POST', '/v1/datasets/csv', {
      name: uniqueName('missing'),
      csvUrl: fixtureUrl('no-such-file.csv'),
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'source_http_error',
      message: expect.stringMatching(/answered HTTP 404/),
    });
  });

  it('refuses a redirect into the metadata range', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await api('POST', '/v1/datasets/csv', {
        name: uniqueName('redirect'),
        csvUrl: `http://127.0.0.1:${port}/data.csv`,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('url_not_allowed');
    } finally {
      server.close();
    }
  });

  it('answers 409 for a name that is taken, keeping the first dataset', async () => {
    const name = uniqueName('twice');
    const first = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('people.csv') });
    expect(first.status).toBe(201);
    const second = await api('POST', '/v1/datasets/csv', { name, csvUrl: fixtureUrl('ragged.csv') });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('dataset_exists');
    const kept = await api('GET', `/v1/datasets/${name}`);
    expect(kept.body.currentVersion.sha256).toBe(first.body.currentVersion.sha256);
  });
});

describe('POST /v1/destinations/slack', () => {
  it('refuses hosts outside SLACK_WEBHOOK_HOSTS', async () => {
    const res = await api('POST', '/v1/destinations/slack', { webhookUrl: 'https://evil.example.com/services/x' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('webhook_host_not_allowed');
    expect(res.body.error.message).toMatch(/SLACK_WEBHOOK_HOSTS/);
  });

  it('registers once and hides the secret part of the URL', async () => {
    const url = `${testStack().slackUrl}/services/T9/B9/secret-token`;
    const first = await api('POST', '/v1/destinations/slack', { webhookUrl: url, name: 'team channel' });
    const again = await api('POST', '/v1/destinations/slack', { webhookUrl: url });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(first.body.webhookUrlMasked).not.toContain('secret-token');
    expect(first.body.name).toBe('team channel');
  });
});

describe('runs', () => {
  it('404s an unknown dataset when triggering a run', async () => {
    const res = await api('POST', '/v1/pipelines/run', { datasetName: 'never_registered' });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      code: 'dataset_not_found',
      message: expect.stringMatching(/POST \/v1\/datasets\/csv/),
    });
  });

  it('404s an unknown run id', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const res = await api('GET', `/v1/runs/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('run_not_found');
    }
  });

  it('validates list filters', async () => {
    const res = await api('GET', '/v1/runs?status=exploded');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/status/);
  });
});

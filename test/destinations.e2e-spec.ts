import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Destination } from '@relayboard/contracts';
import { CREDENTIALS, stackSecretsKey } from '@relayboard/devstack';
import { SecretBox } from '@relayboard/secrets';
import {
  api as callApi,
  fixtureUrl,
  query,
  removeAllDestinations,
  slackMessages,
  uniqueName,
  type ApiResponse,
} from './helpers';
import { testStack } from './stack-env';

/** Every answer this file gets, for the last test: none may hold a webhook's secret part. */
// Its failing and unreachable destinations would otherwise get every later suite's runs.
afterAll(() => removeAllDestinations());

const answers: string[] = [];

async function api<T = any>(method: string, route: string, body?: unknown): Promise<ApiResponse<T>> {
  const res = await callApi<T>(method, route, body);
  answers.push(JSON.stringify(res.body));
  return res;
}

const slack = () => testStack().slackUrl;
const token = (label: string) => `${label}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
/** The secret part of the webhook the last test looks for everywhere. */
const SECRET = token('zqSecretTail');
const SECRET_URL = `${slack()}/services/T0SECRET/B0SECRET/${SECRET}`;
/** A plaintext row as an api before SECRETS_KEY stored it; the api encrypts it at start. */
const LEGACY_SECRET = token('zqLegacyTail');
/** What the spawned apis printed, scanned by the last test too. */
const spawnedOutput: string[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function register(webhookUrl: string, extra: Record<string, unknown> = {}): Promise<Destination> {
  const res = await api<Destination>('POST', '/v1/destinations/slack', { webhookUrl, ...extra });
  if (res.status !== 201)
    throw new Error(`registering a destination answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Starts another api process on the test stack's database, Redis and S3 with
 * the given SECRETS_KEY, and waits until it either exits or answers /health.
 */
async function startApi(
  secretsKey: string | undefined,
): Promise<{ exitCode: number | null; output: () => string; stop: () => Promise<void> }> {
  const stack = testStack();
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve(__dirname, '..', 'apps', 'api', 'dist', 'main.js')], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      S3_ENDPOINT: stack.s3Endpoint,
      S3_ACCESS_KEY: CREDENTIALS.s3AccessKey,
      S3_SECRET_KEY: CREDENTIALS.s3SecretKey,
      S3_BUCKET: CREDENTIALS.bucket,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      SLACK_WEBHOOK_HOSTS: 'hooks.slack.com,127.0.0.1,localhost',
      ...(secretsKey === undefined ? {} : { SECRETS_KEY: secretsKey }),
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    spawnedOutput.push(output);
  };
  const deadline = Date.now() + 60_000;
  while (child.exitCode === null && child.signalCode === null) {
    const healthy = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (healthy) return { exitCode: null, output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the spawned api neither started nor exited within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await exited;
  spawnedOutput.push(output);
  return { exitCode: child.exitCode, output: () => output, stop };
}

const countDestinations = async () =>
  Number((await query<{ n: string }>(`select count(*) as n from relayboard.destinations`))[0].n);

describe('POST /v1/destinations/slack', () => {
  let first: ApiResponse<Destination>;
  let countBeforeRefusals: number;

  beforeAll(async () => {
    first = await api<Destination>('POST', '/v1/destinations/slack', {
      webhookUrl: SECRET_URL,
      name: 'secret channel',
    });
  });

  it('registers a new webhook with 201, routing every dataset on every run', () => {
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'slack',
      name: 'secret channel',
      webhookUrlMasked: `${slack()}/services/T0…/B0…/••••${SECRET.slice(-4)}`,
      datasets: null,
      notifyOn: 'always',
      rowChangeThreshold: 0.1,
      suppressHours: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastDelivery: null,
    });
  });

  it('answers 200 with the same destination, unchanged, for the same URL', async () => {
    const again = await api<Destination>('POST', '/v1/destinations/slack', {
      webhookUrl: SECRET_URL,
      notifyOn: 'failures',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('stores the routing it is given', async () => {
    const created = await register(`${slack()}/services/T1/B1/${token('routed')}`, {
      name: 'routed',
      datasets: ['orders', 'customers', 'orders'],
      notifyOn: 'changes',
      rowChangeThreshold: 0.25,
      suppressHours: 6,
    });
    expect(created).toMatchObject({
      name: 'routed',
      datasets: ['orders', 'customers'],
      notifyOn: 'changes',
      rowChangeThreshold: 0.25,
      suppressHours: 6,
    });
    expect(created.webhookUrlMasked).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/T1…\/B1…\/••••\w{4}$/);
    countBeforeRefusals = await countDestinations();
  });

  it.each([
    [
      'a host outside SLACK_WEBHOOK_HOSTS',
      { webhookUrl: 'https://evil.example.com/services/T1/B1/x1y2z3' },
      'webhook_host_not_allowed',
      /^webhookUrl: host "evil\.example\.com" .*SLACK_WEBHOOK_HOSTS/,
    ],
    [
      'http to Slack',
      { webhookUrl: 'http://hooks.slack.com/services/T1/B1/x1y2z3' },
      'validation_failed',
      /^webhookUrl: must be an https:\/\/ URL/,
    ],
    [
      'a path outside /services/',
      { webhookUrl: `${slack()}/hooks/T1/B1/x1y2z3` },
      'validation_failed',
      /^webhookUrl: the path must be \/services\/<team>\/<bot>\/<token>/,
    ],
    [
      'too few path segments',
      { webhookUrl: `${slack()}/services/T1/x1y2z3` },
      'validation_failed',
      /^webhookUrl: the path must be \/services\//,
    ],
    [
      'no URL at all',
      { webhookUrl: 'hooks.slack.com' },
      'validation_failed',
      /webhookUrl: must be a Slack incoming webhook URL like https:\/\/hooks\.slack\.com\/services\//,
    ],
    ['a missing webhookUrl', { name: 'x' }, 'validation_failed', /webhookUrl: is required/],
    [
      'an unknown field',
      { webhookUrl: `${slack()}/services/T1/B1/x1y2z3`, channel: '#data' },
      'validation_failed',
      /unknown field\(s\) channel; a destination has name, webhookUrl, datasets/,
    ],
    [
      'a bad notifyOn',
      { webhookUrl: `${slack()}/services/T1/B1/x1y2z3`, notifyOn: 'sometimes' },
      'validation_failed',
      /notifyOn: must be one of always, failures, changes/,
    ],
    [
      'a bad dataset name',
      { webhookUrl: `${slack()}/services/T1/B1/x1y2z3`, datasets: ['orders', 'Bad Name'] },
      'validation_failed',
      /datasets\.1: a dataset name must match/,
    ],
    [
      'an empty dataset list',
      { webhookUrl: `${slack()}/services/T1/B1/x1y2z3`, datasets: [] },
      'validation_failed',
      /datasets: list at least one dataset name, or send null/,
    ],
    [
      'a threshold above 10',
      { webhookUrl: `${slack()}/services/T1/B1/x1y2z3`, rowChangeThreshold: 11 },
      'validation_failed',
      /rowChangeThreshold: must be between 0 and 10/,
    ],
    [
      'zero suppression hours',
      { webhookUrl: `${slack()}/services/T1/B1/x1y2z3`, suppressHours: 0 },
      'validation_failed',
      /suppressHours: must be more than 0 hours, or null/,
    ],
  ])('refuses %s with a 400 naming the field', async (_what, body, code, message) => {
    const res = await api('POST', '/v1/destinations/slack', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
  });

  it('registered none of the refused URLs', async () => {
    expect(await countDestinations()).toBe(countBeforeRefusals);
  });
});

describe('GET, PATCH and DELETE /v1/destinations/:id', () => {
  let mine: Destination;
  let other: Destination;
  const mineUrl = `${slack()}/services/T2/B2/${token('crud')}`;
  const otherUrl = `${slack()}/services/T3/B3/${token('other')}`;

  beforeAll(async () => {
    mine = await register(mineUrl, { name: 'crud' });
    other = await register(otherUrl, { name: 'other' });
  });

  it('lists destinations, oldest first, each as GET /:id answers it', async () => {
    const list = await api<{ destinations: Destination[] }>('GET', '/v1/destinations');
    expect(list.status).toBe(200);
    const ids = list.body.destinations.map((d) => d.id);
    expect(ids.indexOf(mine.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(other.id)).toBeGreaterThan(ids.indexOf(mine.id));
    const one = await api<Destination>('GET', `/v1/destinations/${mine.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.destinations.find((d) => d.id === mine.id));
    expect(one.body).toEqual(mine);
  });

  it('404s unknown ids with destination_not_found', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      for (const [method, route, body] of [
        ['GET', `/v1/destinations/${id}`],
        ['PATCH', `/v1/destinations/${id}`, { name: 'x' }],
        ['DELETE', `/v1/destinations/${id}`],
        ['POST', `/v1/destinations/${id}/test`],
      ] as const) {
        const res = await api(method, route, body);
        expect([method, res.status, res.body.error.code]).toEqual([method, 404, 'destination_not_found']);
        expect(res.body.error.message).toMatch(/GET \/v1\/destinations/);
      }
    }
  });

  it('changes the routing fields it is given and keeps the rest', async () => {
    const res = await api<Destination>('PATCH', `/v1/destinations/${mine.id}`, {
      name: 'renamed',
      datasets: ['orders'],
      notifyOn: 'failures',
      suppressHours: 12,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: mine.id,
      name: 'renamed',
      datasets: ['orders'],
      notifyOn: 'failures',
      rowChangeThreshold: 0.1,
      suppressHours: 12,
      webhookUrlMasked: mine.webhookUrlMasked,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(mine.updatedAt));
    const back = await api<Destination>('PATCH', `/v1/destinations/${mine.id}`, {
      datasets: null,
      suppressHours: null,
      rowChangeThreshold: 0,
    });
    expect(back.body).toMatchObject({
      name: 'renamed',
      datasets: null,
      notifyOn: 'failures',
      rowChangeThreshold: 0,
      suppressHours: null,
    });
    expect((await api<Destination>('GET', `/v1/destinations/${mine.id}`)).body).toEqual(back.body);
  });

  it('moves a destination to another webhook, freeing the old one', async () => {
    const newUrl = `${slack()}/services/T4/B4/${token('moved')}`;
    const moved = await api<Destination>('PATCH', `/v1/destinations/${mine.id}`, { webhookUrl: newUrl });
    expect(moved.status).toBe(200);
    expect(moved.body.webhookUrlMasked).toMatch(/\/services\/T4…\/B4…\/••••/);
    const same = await api<Destination>('POST', '/v1/destinations/slack', { webhookUrl: newUrl });
    expect([same.status, same.body.id]).toEqual([200, mine.id]);
    const old = await api<Destination>('POST', '/v1/destinations/slack', { webhookUrl: mineUrl });
    expect(old.status).toBe(201);
    expect(old.body.id).not.toBe(mine.id);
  });

  it("refuses another destination's webhook with 409 destination_exists", async () => {
    const res = await api('PATCH', `/v1/destinations/${mine.id}`, { webhookUrl: otherUrl });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'destination_exists', details: { destinationId: other.id } });
    expect(res.body.error.message).toContain(other.id);
  });

  it.each([
    [
      'an empty body',
      {},
      /give at least one of name, webhookUrl, datasets, notifyOn, rowChangeThreshold, suppressHours/,
    ],
    ['an unknown field', { channel: '#data' }, /unknown field\(s\) channel/],
    ['a bad notifyOn', { notifyOn: 'never' }, /notifyOn: must be one of always, failures, changes/],
    ['a bad dataset name', { datasets: ['stg_orders'] }, /datasets\.0: a dataset name must match/],
    [
      'a host outside SLACK_WEBHOOK_HOSTS',
      { webhookUrl: 'https://evil.example.com/services/T1/B1/x' },
      /webhookUrl: host "evil\.example\.com"/,
    ],
    ['a path outside /services/', { webhookUrl: `${slack()}/other/T1/B1/x` }, /webhookUrl: the path must be/],
  ])('refuses %s with a 400', async (_what, body, message) => {
    const res = await api('PATCH', `/v1/destinations/${other.id}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect((await api<Destination>('GET', `/v1/destinations/${other.id}`)).body).toEqual(other);
  });

  it('deletes with 204, after which it is gone', async () => {
    const res = await api('DELETE', `/v1/destinations/${other.id}`);
    expect(res.status).toBe(204);
    expect((await api('GET', `/v1/destinations/${other.id}`)).status).toBe(404);
    expect((await api('DELETE', `/v1/destinations/${other.id}`)).status).toBe(404);
    const { body } = await api<{ destinations: Destination[] }>('GET', '/v1/destinations');
    expect(body.destinations.map((d) => d.id)).not.toContain(other.id);
    const again = await api('POST', '/v1/destinations/slack', { webhookUrl: otherUrl });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(other.id);
  });
});

describe('POST /v1/destinations/:id/test', () => {
  it("posts a text and Block Kit message and answers with Slack's status and body", async () => {
    const servicePath = `/services/T5/B5/${token('tested')}`;
    const destination = await register(`${slack()}${servicePath}`, { name: 'Data <team> & co' });
    const res = await api('POST', `/v1/destinations/${destination.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, status: 200, body: 'ok', error: null });
    const received = (await slackMessages()).filter((m) => m.path === servicePath);
    expect(received).toHaveLength(1);
    expect(received[0].body.text).toContain('Relayboard test message');
    expect(received[0].body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('*Data &lt;team&gt; &amp; co*') } },
    ]);
  });

  it.each([
    ['a removed webhook', 'no-service', 404, 'no_service'],
    ['a failing server', 'server-error', 500, 'internal_error'],
  ])('reports %s as Slack answered it', async (_what, behaviour, status, body) => {
    const destination = await register(`${slack()}/services/${behaviour}/B6/${token('t')}`);
    const res = await api('POST', `/v1/destinations/${destination.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: false, status, body, error: null });
  });

  it('reports a webhook nobody answers with status null and the reason', async () => {
    const port = await freePort();
    const destination = await register(`http://127.0.0.1:${port}/services/T6/B6/${token('closed')}`);
    const res = await api('POST', `/v1/destinations/${destination.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: false,
      status: null,
      body: null,
      error: expect.stringMatching(new RegExp(`^could not reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)),
    });
  });
});

describe('lastDelivery', () => {
  it("is the newest delivery of the destination, with Slack's status and error", async () => {
    const dataset = uniqueName('dest_last');
    const registered = await api('POST', '/v1/datasets/csv', { name: dataset, csvUrl: fixtureUrl('people.csv') });
    expect(registered.status).toBe(201);
    const destination = await register(`${slack()}/services/T7/B7/${token('last')}`);
    // Finished runs with deliveries as the worker records them; finished runs are never picked up again.
    const runs = await query<{ id: string }>(
      `insert into relayboard.runs (dataset_id, status, trigger, finished_at) values ($1, 'succeeded', 'test', now()), ($1, 'failed', 'test', now()) returning id`,
      [registered.body.id],
    );
    await query(
      `insert into relayboard.deliveries (run_id, destination_id, status, response_status, response_body, error, attempted_at, finished_at) values
         ($1, $3, 'sent', 200, 'ok', null, now() - interval '2 hours', now() - interval '2 hours'),
         ($2, $3, 'failed', 404, 'no_service', 'Slack answered 404 no_service', now() - interval '1 hour', now() - interval '59 minutes')`,
      [runs[0].id, runs[1].id, destination.id],
    );
    const [newest] = await query<{ finished_at: Date }>(
      `select finished_at from relayboard.deliveries where run_id = $1`,
      [runs[1].id],
    );
    const expected = {
      runId: runs[1].id,
      status: 'failed',
      responseStatus: 404,
      responseBody: 'no_service',
      error: 'Slack answered 404 no_service',
      skipReason: null,
      at: newest.finished_at.toISOString(),
    };
    expect((await api<Destination>('GET', `/v1/destinations/${destination.id}`)).body.lastDelivery).toEqual(expected);
    const { body } = await api<{ destinations: Destination[] }>('GET', '/v1/destinations');
    expect(body.destinations.find((d) => d.id === destination.id)?.lastDelivery).toEqual(expected);
  });
});

describe('PUT /v1/datasets/:name/owners', () => {
  const dataset = uniqueName('owned');

  beforeAll(async () => {
    const registered = await api('POST', '/v1/datasets/csv', { name: dataset, csvUrl: fixtureUrl('people.csv') });
    expect(registered.status).toBe(201);
    expect(registered.body.owners).toEqual([]);
  });

  it('replaces the owners, dropping duplicates, and answers the dataset', async () => {
    const res = await api('PUT', `/v1/datasets/${dataset}/owners`, { owners: ['U024BE7LH', 'W0123ABCD', 'U024BE7LH'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: dataset, owners: ['U024BE7LH', 'W0123ABCD'] });
    expect((await api('GET', `/v1/datasets/${dataset}`)).body.owners).toEqual(['U024BE7LH', 'W0123ABCD']);
    // By prefix: on a busy stack the dataset need not be on the list's first page.
    const list = await api('GET', `/v1/datasets?prefix=${dataset}`);
    expect(list.body.datasets.find((d: { name: string }) => d.name === dataset).owners).toEqual([
      'U024BE7LH',
      'W0123ABCD',
    ]);
    const cleared = await api('PUT', `/v1/datasets/${dataset}/owners`, { owners: [] });
    expect(cleared.body.owners).toEqual([]);
  });

  it.each([
    ['a name instead of a member id', { owners: ['@ada'] }, /owners\.0: must be a Slack member id like U024BE7LH/],
    ['a lowercase id', { owners: ['u024be7lh'] }, /owners\.0: must be a Slack member id/],
    [
      'more than 20 owners',
      { owners: Array.from({ length: 21 }, (_, i) => `U${String(i).padStart(4, '0')}`) },
      /owners: at most 20 owners/,
    ],
    ['a missing list', {}, /owners: is required/],
    ['an unknown field', { owners: [], channel: 'C1' }, /unknown field\(s\) channel/],
  ])('refuses %s with a 400', async (_what, body, message) => {
    const res = await api('PUT', `/v1/datasets/${dataset}/owners`, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(message) });
  });

  it('takes 20 owners once duplicates are dropped', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `U${String(i).padStart(4, '0')}`);
    const res = await api('PUT', `/v1/datasets/${dataset}/owners`, { owners: [...twenty, twenty[0]] });
    expect(res.status).toBe(200);
    expect(res.body.owners).toEqual(twenty);
  });

  it('404s an unknown dataset', async () => {
    const res = await api('PUT', '/v1/datasets/never_registered_owners/owners', { owners: ['U024BE7LH'] });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('dataset_not_found');
  });
});

describe('SECRETS_KEY at api start', () => {
  const stackKey = () => process.env.SECRETS_KEY ?? stackSecretsKey(testStack().home);

  it('encrypts webhook URLs stored in the clear before SECRETS_KEY, and finds them again by URL', async () => {
    const url = `${slack()}/services/T8/B8/${LEGACY_SECRET}`;
    const [legacy] = await query<{ id: string }>(
      `insert into relayboard.destinations (kind, name, webhook_url) values ('slack', 'legacy', $1) returning id`,
      [url],
    );
    const started = await startApi(stackKey());
    try {
      expect(started.exitCode).toBeNull();
      expect(started.output()).toMatch(
        /encrypted the webhook URLs of [1-9]\d* destination\(s\) stored before SECRETS_KEY/,
      );
    } finally {
      await started.stop();
    }
    const [row] = await query<{
      webhook_url: string | null;
      webhook_encrypted: string;
      webhook_fingerprint: string;
      webhook_masked: string;
    }>(
      `select webhook_url, webhook_encrypted, webhook_fingerprint, webhook_masked from relayboard.destinations where id = $1`,
      [legacy.id],
    );
    const box = SecretBox.fromBase64(stackKey());
    expect(row.webhook_url).toBeNull();
    expect(box.decrypt(row.webhook_encrypted)).toBe(url);
    expect(row.webhook_fingerprint).toBe(box.fingerprint(url));
    expect(row.webhook_masked).toBe(`${slack()}/services/T8…/B8…/••••${LEGACY_SECRET.slice(-4)}`);
    const again = await api<Destination>('POST', '/v1/destinations/slack', { webhookUrl: url });
    expect([again.status, again.body.id, again.body.webhookUrlMasked]).toEqual([200, legacy.id, row.webhook_masked]);
  });

  it('refuses to start with another SECRETS_KEY than the database was first started with, and changes nothing', async () => {
    const before = await query(`select * from relayboard.secrets_key_check`);
    const started = await startApi(SecretBox.generateKey());
    expect(started.exitCode).not.toBe(0);
    expect(started.exitCode).not.toBeNull();
    expect(started.output()).toMatch(
      /Relayboard api failed to start: .*was set up with another SECRETS_KEY: SECRETS_KEY does not decrypt the stored secrets.*set SECRETS_KEY back to that key/,
    );
    expect(await query(`select * from relayboard.secrets_key_check`)).toEqual(before);
  });

  it('refuses to start without SECRETS_KEY, saying how to make one', async () => {
    const started = await startApi(undefined);
    expect(started.exitCode).not.toBe(0);
    expect(started.exitCode).not.toBeNull();
    expect(started.output()).toMatch(/Relayboard api failed to start: SECRETS_KEY is not set.*openssl rand -base64 32/);
  });
});

describe('the secret part of a webhook URL', () => {
  it('appears in no table of the relayboard schema, no api answer and no api log', async () => {
    const tables = await query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'relayboard' and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['destinations', 'deliveries', 'secrets_key_check']),
    );
    const rows: string[] = [];
    for (const { table_name: table } of tables) {
      rows.push(
        ...(await query<{ t: string }>(`select t::text as t from relayboard."${table.replace(/"/g, '""')}" t`)).map(
          (r) => r.t,
        ),
      );
    }
    // The masked form is stored, so the rows searched do hold the destination.
    expect(rows.filter((r) => r.includes(`T0…/B0…/••••${SECRET.slice(-4)}`))).toHaveLength(1);
    const logDir = path.join(testStack().home, 'logs');
    const logs = readdirSync(logDir)
      .filter((file) => file.startsWith('api'))
      .map((file) => readFileSync(path.join(logDir, file), 'utf8'));
    expect(answers.length).toBeGreaterThan(50);
    for (const [where, texts] of [
      ['tables', rows],
      ['answers', answers],
      ['api logs', [...logs, ...spawnedOutput]],
    ] as const) {
      for (const secret of [SECRET, LEGACY_SECRET, SECRET.slice(0, -4)]) {
        expect([where, texts.filter((t) => t.includes(secret))]).toEqual([where, []]);
      }
    }
  });
});

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  authHeaders,
  fixtureUrl,
  launchBrowser,
  SCREENSHOT_DIR,
  uniqueName,
  waitForRun,
  type ApiResponse,
} from './helpers';
import { testStack } from './stack-env';

/**
 * The api's OpenAPI document against the api itself: it lists every route the built
 * app has (read from the Nest metadata of its controllers), and every answer the
 * routes give here, success and error, matches the schema documented for its status
 * and media type. Response objects are checked closed (no undocumented field).
 */

interface MediaType {
  schema?: Record<string, unknown>;
  'x-sse-events'?: Record<string, { $ref: string }>;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

let document: OpenApiDocument;
let ajv: Ajv2020;
const compiled = new Map<string, ValidateFunction>();
/** `METHOD /path status` of every answer checked, to show that each route was called. */
const checked = new Set<string>();

/** Objects without a word on other fields are closed, so an answer with an undocumented field fails. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  if (out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'))) {
    if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  }
  return out;
}

function validator(key: string, schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    // The document's components ride along, so `#/components/schemas/X` resolves in the schema itself.
    validate = ajv.compile({
      ...(closed(schema) as object),
      components: { schemas: closed(document.components.schemas) },
    });
    compiled.set(key, validate);
  }
  return validate;
}

function operation(method: Method, template: string): Operation {
  const op = document.paths[template]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${template} is not in the OpenAPI document`);
  return op;
}

/** The documented media type of the answer's status (failing when the status or the type is not documented). */
function documented(
  method: Method,
  template: string,
  status: number,
  contentType: string | null,
): { key: string; media: MediaType | null } {
  const responses = operation(method, template).responses;
  const response = responses[String(status)];
  if (!response)
    throw new Error(
      `${method.toUpperCase()} ${template} answered ${status}, which the document does not list (it lists ${Object.keys(responses).join(', ')})`,
    );
  const key = `${method.toUpperCase()} ${template} ${status}`;
  if (!response.content) {
    if (contentType) throw new Error(`${key}: the document says no body, the api sent ${contentType}`);
    return { key, media: null };
  }
  const type = (contentType ?? '').split(';')[0].trim();
  const media = response.content[type];
  if (!media)
    throw new Error(
      `${key}: the api answered ${type || 'no content type'}, the document lists ${Object.keys(response.content).join(', ')}`,
    );
  return { key: `${key} ${type}`, media };
}

function expectValid(key: string, schema: Record<string, unknown>, body: unknown): void {
  const validate = validator(key, schema);
  if (!validate(body)) {
    throw new Error(
      `${key}: the answer does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: '; ' })}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

/** Calls the api and checks the answer against the document; returns it parsed. */
async function call(
  method: Method,
  template: string,
  params: Record<string, string> = {},
  init: { query?: string; body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {},
): Promise<ApiResponse & { headers: Headers }> {
  const route = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
  const headers: Record<string, string> = {
    ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...authHeaders(),
    ...init.headers,
  };
  const res = await fetch(`${testStack().apiUrl}${route}${init.query ?? ''}`, {
    method: method.toUpperCase(),
    headers,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const answer: Answer = { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  const body = checkAnswer(method, template, answer);
  return { status: res.status, body, headers: res.headers };
}

function checkAnswer(method: Method, template: string, answer: Answer): unknown {
  const { key, media } = documented(method, template, answer.status, answer.text === '' ? null : answer.contentType);
  checked.add(`${method.toUpperCase()} ${template} ${answer.status}`);
  if (!media) {
    expect(answer.text).toBe('');
    return null;
  }
  if (media['x-sse-events']) {
    const events = media['x-sse-events'];
    for (const message of answer.text.split('\n\n').filter((m) => m.trim() !== '' && !m.startsWith(':'))) {
      const lines = message.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      if (!events[event])
        throw new Error(
          `${key}: an \`event: ${event}\` message, which x-sse-events does not list (${Object.keys(events).join(', ')})`,
        );
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      expectValid(`${key} ${event}`, events[event], JSON.parse(data));
    }
    return answer.text;
  }
  const body =
    media.schema && (answer.contentType ?? '').startsWith('application/json') ? JSON.parse(answer.text) : answer.text;
  if (media.schema) expectValid(key, media.schema, body);
  return body;
}

const RUN_PARAM = { id: '00000000-0000-4000-8000-000000000000' };

beforeAll(async () => {
  const res = await fetch(`${testStack().apiUrl}/openapi.json`);
  expect(res.status).toBe(200);
  document = (await res.json()) as OpenApiDocument;
  ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  // OpenAPI's own keywords, and the components carried along (see validator()).
  ajv.addVocabulary(['example', 'components']);
  addFormats(ajv);
});

describe('the OpenAPI document served at GET /openapi.json', () => {
  it('lists every route of the built api (Nest metadata of every controller), and only those', () => {
    const script = path.join(__dirname, '..', 'apps', 'api', 'dist', 'openapi', 'list-routes.js');
    const routes = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as string[];
    expect(routes).toEqual(
      expect.arrayContaining(['GET /health', 'POST /v1/pipelines/run', 'GET /v1/runs/{id}/events']),
    );
    const listed = Object.entries(document.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const undocumented = routes.filter((r) => !listed.includes(r));
    const stale = listed.filter((r) => !routes.includes(r));
    if (undocumented.length || stale.length) {
      throw new Error(
        [
          undocumented.length
            ? `routes missing from the OpenAPI document (register them in apps/api/src/openapi/openapi.document.ts): ${undocumented.join(', ')}`
            : '',
          stale.length ? `documented routes the api does not have: ${stale.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      );
    }
    expect(listed.sort()).toEqual(routes);
  });

  it('GET /docs renders it in Chromium from the api alone (no request leaves the api, no script or CSP error)', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      const origin = new URL(testStack().apiUrl).origin;
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('request', (request) => {
        if (!request.url().startsWith(origin) && !request.url().startsWith('data:'))
          problems.push(`request outside the api: ${request.url()}`);
      });
      await page.goto(`${testStack().apiUrl}/docs`);
      await page.getByText('Relayboard api').first().waitFor({ timeout: 30_000 });
      await page.getByText('/v1/pipelines/run').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'api-docs.png') });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('is the document the response checks below read (OpenAPI 3.1 with components)', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Dataset', 'Run', 'ErrorResponse']),
    );
  });

  it('the response check fails an answer with an undocumented field or a wrong type (so the checks below can fail)', () => {
    const ok = { status: 'ok', uptimeSeconds: 3 };
    expect(() =>
      checkAnswer('get', '/health', { status: 200, contentType: 'application/json', text: JSON.stringify(ok) }),
    ).not.toThrow();
    expect(() =>
      checkAnswer('get', '/health', {
        status: 200,
        contentType: 'application/json',
        text: JSON.stringify({ ...ok, extra: 1 }),
      }),
    ).toThrow(/must NOT have additional properties/);
    expect(() =>
      checkAnswer('get', '/health', {
        status: 200,
        contentType: 'application/json',
        text: JSON.stringify({ ...ok, uptimeSeconds: '3' }),
      }),
    ).toThrow(/must be number/);
    expect(() => checkAnswer('get', '/health', { status: 418, contentType: 'application/json', text: '{}' })).toThrow(
      /answered 418, which the document does not list/,
    );
    expect(() =>
      checkAnswer('get', '/v1/runs/{id}', {
        status: 404,
        contentType: 'application/json',
        text: JSON.stringify({ error: { code: 'dataset_not_found', message: 'x' } }),
      }),
    ).toThrow(/must be equal to one of the allowed values/);
  });
});

describe('every route answers as documented', () => {
  const name = uniqueName('openapi');
  const uploaded = uniqueName('openapi_up');
  let runId: string;

  it('operations: /health, /ready, /openapi.json, /docs and its files', async () => {
    expect((await call('get', '/health')).status).toBe(200);
    expect((await call('get', '/ready')).status).toBe(200);
    expect((await call('get', '/openapi.json')).status).toBe(200);
    const metrics = await call('get', '/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('# TYPE relayboard_runs_total counter');
    expect((await call('get', '/health', {}, { query: '?verbose=1' })).status).toBe(400);
    const page = await call('get', '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/docs/swagger-ui-bundle.js');
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'init.js', 'favicon-32x32.png']) {
      expect((await call('get', '/docs/{asset}', { asset })).status).toBe(200);
    }
    expect((await call('get', '/docs/{asset}', { asset: 'index.html' })).status).toBe(404);
  });

  it('datasets: register, upload, list, read, owners, profile, versions, and their refusals', async () => {
    const created = await call('post', '/v1/datasets/csv', {}, { body: { name, csvUrl: fixtureUrl('people.csv') } });
    expect(created.status).toBe(201);
    expect(
      (await call('post', '/v1/datasets/csv', {}, { body: { name, csvUrl: fixtureUrl('people.csv') } })).status,
    ).toBe(409);
    expect(
      (await call('post', '/v1/datasets/csv', {}, { body: { name: 'Bad Name', csvUrl: fixtureUrl('people.csv') } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call(
          'post',
          '/v1/datasets/csv',
          {},
          { body: { name: uniqueName('openapi_missing'), csvUrl: fixtureUrl('no-such-file.csv') } },
        )
      ).status,
    ).toBe(422);
    expect(
      (
        await call(
          'post',
          '/v1/datasets/csv',
          {},
          { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        )
      ).status,
    ).toBe(415);

    const form = () => {
      const data = new FormData();
      data.append('file', new Blob(['a,b\n1,2\n']), 'data.csv');
      return data;
    };
    expect((await call('post', '/v1/datasets/{name}/upload', { name: uploaded }, { raw: form() })).status).toBe(201);
    expect((await call('post', '/v1/datasets/{name}/upload', { name: uploaded }, { raw: form() })).status).toBe(200);
    expect(
      (
        await call(
          'post',
          '/v1/datasets/{name}/upload',
          { name: uploaded },
          { raw: 'a,b\n', headers: { 'content-type': 'text/csv' } },
        )
      ).status,
    ).toBe(415);

    expect((await call('get', '/v1/datasets', {}, { query: `?prefix=openapi&limit=2` })).status).toBe(200);
    expect((await call('get', '/v1/datasets', {}, { query: '?limit=0' })).status).toBe(400);
    expect((await call('get', '/v1/datasets/{name}', { name })).status).toBe(200);
    expect((await call('get', '/v1/datasets/{name}', { name: 'no_such_dataset' })).status).toBe(404);
    expect(
      (await call('put', '/v1/datasets/{name}/owners', { name }, { body: { owners: ['U024BE7LH'] } })).status,
    ).toBe(200);
    expect((await call('put', '/v1/datasets/{name}/owners', { name }, { body: { owners: ['@ada'] } })).status).toBe(
      400,
    );
    expect(
      (await call('put', '/v1/datasets/{name}/owners', { name: 'no_such_dataset' }, { body: { owners: [] } })).status,
    ).toBe(404);
    expect((await call('get', '/v1/datasets/{name}/profile', { name })).status).toBe(200);
    expect((await call('get', '/v1/datasets/{name}/versions', { name }, { query: '?limit=5' })).status).toBe(200);
    expect((await call('get', '/v1/datasets/{name}/versions', { name: 'no_such_dataset' })).status).toBe(404);
  });

  it('runs: trigger, read, digest, rejects, event streams, retry and cancel, and their refusals', async () => {
    const changes = new AbortController();
    const stream = fetch(`${testStack().apiUrl}/v1/runs/events?datasetName=${name}`, {
      headers: { accept: 'text/event-stream', ...authHeaders() },
      signal: changes.signal,
    });
    const accepted = await call(
      'post',
      '/v1/pipelines/run',
      {},
      { body: { datasetName: name }, headers: { 'idempotency-key': `openapi-${name}` } },
    );
    expect(accepted.status).toBe(202);
    runId = accepted.body.runId;
    // The same key and body replay the first answer; another body is refused.
    const replay = await call(
      'post',
      '/v1/pipelines/run',
      {},
      { body: { datasetName: name }, headers: { 'idempotency-key': `openapi-${name}` } },
    );
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(
      (
        await call(
          'post',
          '/v1/pipelines/run',
          {},
          { body: { datasetName: name, force: true }, headers: { 'idempotency-key': `openapi-${name}` } },
        )
      ).status,
    ).toBe(422);
    expect(
      (
        await call(
          'post',
          '/v1/pipelines/run',
          {},
          { body: { datasetName: name }, headers: { 'idempotency-key': 'has space' } },
        )
      ).status,
    ).toBe(400);
    expect((await call('post', '/v1/pipelines/run', {}, { body: { datasetName: 'no_such_dataset' } })).status).toBe(
      404,
    );

    // GET /v1/runs/events: read until this run's summary came, then stop.
    const res = await stream;
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(`"id":"${runId}"`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    changes.abort();
    checkAnswer('get', '/v1/runs/events', {
      status: res.status,
      contentType: res.headers.get('content-type'),
      text: text.slice(0, text.lastIndexOf('\n\n') + 2),
    });
    expect(text).toContain(`"id":"${runId}"`);
    expect((await call('get', '/v1/runs/events', {}, { query: '?status=done' })).status).toBe(400);

    const run = await waitForRun(runId);
    expect(run.status).toBe('succeeded');
    expect((await call('get', '/v1/runs/{id}', { id: runId })).status).toBe(200);
    expect((await call('get', '/v1/runs/{id}', RUN_PARAM)).status).toBe(404);
    expect((await call('get', '/v1/runs', {}, { query: `?datasetName=${name}&limit=5` })).status).toBe(200);
    expect((await call('get', '/v1/runs', {}, { query: '?cursor=a&before=b' })).status).toBe(400);
    expect((await call('get', '/v1/runs/{id}/digest', { id: runId })).status).toBe(200);
    expect((await call('get', '/v1/runs/{id}/digest', RUN_PARAM)).status).toBe(404);
    expect((await call('get', '/v1/runs/{id}/rejects', { id: runId }, { query: '?limit=10' })).status).toBe(200);
    expect((await call('get', '/v1/runs/{id}/rejects', RUN_PARAM)).status).toBe(404);
    // A finished run's stream sends its state and events, then ends.
    const events = await call('get', '/v1/runs/{id}/events', { id: runId });
    expect(events.status).toBe(200);
    expect(events.body).toContain('event: run-event');
    expect((await call('get', '/v1/runs/{id}/events', RUN_PARAM)).status).toBe(404);

    expect((await call('post', '/v1/runs/{id}/retry', { id: runId })).status).toBe(409);
    expect((await call('post', '/v1/runs/{id}/cancel', { id: runId }, { body: {} })).status).toBe(409);
    expect((await call('post', '/v1/runs/{id}/cancel', RUN_PARAM)).status).toBe(404);
    expect((await call('post', '/v1/runs/{id}/retry', RUN_PARAM)).status).toBe(404);
    // A second run, canceled, retried and canceled again.
    const second = await call('post', '/v1/pipelines/run', {}, { body: { datasetName: name, force: true } });
    expect(second.status).toBe(202);
    expect(
      (await call('post', '/v1/runs/{id}/cancel', { id: second.body.runId }, { body: { reason: 'openapi spec' } }))
        .status,
    ).toBe(202);
    expect((await waitForRun(second.body.runId)).status).toBe('canceled');
    expect((await call('post', '/v1/runs/{id}/retry', { id: second.body.runId })).status).toBe(202);
    expect((await call('post', '/v1/runs/{id}/cancel', { id: second.body.runId })).status).toBe(202);
    expect(['canceled', 'succeeded']).toContain((await waitForRun(second.body.runId)).status);
  });

  it('checks and lineage', async () => {
    const check = await call(
      'post',
      '/v1/datasets/{name}/checks',
      { name },
      { body: { kind: 'not_null', column: 'id' } },
    );
    expect(check.status).toBe(201);
    expect(
      (await call('post', '/v1/datasets/{name}/checks', { name }, { body: { kind: 'not_null', column: 'id' } })).status,
    ).toBe(409);
    expect(
      (
        await call(
          'post',
          '/v1/datasets/{name}/checks',
          { name },
          { body: { kind: 'not_null', column: 'no_such_column' } },
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await call(
          'post',
          '/v1/datasets/{name}/checks',
          { name: 'no_such_dataset' },
          { body: { kind: 'not_null', column: 'id' } },
        )
      ).status,
    ).toBe(404);
    expect((await call('get', '/v1/datasets/{name}/checks', { name })).status).toBe(200);
    expect((await call('get', '/v1/datasets/{name}/checks', { name: 'no_such_dataset' })).status).toBe(404);
    expect((await call('delete', '/v1/datasets/{name}/checks/{id}', { name, id: check.body.id })).status).toBe(204);
    expect((await call('delete', '/v1/datasets/{name}/checks/{id}', { name, id: check.body.id })).status).toBe(404);
    expect((await call('get', '/v1/datasets/{name}/lineage', { name })).status).toBe(200);
    expect((await call('get', '/v1/datasets/{name}/lineage', { name: 'no_such_dataset' })).status).toBe(404);

    // Tokens and the audit log; and the guard's own answers, in the one error shape.
    const token = await call('post', '/v1/tokens', {}, { body: { name: `openapi ${name}`, scope: 'read' } });
    expect(token.status).toBe(201);
    expect((await call('post', '/v1/tokens', {}, { body: { name: 'x', scope: 'root' } })).status).toBe(400);
    expect((await call('get', '/v1/tokens')).status).toBe(200);
    expect((await call('get', '/v1/tokens/current')).status).toBe(200);
    expect((await call('get', '/v1/audit', {}, { query: '?limit=5' })).status).toBe(200);
    expect((await call('get', '/v1/datasets', {}, { headers: { authorization: 'Bearer rb_forged' } })).status).toBe(
      401,
    );
    expect(
      (
        await call(
          'post',
          '/v1/tokens',
          {},
          { body: { name: 'x', scope: 'read' }, headers: { authorization: `Bearer ${token.body.token}` } },
        )
      ).status,
    ).toBe(403);
    expect((await call('delete', '/v1/tokens/{id}', { id: token.body.id })).status).toBe(200);
    expect((await call('delete', '/v1/tokens/{id}', { id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);

    // Schedules: a yearly cron, so nothing fires while the spec runs.
    expect((await call('get', '/v1/datasets/{name}/schedule', { name })).status).toBe(404);
    expect(
      (
        await call(
          'put',
          '/v1/datasets/{name}/schedule',
          { name },
          { body: { cron: '0 6 1 1 *', timezone: 'Europe/Paris' } },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          'put',
          '/v1/datasets/{name}/schedule',
          { name },
          { body: { cron: 'every day', timezone: 'Europe/Paris' } },
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await call(
          'put',
          '/v1/datasets/{name}/schedule',
          { name: 'no_such_dataset' },
          { body: { cron: '0 6 1 1 *', timezone: 'UTC' } },
        )
      ).status,
    ).toBe(404);
    expect((await call('get', '/v1/datasets/{name}/schedule', { name })).status).toBe(200);
    expect((await call('post', '/v1/datasets/{name}/schedule/pause', { name }, { body: {} })).status).toBe(200);
    expect((await call('post', '/v1/datasets/{name}/schedule/resume', { name }, { body: {} })).status).toBe(200);
    expect((await call('delete', '/v1/datasets/{name}/schedule', { name })).status).toBe(204);
    expect((await call('delete', '/v1/datasets/{name}/schedule', { name })).status).toBe(404);
    expect((await call('post', '/v1/datasets/{name}/schedule/pause', { name }, { body: {} })).status).toBe(404);

    // Column overrides: a column the dataset has not is refused whether or not a run staged it.
    const overrides = '/v1/datasets/{name}/column-overrides';
    expect((await call('get', overrides, { name })).status).toBe(200);
    expect(
      (await call('put', overrides, { name }, { body: { columns: { no_such_column: { keepText: true } } } })).status,
    ).toBe(400);
    expect((await call('put', overrides, { name: 'no_such_dataset' }, { body: { columns: {} } })).status).toBe(404);
    expect((await call('put', overrides, { name }, { body: { columns: {} } })).status).toBe(200);
  });

  it('destinations: register, list, read, change, test, remove, and their refusals', async () => {
    const webhookUrl = `${testStack().slackUrl}/services/T0API/B0API/${name}`;
    // Routed to this suite's dataset only, so other suites' runs never post here.
    const created = await call('post', '/v1/destinations/slack', {}, { body: { webhookUrl, datasets: [name] } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    try {
      expect(
        (await call('post', '/v1/destinations/slack', {}, { body: { webhookUrl, datasets: [name] } })).status,
      ).toBe(200);
      expect(
        (
          await call(
            'post',
            '/v1/destinations/slack',
            {},
            { body: { webhookUrl: 'https://evil.example.com/services/T1/B1/x1y2z3' } },
          )
        ).status,
      ).toBe(400);
      expect((await call('get', '/v1/destinations')).status).toBe(200);
      expect((await call('get', '/v1/destinations/{id}', { id })).status).toBe(200);
      expect((await call('get', '/v1/destinations/{id}', RUN_PARAM)).status).toBe(404);
      expect((await call('patch', '/v1/destinations/{id}', { id }, { body: { notifyOn: 'failures' } })).status).toBe(
        200,
      );
      expect((await call('patch', '/v1/destinations/{id}', { id }, { body: {} })).status).toBe(400);
      expect((await call('post', '/v1/destinations/{id}/test', { id })).status).toBe(200);
      expect((await call('post', '/v1/destinations/{id}/test', RUN_PARAM)).status).toBe(404);
    } finally {
      expect((await call('delete', '/v1/destinations/{id}', { id })).status).toBe(204);
    }
    expect((await call('delete', '/v1/destinations/{id}', { id })).status).toBe(404);
  });

  it('delete a dataset, and its refusals', async () => {
    expect((await call('delete', '/v1/datasets/{name}', { name }, { query: '?force=maybe' })).status).toBe(400);
    expect((await call('delete', '/v1/datasets/{name}', { name })).status).toBe(204);
    expect((await call('delete', '/v1/datasets/{name}', { name })).status).toBe(404);
    expect((await call('delete', '/v1/datasets/{name}', { name: uploaded })).status).toBe(204);
  });

  it('every documented route was called and its answers checked', () => {
    const routes = Object.entries(document.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const uncalled = routes.filter((route) => ![...checked].some((c) => c.startsWith(`${route} 2`)));
    expect(uncalled).toEqual([]);
  });
});

import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ApiToken, AuditEntry, AuditList, CreatedToken, TokenList } from '@relayboard/contracts';
import { api, apiAs, query, uniqueName } from './helpers';
import { testStack } from './stack-env';

/**
 * Auth (issue #12): every /v1 route needs a token, forged, revoked and expired tokens are refused,
 * scopes are enforced, the tokens table holds only hashes, and changes land in the audit log.
 */

const API_DIR = path.resolve(__dirname, '..', 'apps', 'api');

/** Every route the built api serves, read from Nest's own metadata of AppModule's controllers (so a new route is covered without editing this file). */
function builtRoutes(): Promise<{ method: string; path: string }[]> {
  const script = `
    require('reflect-metadata');
    const { AppModule } = require('./dist/app.module.js');
    const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];
    const routes = [];
    const seen = new Set();
    const visit = (mod) => {
      if (!mod || seen.has(mod)) return;
      seen.add(mod);
      for (const controller of Reflect.getMetadata('controllers', mod) ?? []) {
        const base = [Reflect.getMetadata('path', controller)].flat()[0] ?? '';
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (typeof handler !== 'function' || Reflect.getMetadata('method', handler) === undefined) continue;
          for (const p of [Reflect.getMetadata('path', handler)].flat()) {
            routes.push({ method: METHODS[Reflect.getMetadata('method', handler)], path: ('/' + [base, p].filter((x) => x && x !== '/').join('/')).replace(/\\/+/g, '/') });
          }
        }
      }
      for (const imported of Reflect.getMetadata('imports', mod) ?? []) visit(imported);
    };
    visit(AppModule);
    process.stdout.write(JSON.stringify(routes));`;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', script], { cwd: API_DIR, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

const concrete = (route: string) =>
  route.replace(':name', 'orders').replace(':id', '00000000-0000-4000-8000-000000000000');

async function send(
  method: string,
  route: string,
  headers: Record<string, string> = {},
  base = testStack().apiUrl,
): Promise<{ status: number; body: any }> {
  const hasBody = !['GET', 'HEAD', 'DELETE'].includes(method);
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: hasBody ? '{}' : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

async function createToken(
  scope: 'read' | 'write' | 'admin',
  extra: Record<string, unknown> = {},
): Promise<CreatedToken> {
  const res = await api<CreatedToken>('POST', '/v1/tokens', { name: uniqueName(`test_${scope}`), scope, ...extra });
  if (res.status !== 201) throw new Error(`POST /v1/tokens answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const forged = () => `rb_${randomBytes(32).toString('base64url')}`;

describe('auth', () => {
  let reader: CreatedToken;
  let writer: CreatedToken;

  beforeAll(async () => {
    reader = await createToken('read');
    writer = await createToken('write');
  });

  it('answers 401 on every /v1 route of the built api without a token, and leaves only the allow-listed routes open', async () => {
    const routes = await builtRoutes();
    // The enumeration itself is checked: the routes of every controller family are there.
    for (const known of [
      'POST /v1/tokens',
      'GET /v1/audit',
      'POST /v1/datasets/csv',
      'GET /v1/runs/events',
      'POST /v1/pipelines/run',
      'DELETE /v1/destinations/:id',
      'GET /v1/datasets/:name/lineage',
      'GET /health',
    ]) {
      expect(routes.map((r) => `${r.method} ${r.path}`)).toContain(known);
    }
    const v1 = routes.filter((r) => r.path.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThan(30);
    const answers = [];
    for (const route of v1) {
      const res = await send(route.method, concrete(route.path));
      answers.push({ route: `${route.method} ${route.path}`, status: res.status, code: res.body?.error?.code });
    }
    expect(answers.filter((a) => a.status !== 401 || a.code !== 'unauthorized')).toEqual([]);

    const open = ['/health', '/ready', '/metrics', '/openapi.json', '/docs'];
    for (const route of routes.filter((r) => !r.path.startsWith('/v1/'))) {
      const res = await send(route.method, route.path);
      // /docs serves its page's assets under it (/docs/:asset) too.
      const isOpen = open.includes(route.path) || route.path.startsWith('/docs/');
      expect({ route: route.path, refused: res.status === 401 }).toEqual({ route: route.path, refused: !isOpen });
    }
  });

  it('says what is missing and how to get a token, before any other check of the request', async () => {
    const missing = await send('GET', '/v1/runs?unknownField=1');
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toMatch(
      /needs an api token: send "Authorization: Bearer <token>".*\.relayboard\/admin-token.*POST \/v1\/tokens/,
    );
    const basic = await send('GET', '/v1/runs', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect([basic.status, basic.body.error.code, basic.body.error.details]).toEqual([
      401,
      'unauthorized',
      { reason: 'malformed' },
    ]);
  });

  it('refuses a forged token and a token of another shape', async () => {
    const made = await send('GET', '/v1/datasets', { authorization: `Bearer ${forged()}` });
    expect([made.status, made.body.error.code, made.body.error.details]).toEqual([
      401,
      'unauthorized',
      { reason: 'unknown' },
    ]);
    expect(made.body.error.message).toContain('not one this api gave out');
    // The admin token with one character changed.
    const admin = testStack().adminToken;
    const tampered = `${admin.slice(0, -1)}${admin.endsWith('A') ? 'B' : 'A'}`;
    expect((await send('GET', '/v1/datasets', { authorization: `Bearer ${tampered}` })).status).toBe(401);
    expect((await send('GET', '/v1/datasets', { authorization: 'Bearer rb_short' })).body.error.details).toEqual({
      reason: 'malformed',
    });
  });

  it('refuses a revoked token from its next request on', async () => {
    const token = await createToken('write');
    expect((await apiAs(token.token, 'GET', '/v1/datasets')).status).toBe(200);
    const revoked = await api<ApiToken>('DELETE', `/v1/tokens/${token.id}`);
    expect([revoked.status, revoked.body.status]).toEqual([200, 'revoked']);
    const after = await apiAs(token.token, 'GET', '/v1/datasets');
    expect([after.status, after.body.error.code, after.body.error.details]).toEqual([
      401,
      'unauthorized',
      { reason: 'revoked' },
    ]);
    expect(after.body.error.message).toContain(`"${token.name}" was revoked`);
    expect((await api('DELETE', '/v1/tokens/00000000-0000-4000-8000-000000000000')).body.error.code).toBe(
      'token_not_found',
    );
  });

  it('refuses an expired token, and will not make one that is already expired', async () => {
    const token = await createToken('read', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(token.expiresAt).not.toBeNull();
    expect((await apiAs(token.token, 'GET', '/v1/datasets')).status).toBe(200);
    await query(`update relayboard.api_tokens set expires_at = now() - interval '1 second' where id = $1`, [token.id]);
    const after = await apiAs(token.token, 'GET', '/v1/datasets');
    expect([after.status, after.body.error.code, after.body.error.details]).toEqual([
      401,
      'unauthorized',
      { reason: 'expired' },
    ]);
    expect(after.body.error.message).toContain(`"${token.name}" expired at`);
    const past = await api('POST', '/v1/tokens', {
      name: 'too late',
      scope: 'read',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect([past.status, past.body.error.message]).toEqual([
      400,
      expect.stringContaining('expiresAt: must be in the future'),
    ]);
  });

  it('lets a read token read but not write, a write token write but not manage tokens or read the audit log', async () => {
    expect((await apiAs(reader.token, 'GET', '/v1/runs')).status).toBe(200);
    const write = await apiAs(reader.token, 'POST', '/v1/pipelines/run', { datasetName: 'orders' });
    expect([write.status, write.body.error.code, write.body.error.details]).toEqual([
      403,
      'forbidden',
      { requiredScope: 'write', tokenScope: 'read' },
    ]);
    expect(write.body.error.message).toContain('needs a token with scope write');
    const removal = await apiAs(reader.token, 'DELETE', `/v1/datasets/${uniqueName('nothing')}`);
    expect(removal.status).toBe(403);

    const allowed = await apiAs(writer.token, 'POST', '/v1/pipelines/run', { datasetName: uniqueName('nothing') });
    expect(allowed.status).toBe(404);
    for (const [method, route] of [
      ['GET', '/v1/tokens'],
      ['POST', '/v1/tokens'],
      ['GET', '/v1/audit'],
      ['DELETE', `/v1/tokens/${reader.id}`],
    ]) {
      const res = await apiAs(
        writer.token,
        method,
        route,
        method === 'POST' ? { name: 'x', scope: 'admin' } : undefined,
      );
      expect([route, res.status, res.body.error.details]).toEqual([
        route,
        403,
        { requiredScope: 'admin', tokenScope: 'write' },
      ]);
    }
    // Any token may ask which token it is (the board's sign-in does).
    const current = await apiAs(reader.token, 'GET', '/v1/tokens/current');
    expect([current.status, current.body.auth, current.body.token.id, current.body.token.scope]).toEqual([
      200,
      'on',
      reader.id,
      'read',
    ]);
  });

  it('shows a token once: the list never carries a secret, and the tokens table holds only SHA-256 hashes', async () => {
    const list = await api<TokenList>('GET', '/v1/tokens');
    expect(list.status).toBe(200);
    const listed = list.body.tokens.find((t) => t.id === reader.id)!;
    expect(listed).toMatchObject({
      name: reader.name,
      scope: 'read',
      status: 'active',
      prefix: reader.token.slice(0, 7),
    });
    expect(Object.keys(listed)).not.toContain('token');
    const secrets = [reader.token, writer.token, testStack().adminToken];
    for (const secret of secrets) expect(JSON.stringify(list.body)).not.toContain(secret.slice(7));

    const rows = await query<Record<string, unknown>>('select * from relayboard.api_tokens');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const stored = JSON.stringify(rows);
    for (const secret of secrets) {
      expect(stored).not.toContain(secret.slice(7));
      expect(stored).not.toContain(Buffer.from(secret).toString('base64'));
    }
    const hashes = rows.map((r) => r.token_hash);
    for (const secret of secrets) expect(hashes).toContain(createHash('sha256').update(secret).digest('hex'));
  });

  it('notes when a token was last used, at most once a minute', async () => {
    const token = await createToken('read');
    expect(token.lastUsedAt).toBeNull();
    await apiAs(token.token, 'GET', '/v1/datasets');
    const lastUsed = async () =>
      (
        await query<{ last_used_at: Date | null }>('select last_used_at from relayboard.api_tokens where id = $1', [
          token.id,
        ])
      )[0].last_used_at;
    let first: Date | null = null;
    for (let i = 0; i < 50 && !first; i++) {
      first = await lastUsed();
      if (!first) await new Promise((r) => setTimeout(r, 100));
    }
    expect(first).not.toBeNull();
    await apiAs(token.token, 'GET', '/v1/datasets');
    await apiAs(token.token, 'GET', '/v1/runs');
    await new Promise((r) => setTimeout(r, 500));
    expect((await lastUsed())?.toISOString()).toBe(first!.toISOString());
  });

  it('records every change with who, what, when and from where, newest first, readable by admins only', async () => {
    const started = Date.now() - 1_000;
    const created = await apiAs(writer.token, 'POST', '/v1/destinations/slack', {
      webhookUrl: `${testStack().slackUrl}/services/T000/B000/${uniqueName('audit')}`,
      name: uniqueName('audit'),
    });
    expect(created.status).toBe(201);
    expect((await apiAs(writer.token, 'DELETE', `/v1/destinations/${created.body.id}`)).status).toBe(204);
    // Refused changes are not changes.
    expect((await apiAs(reader.token, 'DELETE', `/v1/destinations/${created.body.id}`)).status).toBe(403);
    expect((await apiAs(writer.token, 'DELETE', `/v1/destinations/${created.body.id}`)).status).toBe(404);
    const token = await createToken('read');
    await api('DELETE', `/v1/tokens/${token.id}`);

    const audit = await api<AuditList>('GET', '/v1/audit?limit=20');
    expect(audit.status).toBe(200);
    const mine = audit.body.entries.filter(
      (e) => Date.parse(e.at) >= started && [created.body.id, token.id].includes(e.targetId),
    );
    const shape = (e: AuditEntry) => [e.method, e.route, e.targetId, e.status, e.token?.name];
    expect(mine.map(shape)).toEqual([
      ['DELETE', '/v1/tokens/:id', token.id, 200, 'bootstrap admin'],
      ['POST', '/v1/tokens', token.id, 201, 'bootstrap admin'],
      ['DELETE', '/v1/destinations/:id', created.body.id, 204, writer.name],
      ['POST', '/v1/destinations/slack', created.body.id, 201, writer.name],
    ]);
    expect(mine[2].token?.id).toBe(writer.id);
    expect(mine[2].path).toBe(`/v1/destinations/${created.body.id}`);
    for (const entry of mine) expect(entry.remoteAddress).toMatch(/127\.0\.0\.1|::1/);
    const times = audit.body.entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const first = await api<AuditList>('GET', '/v1/audit?limit=1');
    const second = await api<AuditList>('GET', `/v1/audit?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.entries[0].id).toBe(audit.body.entries[1].id);
    expect((await apiAs(reader.token, 'GET', '/v1/audit')).status).toBe(403);
    // Reads are not recorded.
    expect(audit.body.entries.some((e) => e.method === 'GET')).toBe(false);
  });

  it('creates a token from the command line, straight in the database, for a server without the bootstrap file', async () => {
    const name = uniqueName('cli');
    const printed = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(API_DIR, 'dist', 'create-token.js'), '--name', name, '--scope', 'read'],
        { env: { PATH: process.env.PATH, ...testStack().appEnv }, encoding: 'utf8' },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
      ),
    );
    const token = printed.stdout.trim();
    expect(token).toMatch(/^rb_[A-Za-z0-9_-]{43}$/);
    expect(printed.stderr).toContain(`created read token "${name}"`);
    expect((await apiAs(token, 'GET', '/v1/datasets')).status).toBe(200);
    expect((await apiAs(token, 'POST', '/v1/pipelines/run', { datasetName: 'orders' })).status).toBe(403);
  });

  it('keeps the bootstrap admin token in a file only its owner can read', () => {
    expect(statSync(testStack().adminTokenFile).mode & 0o777).toBe(0o600);
    expect(testStack().adminToken).toMatch(/^rb_[A-Za-z0-9_-]{43}$/);
  });

  it('asks for no token with AUTH=off (a second api on the same stores), and records changes with no one as who', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const { AUTH_BOOTSTRAP_TOKEN_FILE: _file, ...appEnv } = testStack().appEnv;
    const child = spawn(process.execPath, [path.join(API_DIR, 'dist', 'main.js')], {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...appEnv,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        READY_CHECK_DBT: 'false',
        AUTH: 'off',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`the api with AUTH=off exited:\n${output}`);
        if (
          await fetch(`${base}/health`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        if (i > 300) throw new Error(`the api with AUTH=off did not answer /health within 60 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(output).toContain('AUTH=off');
      expect((await send('GET', '/v1/datasets', {}, base)).status).toBe(200);
      expect((await send('GET', '/v1/tokens', {}, base)).status).toBe(200);
      const current = await send('GET', '/v1/tokens/current', {}, base);
      expect(current.body).toEqual({ auth: 'off', token: null });
      const name = uniqueName('auth_off');
      const res = await fetch(`${base}/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, scope: 'read' }),
      });
      expect(res.status).toBe(201);
      const made = (await res.json()) as CreatedToken;
      const [entry] = await query<{ token_id: string | null; method: string }>(
        'select token_id, method from relayboard.audit_log where target_id = $1',
        [made.id],
      );
      expect(entry).toEqual({ token_id: null, method: 'POST' });
      // The main api, with auth on, still refuses the anonymous request.
      expect((await send('GET', '/v1/tokens')).status).toBe(401);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});

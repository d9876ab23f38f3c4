import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Run } from '@relayboard/contracts';
import { api, fixtureUrl, uniqueName } from './helpers';
import { testStack } from './stack-env';

/**
 * The CLI (`./relayboard datasets|run|runs|tokens`, packages/cli) against the test
 * stack's api, as a person runs it: the real entry point, real processes, exit codes.
 */
const ROOT = path.join(__dirname, '..');

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'relayboard'),
      args,
      {
        cwd: ROOT,
        env: {
          ...process.env,
          RELAYBOARD_API_URL: testStack().apiUrl,
          RELAYBOARD_TOKEN: testStack().adminToken,
          RELAYBOARD_HOME: path.join(os.tmpdir(), 'rb-cli-no-stack'),
          ...env,
        },
        timeout: 200_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the relayboard CLI', () => {
  const name = uniqueName('cli');
  const uploaded = uniqueName('cli_up');
  const flaky = uniqueName('cli_gone');
  let server: http.Server;
  let serving = true;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rb-cli-'));
    server = http.createServer((_req, res) => {
      if (serving) res.writeHead(200, { 'content-type': 'text/csv' }).end('id,city\n1,Oslo\n2,Lima\n');
      else res.writeHead(404).end('gone');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  });

  it('registers a CSV by URL, runs it with --wait (steps as they finish, exit 0) and shows it', async () => {
    const added = await cli(['datasets', 'add', name, '--url', fixtureUrl('people.csv')]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(
      new RegExp(
        `^registered dataset ${name}: [\\d.]+ (B|KiB), sha256 [0-9a-f]{12}\\nrun it with: relayboard run ${name} --wait\\n$`,
      ),
    );

    const ran = await cli(['run', name, '--wait']);
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = ran.stdout.trim().split('\n');
    const runId = /^run ([0-9a-f-]{36}) of /.exec(lines[0])![1];
    const { body: run } = await api<Run>('GET', `/v1/runs/${runId}`);
    expect(run.status).toBe('succeeded');
    // Each step once, in order, as it finished, with what it did; then the outcome.
    const stepLines = lines.filter((l) => /^ {2}(fetch|stage|transform|deliver) +(succeeded|failed|skipped)/.test(l));
    expect(stepLines.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'fetch succeeded',
      'stage succeeded',
      'transform succeeded',
      'deliver succeeded',
    ]);
    expect(stepLines[1]).toContain(`${run.steps.find((s) => s.name === 'stage')!.metrics.rows} rows`);
    expect(stepLines[2]).toMatch(/\d+ models, \d+ tests/);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^run ${runId} of ${name} succeeded in [\\d.]+ (s|min)`));

    const shown = await cli(['runs', 'show', runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n')[0]).toBe(`run ${runId} of ${name}: succeeded`);
    const listed = await cli(['runs', 'list', '--dataset', name]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^RUN +DATASET +STATUS +TRIGGER +ROWS/);
    expect(listed.stdout).toMatch(new RegExp(`${runId} +${name} +succeeded +api`));
    const asJson = JSON.parse((await cli(['runs', 'list', '--dataset', name, '--json'])).stdout) as {
      runs: { id: string }[];
    };
    expect(asJson.runs.map((r) => r.id)).toEqual([runId]);

    const datasets = await cli(['datasets', 'list', '--prefix', name]);
    expect(datasets.stdout).toMatch(
      new RegExp(`\\n${name} +http://\\S+people\\.csv +\\d+ +[\\d.]+ (B|KiB) +${runId} +succeeded`),
    );
    const dataset = await cli(['datasets', 'show', name]);
    expect(dataset.stdout).toContain(`dataset ${name}\n`);
    expect(dataset.stdout).toContain(`  last run   ${runId} succeeded`);
    // Its columns as a table, indented under the dataset.
    expect(dataset.stdout).toMatch(/\n {2}COLUMN +TYPE\n {2}_?\w+ +\w+/);
  });

  it('uploads a file as a dataset and a new version of it', async () => {
    const file = path.join(dir, 'data.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const first = await cli(['datasets', 'add', uploaded, '--file', file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^registered dataset ${uploaded}: 8 B`));
    writeFileSync(file, 'a,b\n1,2\n3,4\n');
    const second = await cli(['datasets', 'add', uploaded, '--file', file]);
    expect(second.stdout).toMatch(new RegExp(`^new version of dataset ${uploaded}: 12 B`));
  });

  it("exits 1 with the run's reason when the run fails", async () => {
    serving = true;
    const port = (server.address() as AddressInfo).port;
    expect((await cli(['datasets', 'add', flaky, '--url', `http://127.0.0.1:${port}/data.csv`])).code).toBe(0);
    serving = false;
    const ran = await cli(['run', flaky, '--refresh', '--wait']);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/^ {2}fetch +failed +.*404/m);
    expect(ran.stdout.trim().split('\n').pop()).toMatch(
      new RegExp(`^run [0-9a-f-]{36} of ${flaky} failed in .+: fetch: .*404`),
    );
  });

  it('creates, lists and revokes tokens; a revoked or missing token is refused with a hint', async () => {
    const created = await cli([
      'tokens',
      'create',
      '--name',
      `cli ${name}`,
      '--scope',
      'read',
      '--expires-in-days',
      '7',
    ]);
    expect(created.code).toBe(0);
    const [head, secret] = created.stdout.split('\n');
    const id = /^token ([0-9a-f-]{36}) \(cli .+, read, expires \S+ \S+\):$/.exec(head)![1];
    expect(secret).toMatch(/^rb_[A-Za-z0-9_-]{43}$/);
    // The new token reads, and cannot write.
    expect((await cli(['runs', 'list', '--limit', '1'], { RELAYBOARD_TOKEN: secret })).code).toBe(0);
    const write = await cli(['run', name], { RELAYBOARD_TOKEN: secret });
    expect(write.code).toBe(1);
    expect(write.stderr).toMatch(/answered 403 forbidden: .*write/);
    const listed = await cli(['tokens', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`\n${id} +cli ${name} +read +active`));
    expect((await cli(['tokens', 'revoke', id])).stdout).toBe(`token ${id} revoked\n`);
    const refused = await cli(['runs', 'list'], { RELAYBOARD_TOKEN: secret });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('answered 401 unauthorized');
    expect(refused.stderr).toContain(
      '(the token from RELAYBOARD_TOKEN was refused: create another with ./relayboard tokens create, or sign in again)',
    );
    const none = await cli(['runs', 'list'], { RELAYBOARD_TOKEN: '' });
    expect(none.stderr).toContain(
      '(no token: pass --token, set RELAYBOARD_TOKEN, or run against the local stack, which keeps its admin token in .relayboard/admin-token)',
    );
  });

  it('says what is wrong, with exit codes scripts can use', async () => {
    const unknown = await cli(['run', uniqueName('nobody'), '--wait']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^relayboard: POST \/v1\/pipelines\/run answered 404 dataset_not_found: /);
    // A port nothing listens on: one the system just handed out and that was closed again.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await cli(['runs', 'list'], { RELAYBOARD_API_URL: `http://127.0.0.1:${closedPort}` });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(
      `relayboard: cannot reach the api at http://127.0.0.1:${closedPort} (from RELAYBOARD_API_URL): ECONNREFUSED; start the stack with ./relayboard up, or pass --api-url\n`,
    );
    const both = await cli(['datasets', 'add', 'x', '--url', 'http://a/b.csv', '--file', 'c.csv']);
    expect({ code: both.code, stderr: both.stderr }).toEqual({
      code: 2,
      stderr: 'relayboard: give exactly one of --url <csvUrl> or --file <path>\n',
    });
    const unknownCommand = await cli(['nosuch']);
    expect(unknownCommand.code).toBe(2);
  });
});

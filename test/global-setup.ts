import { chmodSync, cpSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portsFrom, startStack, type Stack } from '../packages/devstack/dist';
import { CANARY_SECRET, type TestStackEnv } from './stack-env';

declare global {
  var __relayboardStack: { stack: Stack; home: string } | undefined;
}

/**
 * Test ports sit away from the local stack's defaults, so tests run while
 * `./relayboard up` does; RELAYBOARD_TEST_PORT_BASE moves them all (two suites at once).
 */
function portBase(): number {
  const raw = process.env.RELAYBOARD_TEST_PORT_BASE?.trim() || '24000';
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1024 || base > 65_000)
    throw new Error(
      `RELAYBOARD_TEST_PORT_BASE must be a port from 1024 to 65000 (the tests use it and the 21 ports after it), got "${raw}"`,
    );
  return base;
}

function testPorts() {
  return portsFrom(portBase());
}

/** The stack's service controls (test/faults/services.ts), next to the other test ports. */
function controlPort(): number {
  return portBase() + 6;
}

/** Settings the test stack's api and worker run with, so limits can be tested quickly. */
const TEST_SETTINGS: NodeJS.ProcessEnv = {
  FETCH_IDLE_TIMEOUT_MS: '3000',
  // test/hostile-input.e2e-spec.ts sends bodies past it (its fetch deadline tests start an api of their own with short limits).
  API_JSON_BODY_LIMIT: '64kb',
  MAX_CSV_BYTES: String(64 * 1024 * 1024),
  RELAYBOARD_TEST_CANARY_SECRET: CANARY_SECRET,
  // A Slack stand-in that does not answer is given up on quickly.
  SLACK_TIMEOUT_MS: '2000',
  // A killed worker's job is taken over within seconds, and the reconciler looks often (test/crash-safety.e2e-spec.ts).
  WORKER_LOCK_MS: '8000',
  WORKER_STALLED_CHECK_MS: '2000',
  RECONCILE_INTERVAL_MS: '2000',
};

export default async function globalSetup(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..');
  const home = mkdtempSync(path.join(os.tmpdir(), 'relayboard-test-'));
  // PostgreSQL runs as the postgres user when tests run as root: it must be able to enter the folder.
  chmodSync(home, 0o755);
  // A dbt project of the stack's own: its generated models and the models tests add never
  // reach the checkout's dbt/ (or another suite's stack), and the committed files are the same.
  const dbtProjectDir = path.join(home, 'dbt');
  const skip = new Set(
    ['target', 'logs', '.user.yml', path.join('models', 'relayboard')].map((p) => path.join(repoRoot, 'dbt', p)),
  );
  cpSync(path.join(repoRoot, 'dbt'), dbtProjectDir, { recursive: true, filter: (source) => !skip.has(source) });
  const web = existsSync(path.join(repoRoot, 'apps', 'web', '.next', 'BUILD_ID'));
  if (!web) throw new Error('the board is not built: run the tests with ./relayboard test (it builds first)');
  const stack = await startStack({
    repoRoot,
    home,
    ports: testPorts(),
    web,
    ephemeral: true,
    // Like ./relayboard up: a worker a test kills is started again by the stack (workerPid() in stack-env.ts finds it).
    restartApps: true,
    // Fault tests stop, restart and pause PostgreSQL, Redis and the object store through it (test/faults/services.ts).
    controlPort: controlPort(),
    extraEnv: { ...TEST_SETTINGS, DBT_PROJECT_DIR: dbtProjectDir },
    filesDir: path.join(repoRoot, 'test', 'fixtures'),
    log: (line) => process.stdout.write(`[stack] ${line}\n`),
  });
  globalThis.__relayboardStack = { stack, home };
  if (!stack.adminToken)
    throw new Error(
      `the test stack's api wrote no admin token to ${stack.adminTokenFile}: see ${path.join(home, 'logs', 'api.log')}`,
    );
  const env: TestStackEnv = {
    apiUrl: stack.apiUrl,
    webUrl: web ? stack.webUrl : null,
    filesUrl: stack.filesUrl,
    slackUrl: stack.slack.url,
    databaseUrl: String(stack.env.DATABASE_URL),
    s3Endpoint: String(stack.env.S3_ENDPOINT),
    dbtProjectDir,
    redisUrl: String(stack.env.REDIS_URL),
    home,
    appEnv: Object.fromEntries(
      Object.entries(stack.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
    workerPid: stack.processes.find((p) => p.name === 'worker')!.child.pid!,
    workerPidFile: path.join(home, 'run', 'worker.pid'),
    controlUrl: stack.controlUrl!,
    adminToken: stack.adminToken,
    adminTokenFile: stack.adminTokenFile,
  };
  process.env.RELAYBOARD_TEST_STACK = JSON.stringify(env);
}

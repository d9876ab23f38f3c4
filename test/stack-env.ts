import { readFileSync } from 'node:fs';

/** What global-setup publishes to the test files (they run in other processes). */
export interface TestStackEnv {
  apiUrl: string;
  webUrl: string | null;
  filesUrl: string;
  slackUrl: string;
  databaseUrl: string;
  /** The S3 server (SeaweedFS); credentials and bucket are CREDENTIALS in packages/devstack/src/stack.ts. */
  s3Endpoint: string;
  /** The test stack's copy of dbt/, which its worker builds. */
  dbtProjectDir: string;
  redisUrl: string;
  home: string;
  /** The environment the stack's api and worker run with, to start another worker like them. */
  appEnv: Record<string, string>;
  /** The stack's own worker process as it was started; the stack restarts a worker that dies, so use workerPid(). */
  workerPid: number;
  /** Holds the pid of the stack's current worker (absent while it is being restarted). */
  workerPidFile: string;
  /** The stack's service controls over HTTP; use test/faults/services.ts. */
  controlUrl: string;
  /** The admin token the stack's api bootstrapped (test/helpers.ts sends it: authHeaders()). */
  adminToken: string;
  /** Where the api wrote it (AUTH_BOOTSTRAP_TOKEN_FILE, mode 0600). */
  adminTokenFile: string;
}

export function testStack(): TestStackEnv {
  const raw = process.env.RELAYBOARD_TEST_STACK;
  if (!raw)
    throw new Error(
      'RELAYBOARD_TEST_STACK is not set: run integration tests through jest (test/global-setup.ts starts the stack)',
    );
  return JSON.parse(raw) as TestStackEnv;
}

/** The pid of the stack's worker now (the stack starts a new one when one dies); null while it is being restarted. */
export function workerPid(): number | null {
  try {
    const pid = Number(readFileSync(testStack().workerPidFile, 'utf8').trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * A secret only the test stack's api and worker have in their environment: if
 * it ever shows up in a table, an event, a log or a dbt model, something handed
 * the worker's environment on or rendered text from a file.
 */
export const CANARY_SECRET = 'rb-canary-secret-5f0c1e7a9d2b';

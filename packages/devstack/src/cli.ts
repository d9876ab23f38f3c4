import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@relayboard/config';
import { stopRecorded } from './process';
import { DEFAULT_PORTS, STOP_ORDER, stackDirs, startStack, type StackPorts } from './stack';

const repoRoot = findRepoRoot(__dirname);
const home = process.env.RELAYBOARD_HOME ?? path.join(repoRoot, '.relayboard');
const SAMPLE_DATASET = 'sample_orders';
const say = (line: string) => console.log(`relayboard: ${line}`);

function portsFromEnv(): StackPorts {
  const pick = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a port number`);
    return port;
  };
  return {
    postgres: pick('RELAYBOARD_PG_PORT', DEFAULT_PORTS.postgres),
    redis: pick('RELAYBOARD_REDIS_PORT', DEFAULT_PORTS.redis),
    s3: pick('RELAYBOARD_S3_PORT', DEFAULT_PORTS.s3),
    api: pick('API_PORT', DEFAULT_PORTS.api),
    web: pick('WEB_PORT', DEFAULT_PORTS.web),
    slack: pick('RELAYBOARD_SLACK_PORT', DEFAULT_PORTS.slack),
    files: pick('RELAYBOARD_FILES_PORT', DEFAULT_PORTS.files),
  };
}

async function api<T>(
  base: string,
  token: string | null,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const headers: Record<string, string> = {};
  if (body) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${route}`, {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as T };
}

interface RunView {
  status: string;
  error: string | null;
  deliveryStatus: string | null;
  deliveries: { destinationName: string | null; status: string; error: string | null }[];
  steps: { name: string; status: string; metrics: Record<string, unknown>; error: string | null }[];
}

async function runSample(
  apiUrl: string,
  token: string | null,
  filesUrl: string,
  slackWebhook: string,
): Promise<RunView> {
  const registered = await api<{ error?: { message: string } }>(apiUrl, token, 'POST', '/v1/datasets/csv', {
    name: SAMPLE_DATASET,
    csvUrl: `${filesUrl}/orders.csv`,
  });
  if (registered.status === 201) say(`registered dataset ${SAMPLE_DATASET} from ${filesUrl}/orders.csv`);
  else if (registered.status === 409) say(`dataset ${SAMPLE_DATASET} is already registered`);
  else throw new Error(`registering the sample failed (${registered.status}): ${registered.json.error?.message}`);

  const destination = await api<{ error?: { message: string } }>(apiUrl, token, 'POST', '/v1/destinations/slack', {
    webhookUrl: slackWebhook,
  });
  if (destination.status >= 400)
    throw new Error(`registering the Slack destination failed: ${destination.json.error?.message}`);

  const started = await api<{ runId: string }>(apiUrl, token, 'POST', '/v1/pipelines/run', {
    datasetName: SAMPLE_DATASET,
  });
  if (started.status !== 202)
    throw new Error(`starting the sample run failed (${started.status}): ${JSON.stringify(started.json)}`);
  say(`run ${started.json.runId} queued; following it`);
  const deadline = Date.now() + 5 * 60_000;
  let lastLine = '';
  for (;;) {
    const { json: run } = await api<RunView>(apiUrl, token, 'GET', `/v1/runs/${started.json.runId}`);
    const line = run.steps.map((s) => `${s.name}:${s.status}`).join('  ');
    if (line !== lastLine) say(`  ${line}`);
    lastLine = line;
    if (['succeeded', 'failed', 'canceled', 'skipped'].includes(run.status)) return run;
    if (Date.now() > deadline)
      throw new Error('the sample run did not finish within 5 minutes; see .relayboard/logs/worker.log');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function up(args: string[]): Promise<number> {
  const once = args.includes('--once');
  const web = !args.includes('--no-web');
  const ports = portsFromEnv();
  const leftovers = await stopRecorded(stackDirs(home).runDir, STOP_ORDER);
  if (leftovers.length) say(`stopped what an earlier run left behind: ${leftovers.join(', ')}`);

  // `down` finds this process here: stopping it stops the Slack stand-in and file server it serves too.
  const ownPidFile = path.join(stackDirs(home).runDir, 'stack.pid');
  mkdirSync(stackDirs(home).runDir, { recursive: true });
  writeFileSync(ownPidFile, String(process.pid));

  const stack = await startStack({
    repoRoot,
    home,
    ports,
    web,
    filesDir: path.join(repoRoot, 'infra', 'local', 'sample'),
    log: say,
    // As compose's restart: unless-stopped: a dead api or worker is started again, and this output says so.
    restartApps: true,
    onSlackMessage: (m) => say(`[slack stand-in] ${m.path} received: ${String(m.body.text)}`),
  });
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping everything this command started');
    await stack.stop();
    rmSync(ownPidFile, { force: true });
    rmSync(path.join(home, 'api-url'), { force: true });
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(130));
  process.on('SIGTERM', () => void shutdown(143));

  // The CLI (./relayboard datasets|run|runs|tokens) finds this stack's api here.
  writeFileSync(path.join(home, 'api-url'), `${stack.apiUrl}\n`);
  let code = 0;
  try {
    const webhook = process.env.SLACK_WEBHOOK_URL || stack.slack.webhookUrl();
    const run = await runSample(stack.apiUrl, stack.adminToken, stack.filesUrl, webhook);
    const stage = run.steps.find((s) => s.name === 'stage');
    if (run.status === 'succeeded')
      say(`sample run succeeded: ${stage?.metrics.rows} rows in warehouse.${SAMPLE_DATASET}`);
    else {
      code = 1;
      say(`sample run ${run.status}: ${run.error}`);
    }
    // The data's outcome and the digest's are separate facts: a published load whose digest failed is said as such.
    const undelivered = run.deliveries.filter((d) => d.status === 'failed' || d.status === 'unknown');
    if (run.deliveryStatus === 'delivered') say('Slack digest delivered');
    else if (run.deliveryStatus)
      say(
        `Slack digest ${run.deliveryStatus}${undelivered.length ? `: ${undelivered.map((d) => `${d.destinationName}: ${d.error}`).join('; ')}` : ''}`,
      );
  } catch (error) {
    code = 1;
    say(`sample run could not complete: ${(error as Error).message}`);
  }
  say(
    stack.adminToken
      ? `api:   ${stack.apiUrl}   (try: curl -H "Authorization: Bearer $(cat ${stack.adminTokenFile})" ${stack.apiUrl}/v1/runs)`
      : `api:   ${stack.apiUrl}   (try: curl ${stack.apiUrl}/v1/runs)`,
  );
  if (stack.adminToken) say(`admin token: ${stack.adminTokenFile} (the board's sign-in asks for it)`);
  if (web) say(`board: ${stack.webUrl}`);
  say(`logs:  ${stackDirs(home).logDir}`);
  if (once) {
    await shutdown(code);
    return code;
  }
  say('running; press Ctrl-C (or run ./relayboard down) to stop');
  await new Promise(() => undefined);
  return code;
}

async function down(): Promise<number> {
  const stopped = await stopRecorded(stackDirs(home).runDir, STOP_ORDER);
  say(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
  return 0;
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const commands: Record<string, (args: string[]) => Promise<number>> = { up, down };
  const handler = commands[command ?? ''];
  if (!handler) {
    console.error('usage: stack up [--once] [--no-web] | stack down');
    process.exit(2);
  }
  process.exitCode = await handler(args);
}

main().catch((error: Error) => {
  console.error(`relayboard: ${error.message}`);
  process.exit(1);
});

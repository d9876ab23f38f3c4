import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testStack } from './stack-env';

/**
 * The worker image's liveness signal end to end: a real worker (built, on the test
 * stack) writes WORKER_HEARTBEAT_FILE once it takes jobs, the image's HEALTHCHECK
 * command passes while it runs, and fails once the worker has shut down.
 */
describe('worker heartbeat and healthcheck', () => {
  const root = path.resolve(__dirname, '..');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relayboard-worker-health-'));
  const env = {
    ...testStack().appEnv,
    WORKER_HEARTBEAT_FILE: path.join(dir, 'worker.heartbeat'),
    WORKER_HEARTBEAT_MS: '200',
    WORKER_CONCURRENCY: '1',
  };
  let worker: ChildProcess | null = null;
  const healthcheck = () =>
    spawnSync(process.execPath, [path.join(root, 'apps', 'worker', 'dist', 'health', 'healthcheck.js')], {
      cwd: root,
      env,
      encoding: 'utf8',
    });

  afterAll(() => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is healthy while the worker takes jobs and unhealthy after it stops', async () => {
    expect(healthcheck().status).toBe(1);
    worker = spawn(process.execPath, [path.join(root, 'apps', 'worker', 'dist', 'main.js')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker ready')) resolve();
      };
      worker!.stdout!.on('data', onData);
      worker!.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`the test worker exited with ${code}: ${output}`)));
    });
    expect(JSON.parse(readFileSync(env.WORKER_HEARTBEAT_FILE, 'utf8'))).toMatchObject({ pid: worker.pid });
    const alive = healthcheck();
    expect(`${alive.status} ${alive.stdout}`).toMatch(/^0 worker alive/);

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    // No beats any more: stale once older than three beats (at least 5 s).
    let last = healthcheck();
    for (let i = 0; i < 100 && last.status === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      last = healthcheck();
    }
    expect(`${last.status} ${last.stderr}`).toMatch(/^1 worker unhealthy: .*stuck or shutting down/);
  });
});

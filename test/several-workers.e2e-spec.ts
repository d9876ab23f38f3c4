import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Run } from '@relayboard/contracts';
import { api, query, uniqueName, uploadCsv, waitForRun } from './helpers';
import { testStack, workerPid } from './stack-env';

/**
 * #12 item 6, several workers: nothing a worker needs lives only on another
 * worker's disk. Two workers, each with its own copy of the dbt project (without
 * Relayboard's generated files) and its own temporary folder (dbt's target paths
 * and partial-parse state), share the stack's PostgreSQL, Redis and object store
 * while the stack's own worker is paused. 40 runs over 8 datasets, requested at
 * once, spread over both; every run succeeds with exact rows, and both workers'
 * projects end with every dataset's dbt files, regenerated from PostgreSQL, alike.
 */
const DATASETS = 8;
const RUNS = 40;
const GENERATED = path.join('models', 'relayboard');

interface TestWorker {
  child: ChildProcess;
  projectDir: string;
  tmpDir: string;
  output: string[];
}

/** The project as a person deploys it to a machine: their files, not Relayboard's generated ones or dbt's output. */
function copyProject(to: string): void {
  const from = testStack().dbtProjectDir;
  cpSync(from, to, {
    recursive: true,
    filter: (source) => {
      const rel = path.relative(from, source);
      return !['target', 'logs', 'dbt_packages', GENERATED].some(
        (skip) => rel === skip || rel.startsWith(`${skip}${path.sep}`),
      );
    },
  });
}

async function startWorker(label: string): Promise<TestWorker> {
  const projectDir = mkdtempSync(path.join(os.tmpdir(), `rb-${label}-dbt-`));
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), `rb-${label}-tmp-`));
  copyProject(projectDir);
  const output: string[] = [];
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'apps', 'worker', 'dist', 'main.js')], {
    env: { ...testStack().appEnv, DBT_PROJECT_DIR: projectDir, TMPDIR: tmpDir, WORKER_CONCURRENCY: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('worker ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker ${label} exited with ${code}: ${output.join('')}`)));
  });
  return { child, projectDir, tmpDir, output };
}

/** Every generated file of a dataset in a project, by path, with its content. */
function generatedFiles(projectDir: string, dataset: string): Record<string, string> {
  const dir = path.join(projectDir, GENERATED, dataset);
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]),
  );
}

describe('several workers sharing PostgreSQL, Redis and the object store', () => {
  const names = Array.from({ length: DATASETS }, (_, i) => uniqueName(`multi${i}`));
  const rows = (i: number) => 3 + i;
  const workers: TestWorker[] = [];
  let stackWorker: number | null = null;

  beforeAll(async () => {
    for (const [i, name] of names.entries()) {
      const csv = `id,label,amount\n${Array.from({ length: rows(i) }, (_, r) => `${r + 1},row ${r} of ${i},${r * 1.5}`).join('\n')}\n`;
      expect((await uploadCsv(name, csv)).status).toBe(201);
    }
    // The runs go to the two workers below only (the stack restarts a worker that dies, so it is paused, not killed).
    stackWorker = workerPid();
    if (!stackWorker) throw new Error('the stack has no worker running (no pid file)');
    process.kill(stackWorker, 'SIGSTOP');
    workers.push(await startWorker('w1'), await startWorker('w2'));
  }, 180_000);

  afterAll(() => {
    for (const w of workers) {
      w.child.kill('SIGKILL');
      rmSync(w.projectDir, { recursive: true, force: true });
      rmSync(w.tmpDir, { recursive: true, force: true });
    }
    if (stackWorker) process.kill(stackWorker, 'SIGCONT');
  });

  it(`runs ${RUNS} runs over ${DATASETS} datasets on both workers, each regenerating the dbt files it needs from PostgreSQL`, async () => {
    const requested = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const { status, body } = await api('POST', '/v1/pipelines/run', {
          datasetName: names[i % DATASETS],
          force: true,
        });
        expect(status).toBe(202);
        return { id: body.runId as string, dataset: i % DATASETS };
      }),
    );
    const runs: Run[] = [];
    for (const r of requested) runs.push(await waitForRun(r.id, 1_200_000));
    expect(
      runs.filter((r) => r.status !== 'succeeded').map((r) => ({ id: r.id, dataset: r.datasetName, error: r.error })),
    ).toEqual([]);
    for (const [i, r] of requested.entries())
      expect({ run: r.id, rows: runs[i].rows }).toEqual({ run: r.id, rows: rows(r.dataset) });

    // Which worker ran each run: its first event names the worker's host and pid.
    const pids = workers.map((w) => w.child.pid!);
    const ranOn = await query<{ run_id: string; worker: string }>(
      `select run_id::text, data->>'worker' as worker from relayboard.run_events where run_id = any($1::uuid[]) and message like 'attempt % started' order by id`,
      [requested.map((r) => r.id)],
    );
    const byWorker = pids.map(
      (pid) => new Set(ranOn.filter((e) => e.worker === `${os.hostname()}:${pid}`).map((e) => e.run_id)),
    );
    expect(ranOn.every((e) => pids.some((pid) => e.worker === `${os.hostname()}:${pid}`))).toBe(true);
    // Spread over both: each took a fair share of the four slots' work.
    for (const ran of byWorker) expect(ran.size).toBeGreaterThanOrEqual(RUNS / 10);
    // dbt ran each build in that worker's own folder.
    for (const [w, ran] of byWorker.entries()) {
      for (const id of ran) {
        const build = runs
          .find((r) => r.id === id)!
          .events.find((e) => e.message.startsWith('dbt build --select'))!.message;
        expect(build).toContain(path.join(workers[w].tmpDir, 'relayboard-dbt', 'runs', id, 'target'));
      }
    }
    // Each worker's project was copied without generated files; it now has every dataset's, written from
    // PostgreSQL by the runs it ran, and the same on both (a dataset none of its runs built included).
    for (const name of names) {
      const [first, second] = workers.map((w) => generatedFiles(w.projectDir, name));
      expect(Object.keys(first)).toEqual(
        [
          `_${name}__models.yml`,
          `_${name}__sources.yml`,
          `${name}.sql`,
          `${name}__profile.sql`,
          `stg_${name}.sql`,
        ].sort(),
      );
      expect(second).toEqual(first);
    }
    console.log(
      `[several workers] ${RUNS} runs over ${DATASETS} datasets: ${byWorker.map((ran, w) => `worker ${w + 1} ran ${ran.size}`).join(', ')}`,
    );
  }, 1_500_000);
});

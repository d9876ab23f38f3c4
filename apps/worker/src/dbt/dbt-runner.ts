import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dbtEnvironment, type AppConfig } from '@relayboard/config';
import { GENERATED_DIR, renderProjectFiles, type DatasetModelInput } from './dbt-files';

export interface DbtNodeResult {
  uniqueId: string;
  name: string;
  kind: string;
  status: string;
  message: string | null;
  failures: number | null;
  rowsAffected: number | null;
  executionTime: number;
}

export interface DbtBuildResult {
  ok: boolean;
  exitCode: number;
  nodes: DbtNodeResult[];
  /** Last lines dbt printed: the error when it failed before running any node. */
  outputTail: string[];
}

interface RunResultsJson {
  results: {
    unique_id: string;
    status: string;
    message: string | null;
    failures: number | null;
    execution_time: number;
    adapter_response?: { rows_affected?: number };
  }[];
}

/** Drives the dbt CLI of the venv against the repository's dbt project. */
export class DbtRunner {
  constructor(private readonly config: AppConfig) {}

  /**
   * Rewrites the generated area from metadata, so any worker on any machine
   * builds the same project. Files are replaced by rename, so a concurrent
   * parse never reads half a file.
   */
  async writeProject(datasets: DatasetModelInput[]): Promise<void> {
    const root = this.config.dbt.projectDir;
    const files = renderProjectFiles(datasets);
    for (const [relative, content] of files) {
      const file = path.join(root, relative);
      await mkdir(path.dirname(file), { recursive: true });
      const existing = existsSync(file) ? await readFile(file, 'utf8') : null;
      if (existing === content) continue;
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, content);
      await rename(tmp, file);
    }
    const generated = path.join(root, GENERATED_DIR);
    const keep = new Set(datasets.map((d) => d.name));
    for (const entry of await readdir(generated, { withFileTypes: true })) {
      if (entry.isDirectory() && !keep.has(entry.name)) await rm(path.join(generated, entry.name), { recursive: true, force: true });
    }
  }

  /** `dbt build --select source:staging.<dataset>+`: the dataset's models, tests and everything downstream. */
  async build(dataset: string, runId: string, onLine: (line: string) => void): Promise<DbtBuildResult> {
    const workDir = path.join(os.tmpdir(), 'relayboard-dbt', runId);
    const targetPath = path.join(workDir, 'target');
    await rm(workDir, { recursive: true, force: true });
    await mkdir(targetPath, { recursive: true });
    const args = [
      'build',
      '--select', `source:staging.${dataset}+`,
      '--project-dir', this.config.dbt.projectDir,
      '--profiles-dir', this.config.dbt.projectDir,
      '--target-path', targetPath,
      '--log-path', path.join(workDir, 'logs'),
      '--no-use-colors',
    ];
    const outputTail: string[] = [];
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(this.config.dbt.bin, args, { cwd: this.config.dbt.projectDir, env: dbtEnvironment(this.config) });
      let pending = '';
      const onData = (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const trimmed = line.trimEnd();
          if (!trimmed) continue;
          outputTail.push(trimmed);
          if (outputTail.length > 40) outputTail.shift();
          onLine(trimmed);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (error) =>
        reject(new Error(`could not start dbt at ${this.config.dbt.bin} (${error.message}); run ./relayboard bootstrap or set DBT_BIN`)),
      );
      child.once('close', (code) => resolve(code ?? 1));
    });
    const nodes = await this.readResults(path.join(targetPath, 'run_results.json'));
    await rm(workDir, { recursive: true, force: true });
    return { ok: exitCode === 0, exitCode, nodes, outputTail };
  }

  private async readResults(file: string): Promise<DbtNodeResult[]> {
    if (!existsSync(file)) return [];
    const json = JSON.parse(await readFile(file, 'utf8')) as RunResultsJson;
    return json.results.map((r) => {
      const [kind, , ...rest] = r.unique_id.split('.');
      return {
        uniqueId: r.unique_id,
        name: rest.join('.'),
        kind,
        status: r.status,
        message: r.message,
        failures: r.failures,
        rowsAffected: r.adapter_response?.rows_affected ?? null,
        executionTime: r.execution_time,
      };
    });
  }
}

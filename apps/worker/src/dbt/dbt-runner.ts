import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { dbtEnvironment, type AppConfig } from '@relayboard/config';
import { datasetDir, fileHeader, GENERATED_DIR } from './dbt-files';
import { parseDbtLogLine, type DbtLogEvent } from './dbt-log';
import { checkIdOf, manifestNode, type DbtManifest } from './lineage';
import type { BuildLockPlan, NodeResultInput } from '@relayboard/db';
import {
  lockPlan,
  peoplesModelsBySource,
  projectState,
  readSelectionState,
  type SelectionState,
} from './build-selection';
import { PermanentStepError } from '../steps/step';
import { writeRunProject } from './run-project';
import { dbtInterpreter, WarmDbt } from './warm-dbt';

/** dbt-guard.ts's line when it could not start dbt. */
const GUARD_SPAWN_FAILED = 'relayboard-dbt-guard: ';
/** How long dbt gets between SIGTERM and SIGKILL of its process group. */
const DBT_KILL_GRACE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process's command line, or '' when it is gone (Linux /proc; elsewhere nothing is known). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** A node's outcome as recorded (NodeResultInput), with the SQL dbt ran for it (a test's query returns its failing rows). */
export interface DbtNodeResult extends NodeResultInput {
  compiledCode: string | null;
}

export interface DbtParseInfo {
  /** partial: dbt reused the seeded partial_parse.msgpack; full: it parsed every file (reason says why). */
  mode: 'partial' | 'full' | null;
  reason: string | null;
  /** From dbt's first line to its "Found N models" line. */
  ms: number | null;
}

export interface DbtBuildResult {
  ok: boolean;
  exitCode: number;
  nodes: DbtNodeResult[];
  /** dbt's error-level messages: the reason when it failed before running any node. */
  errors: string[];
  parse: DbtParseInfo;
  /** The manifest this build parsed; null when parsing failed. */
  manifest: DbtManifest | null;
  /** Time from the build's start to dbt's start: writing the run's project and seeding its partial-parse state. */
  prepareMs: number;
  /** The build ran in a dbt started ahead of it (DBT_WARM_START), not one started for it. */
  warmStart: boolean;
}

export interface DbtBuildOptions {
  dataset: string;
  runId: string;
  /** Datasets relayboard_dataset_exists() says exist (RELAYBOARD_DATASETS): those of the run's project that people's files name. */
  datasets: string[];
  /** The generated files of the run's datasets (run-project.ts), paths relative to the project: the only ones the build's project holds. */
  files: Map<string, string>;
  onEvent: (event: DbtLogEvent) => void;
  /** Aborting it stops dbt's process group (as a timeout does) and the build throws the signal's reason. */
  signal?: AbortSignal;
}

interface RunResultsJson {
  results: {
    unique_id: string;
    status: string;
    message: string | null;
    failures: number | null;
    execution_time: number;
    compiled_code?: string | null;
    adapter_response?: { rows_affected?: number };
    timing?: { name: string; started_at?: string | null; completed_at?: string | null }[];
  }[];
}

const PARTIAL_PARSE_FILE = 'partial_parse.msgpack';

/** Drives the venv's dbt CLI against the dbt project. */
export class DbtRunner {
  private readonly workRoot = path.join(os.tmpdir(), 'relayboard-dbt');
  /**
   * Another dataset's folder as this worker last found it written by the same
   * generator: the folder's mtime and the files' first lines then. Files are
   * replaced by rename, which changes the folder's mtime, so an unchanged mtime
   * and first lines mean the folder needs no look: a run stats each folder
   * instead of reading every dataset's files.
   */
  private readonly checkedFolders = new Map<string, string>();
  /** The guards of the builds running now (dbt-guard.ts): closing one's stdin stops its dbt's process group. */
  private readonly guards = new Set<ChildProcess>();
  private stopping = false;
  /** The dbt started ahead of the next build (DBT_WARM_START), once warmUp has been called. */
  private warm: WarmDbt | null = null;
  private warmOff = false;

  constructor(
    private readonly config: AppConfig,
    private readonly guardScript = path.join(__dirname, 'dbt-guard.js'),
  ) {}

  /**
   * Starts a dbt ahead of the next build (DBT_WARM_START, dbt_warm.py), and
   * another after each build; `log` hears why warm starts are off when they
   * cannot work (a DBT_BIN that is not dbt's Python script, setproctitle missing).
   */
  warmUp(log: (message: string) => void): void {
    if (!this.config.dbt.warmStart || this.warmOff || this.stopping) return;
    if (!this.warm) {
      const interpreter = dbtInterpreter(this.config.dbt.bin);
      if (!interpreter) {
        log(
          `dbt warm start is off: DBT_BIN ${this.config.dbt.bin} is not dbt's Python script (pip's \`dbt\` over dbt.cli.main), so each build starts it`,
        );
        this.warmOff = true;
        return;
      }
      this.warm = new WarmDbt(interpreter, dbtEnvironment(this.config), log);
    }
    this.warm.prepare();
  }

  /**
   * The worker is going away: every running dbt's process group is stopped
   * (SIGTERM, then SIGKILL), and the builds they belonged to never return, so
   * their runs are not recorded as failed: their jobs are left to be resumed.
   * Resolves once the guards have exited.
   */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.warm?.stop();
    const exited = [...this.guards].map(
      (guard) =>
        new Promise<void>((resolve) =>
          guard.exitCode !== null || guard.signalCode !== null ? resolve() : guard.once('exit', () => resolve()),
        ),
    );
    for (const guard of this.guards) guard.stdin?.end();
    await Promise.race([Promise.all(exited), sleep(DBT_KILL_GRACE_MS + 2_000)]);
  }

  private pidFile(runId: string): string {
    return path.join(this.workRoot, 'pids', `${runId}.pid`);
  }

  /**
   * A dbt of an earlier attempt that is still running must not overlap this
   * build: a dbt of this run is always stopped, and so is any dbt whose guard
   * is gone (a worker and its guard both killed). Pid files are checked
   * against the process's command line, so a reused pid is never signalled.
   */
  private async stopLeftovers(runId: string): Promise<void> {
    const dir = path.join(this.workRoot, 'pids');
    if (!existsSync(dir)) return;
    for (const file of await readdir(dir)) {
      if (!file.endsWith('.pid')) continue;
      const owner = file.slice(0, -'.pid'.length);
      const [guardPid, dbtPid] = (await readFile(path.join(dir, file), 'utf8').catch(() => ''))
        .trim()
        .split(' ')
        .map(Number);
      const ours = commandLine(dbtPid).includes(path.join(this.workRoot, 'runs', owner));
      if (!ours || !(dbtPid > 0)) {
        if (!(guardPid > 0 && isAlive(guardPid))) await rm(path.join(dir, file), { force: true });
        continue;
      }
      if (owner !== runId && guardPid > 0 && isAlive(guardPid)) continue;
      for (const [signal, waitMs] of [
        ['SIGTERM', DBT_KILL_GRACE_MS],
        ['SIGKILL', 2_000],
      ] as const) {
        try {
          process.kill(-dbtPid, signal);
        } catch {
          break;
        }
        const deadline = Date.now() + waitMs;
        while (isAlive(dbtPid) && commandLine(dbtPid) !== '' && Date.now() < deadline) await sleep(100);
        if (!isAlive(dbtPid)) break;
      }
      await rm(path.join(dir, file), { force: true });
    }
  }

  /**
   * Writes the generated area from metadata, so any worker on any machine builds
   * the same project. The run's own dataset is written as the metadata says (the
   * run holds that dataset's lock); another dataset's folder is only written
   * when it is missing or was written for another dataset id or by an older
   * generator (its files' first lines say which), so a run never rewrites
   * another dataset's models under that dataset's own build. Files are
   * replaced by rename, so a parse never reads half a file. Folders of
   * datasets that are no longer registered, or are out of the project, go;
   * a folder another run just wrote for a dataset this run did not know yet stays.
   */
  async writeProject(project: {
    files: Map<string, string>;
    dataset: string;
    registered: string[];
    excluded: string[];
  }): Promise<void> {
    const root = this.config.dbt.projectDir;
    const generated = path.join(root, GENERATED_DIR);
    await mkdir(generated, { recursive: true });
    const byFolder = new Map<string, Map<string, string>>();
    for (const [relative, content] of project.files) {
      const folder = path.relative(generated, path.dirname(path.join(root, relative)));
      if (!byFolder.has(folder)) byFolder.set(folder, new Map());
      byFolder.get(folder)!.set(path.join(root, relative), content);
    }
    for (const [folder, files] of byFolder) {
      const dir = path.join(generated, folder);
      if (folder !== project.dataset) {
        const seen = await this.folderStamp(dir, files);
        if (seen !== null && this.checkedFolders.get(dir) === seen) continue;
        if (await this.writtenBySameGenerator(files)) {
          if (seen !== null) this.checkedFolders.set(dir, seen);
          continue;
        }
      }
      this.checkedFolders.delete(dir);
      await this.writeFolder(dir, files);
    }
    const registered = new Set(project.registered);
    const excluded = new Set(project.excluded);
    for (const entry of await readdir(generated, { withFileTypes: true })) {
      // Top-level files are from older layouts (one _sources.yml for all datasets) and would declare sources twice.
      const gone = !entry.isDirectory() || !registered.has(entry.name) || excluded.has(entry.name);
      if (gone && !byFolder.has(entry.name))
        await rm(path.join(generated, entry.name), { recursive: true, force: true });
    }
  }

  /** Removes a deleted dataset's folder, unless it now holds files of a newer dataset of the same name. */
  async forget(dataset: string, datasetId: string): Promise<void> {
    const folder = path.join(this.config.dbt.projectDir, datasetDir(dataset));
    if (!existsSync(folder)) return;
    const headers = fileHeaders(datasetId);
    for (const file of await readdir(folder)) {
      const first = await firstLine(path.join(folder, file));
      if (first !== null && first !== headers.yaml && first !== headers.sql && !file.endsWith('.tmp')) return;
    }
    await rm(folder, { recursive: true, force: true });
  }

  /** The folder's mtime with the first lines its files should have, or null when it is missing. */
  private async folderStamp(dir: string, files: Map<string, string>): Promise<string | null> {
    const info = await stat(dir).catch(() => null);
    if (!info) return null;
    const firstLines = [...files].map(([file, content]) => `${file} ${content.slice(0, content.indexOf('\n'))}`);
    return `${info.mtimeMs} ${info.ino}\n${firstLines.join('\n')}`;
  }

  private async writtenBySameGenerator(files: Map<string, string>): Promise<boolean> {
    for (const [file, content] of files) {
      if ((await firstLine(file)) !== content.slice(0, content.indexOf('\n'))) return false;
    }
    return true;
  }

  private async writeFolder(folder: string, files: Map<string, string>): Promise<void> {
    await mkdir(folder, { recursive: true });
    for (const [file, content] of files) {
      if (existsSync(file) && (await readFile(file, 'utf8')) === content) continue;
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, content);
      await rename(tmp, file);
    }
    for (const file of await readdir(folder)) {
      const full = path.join(folder, file);
      if (!files.has(full) && !file.endsWith('.tmp')) await rm(full, { recursive: true, force: true });
    }
  }

  /**
   * One machine-wide copy of dbt's partial-parse state per project and warehouse:
   * each run gets a fresh target path seeded from it, so runs keep partial
   * parsing without sharing a target folder. The state may come from another
   * dataset's run project: dbt then reparses only the files that differ (that
   * dataset's files out, this one's in), whatever folder the project is in.
   */
  private partialParseCopy(): string {
    const key = createHash('sha256')
      .update(`${this.config.dbt.projectDir}\n${this.config.warehouseUrl}`)
      .digest('hex')
      .slice(0, 16);
    return path.join(this.workRoot, 'partial-parse', key, PARTIAL_PARSE_FILE);
  }

  /** The application_name of the run's dbt sessions in PostgreSQL (PGAPPNAME: dbt/profiles.yml leaves it to libpq), so they can be told apart and ended. */
  sessionName(runId: string): string {
    return `relayboard-dbt:${runId}`;
  }

  /** This machine's SelectionState (build-selection.ts): what the latest manifest says each dataset's build selects. */
  private selectionFile(): string {
    return path.join(path.dirname(this.partialParseCopy()), 'selection.json');
  }

  /**
   * What this dataset's build locks (see ModelBuildLocks), from the latest manifest
   * saved on this machine and the project's people's files now; fingerprint goes
   * back to saveSelection with the build's manifest.
   */
  async lockPlan(
    dataset: string,
    datasets: string[],
  ): Promise<{ plan: BuildLockPlan; fingerprint: string; mayDependOn: (dataset: string) => boolean; ms: number }> {
    const started = Date.now();
    const now = await projectState(this.config.dbt.projectDir, datasets);
    const plan = lockPlan(await readSelectionState(this.selectionFile()), now.fingerprint, dataset, now.mayDependOn);
    return { plan, fingerprint: now.fingerprint, mayDependOn: now.mayDependOn, ms: Date.now() - started };
  }

  /**
   * Keeps what the build's manifest says of the selection of each dataset in it, for
   * the next build's lockPlan. A run's project holds only some datasets, so what the
   * saved state says of the others is kept while people's files have not changed.
   */
  async saveSelection(manifest: DbtManifest, fingerprintBefore: string): Promise<void> {
    const file = this.selectionFile();
    const saved = await readSelectionState(file);
    const kept = saved?.fingerprint === fingerprintBefore ? saved.bySource : {};
    const state: SelectionState = {
      fingerprint: fingerprintBefore,
      bySource: { ...kept, ...peoplesModelsBySource(manifest) },
    };
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, file);
  }

  /** The run's own project, target and log paths: concurrent builds never share dbt's input or output files. */
  workPaths(runId: string): { workDir: string; projectDir: string; targetPath: string; logPath: string } {
    const workDir = path.join(this.workRoot, 'runs', runId);
    return {
      workDir,
      projectDir: path.join(workDir, 'project'),
      targetPath: path.join(workDir, 'target'),
      logPath: path.join(workDir, 'logs'),
    };
  }

  /**
   * `dbt build --select source:staging.<dataset>+`: the dataset's models, tests and
   * everything downstream, in a project of the run's own (run-project.ts) that holds
   * people's files and the generated files of the run's datasets only, so what dbt
   * parses does not grow with the datasets registered.
   */
  async build(options: DbtBuildOptions): Promise<DbtBuildResult> {
    const { workDir, projectDir, targetPath, logPath } = this.workPaths(options.runId);
    const started = Date.now();
    await this.stopLeftovers(options.runId);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(path.dirname(this.pidFile(options.runId)), { recursive: true });
    await mkdir(targetPath, { recursive: true });
    try {
      await writeRunProject(this.config.dbt.projectDir, projectDir, options.files);
      const seeded = await this.seedPartialParse(targetPath);
      const prepareMs = Date.now() - started;

      const args = [
        'build',
        '--select',
        `source:staging.${options.dataset}+`,
        '--project-dir',
        projectDir,
        '--profiles-dir',
        this.config.dbt.projectDir,
        '--target-path',
        targetPath,
        '--log-path',
        logPath,
        '--log-format',
        'json',
        '--no-use-colors',
      ];
      const env = {
        ...dbtEnvironment(this.config),
        RELAYBOARD_DATASETS: options.datasets.join(','),
        PGAPPNAME: this.sessionName(options.runId),
      };
      const errors: string[] = [];
      const parse: DbtParseInfo = { mode: null, reason: null, ms: null };
      let startedAt: string | null = null;
      let timedOut = false;
      let spawnError: string | null = null;
      const warm = (await this.warm?.take()) ?? null;
      const exitCode = await new Promise<number>((resolve, reject) => {
        // Through dbt-guard: dbt gets a process group of its own, which dies with this worker (see dbt-guard.ts).
        // A warm dbt (started ahead, dbt_warm.py) is adopted by its guard; otherwise the guard starts dbt.
        const child = spawn(
          process.execPath,
          warm
            ? [
                this.guardScript,
                '--adopt',
                String(warm.pid),
                this.pidFile(options.runId),
                String(DBT_KILL_GRACE_MS),
                this.config.dbt.bin,
                ...args,
              ]
            : [this.guardScript, this.pidFile(options.runId), String(DBT_KILL_GRACE_MS), this.config.dbt.bin, ...args],
          {
            cwd: projectDir,
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        );
        this.guards.add(child);
        const timer = setTimeout(() => {
          timedOut = true;
          child.stdin?.end();
        }, this.config.dbt.timeoutMs);
        // A canceled run: the guard stops dbt's group as for a timeout (SIGTERM, then SIGKILL after the grace).
        const onAbort = () => child.stdin?.end();
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (options.signal?.aborted) onAbort();
        child.once('close', () => options.signal?.removeEventListener('abort', onAbort));
        const onLine = (line: string) => {
          if (line.startsWith(GUARD_SPAWN_FAILED)) {
            spawnError = line.slice(GUARD_SPAWN_FAILED.length);
            return;
          }
          const event = parseDbtLogLine(line);
          if (!event || event.level === 'debug') return;
          startedAt ??= event.ts;
          if (event.name === 'UnableToPartialParse')
            Object.assign(parse, { mode: 'full', reason: String(event.data.reason ?? event.message) });
          if (event.name === 'FoundStats' && startedAt && event.ts)
            parse.ms = Date.parse(event.ts) - Date.parse(startedAt);
          if (event.level === 'error' && event.name !== 'LogTestResult') errors.push(event.message);
          if (event.message) options.onEvent(event);
        };
        createInterface({ input: child.stdout! }).on('line', onLine);
        createInterface({ input: child.stderr! }).on('line', onLine);
        child.stdin!.on('error', () => undefined);
        child.once('error', (error) => {
          clearTimeout(timer);
          this.guards.delete(child);
          warm?.child.stdin?.end();
          reject(new Error(`could not start dbt's guard with ${process.execPath} (${error.message})`));
        });
        if (!warm) {
          child.once('close', (code) => {
            clearTimeout(timer);
            this.guards.delete(child);
            resolve(code ?? 1);
          });
          return;
        }
        // dbt's output and exit code are the warm process's own; the build is over once it and its guard are gone.
        warm.onLine = onLine;
        const dbtClosed = new Promise<number>((done) =>
          warm.child.exitCode !== null || warm.child.signalCode !== null
            ? done(warm.child.exitCode ?? 1)
            : warm.child.once('close', (code) => done(code ?? 1)),
        );
        const guardClosed = new Promise<void>((done) => child.once('close', () => done()));
        child.once('spawn', () =>
          WarmDbt.handOver(warm, { bin: this.config.dbt.bin, args, cwd: projectDir, env: env as NodeJS.ProcessEnv }),
        );
        void Promise.all([dbtClosed, guardClosed]).then(([code]) => {
          clearTimeout(timer);
          this.guards.delete(child);
          resolve(code);
        });
      });
      if (this.stopping) {
        // Stopped by the worker's shutdown: the run is not this build's to fail; its job is resumed by another worker.
        await new Promise<never>(() => undefined);
      }
      if (spawnError) throw new Error(`${spawnError}; run ./relayboard bootstrap or set DBT_BIN`);
      options.signal?.throwIfAborted();
      if (timedOut) {
        throw new PermanentStepError(
          `dbt build ran longer than DBT_TIMEOUT_MS (${this.config.dbt.timeoutMs} ms) and was stopped; make the models faster or raise DBT_TIMEOUT_MS`,
        );
      }

      const manifest = await readJson<DbtManifest>(path.join(targetPath, 'manifest.json'));
      if (manifest) {
        parse.mode ??= (await this.usedPartialParse(logPath)) ? 'partial' : 'full';
        await this.savePartialParse(targetPath, seeded);
      }
      const nodes = this.nodeResults(
        await readJson<RunResultsJson>(path.join(targetPath, 'run_results.json')),
        manifest,
      );
      return { ok: exitCode === 0, exitCode, nodes, errors, parse, manifest, prepareMs, warmStart: warm !== null };
    } finally {
      // The next build's dbt starts now, while this run delivers and the next one fetches and stages.
      if (this.warm && !this.stopping) this.warm.prepare();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** Copies the shared partial-parse state into the run's target path; returns its mtime there, or null. */
  private async seedPartialParse(targetPath: string): Promise<number | null> {
    const shared = this.partialParseCopy();
    if (!existsSync(shared)) return null;
    const seeded = path.join(targetPath, PARTIAL_PARSE_FILE);
    await copyFile(shared, seeded);
    return (await stat(seeded)).mtimeMs;
  }

  /** dbt rewrites the file only after a parse that changed something; then it becomes the shared copy. */
  private async savePartialParse(targetPath: string, seededMtime: number | null): Promise<void> {
    const written = path.join(targetPath, PARTIAL_PARSE_FILE);
    if (!existsSync(written) || (await stat(written)).mtimeMs === seededMtime) return;
    const shared = this.partialParseCopy();
    await mkdir(path.dirname(shared), { recursive: true });
    const tmp = `${shared}.${randomUUID()}.tmp`;
    await copyFile(written, tmp);
    await rename(tmp, shared);
  }

  /** dbt logs "Partial parsing enabled" at debug level, which only its log file holds. */
  private async usedPartialParse(logPath: string): Promise<boolean> {
    const file = path.join(logPath, 'dbt.log');
    if (!existsSync(file)) return false;
    const lines = createInterface({ input: createReadStream(file) });
    for await (const line of lines) {
      if (!line.includes('PartialParsing')) continue;
      if (parseDbtLogLine(line)?.name === 'PartialParsingEnabled') {
        lines.close();
        return true;
      }
    }
    return false;
  }

  private nodeResults(results: RunResultsJson | null, manifest: DbtManifest | null): DbtNodeResult[] {
    if (!results) return [];
    return results.results.map((r) => {
      const node = manifest ? manifestNode(manifest, r.unique_id) : undefined;
      const [kind, , ...rest] = r.unique_id.split('.');
      const rows = r.adapter_response?.rows_affected;
      return {
        uniqueId: r.unique_id,
        name: node?.name ?? rest.join('.'),
        kind: node?.resource_type ?? kind,
        status: r.status,
        message: r.message,
        failures: r.failures,
        // A test's "rows affected" is its one count row; views report -1.
        rowsAffected: kind === 'model' && typeof rows === 'number' && rows >= 0 ? rows : null,
        executionTime: r.execution_time,
        ...timingSpan(r.timing ?? []),
        checkId: checkIdOf(node),
        compiledCode: r.compiled_code ?? null,
        samples: [],
      };
    });
  }
}

/** The first start and last completion among a node's timing entries. */
export function timingSpan(timing: { name?: string; started_at?: string | null; completed_at?: string | null }[]): {
  startedAt: string | null;
  completedAt: string | null;
} {
  const starts = timing
    .map((t) => t.started_at)
    .filter((t): t is string => Boolean(t))
    .sort();
  const ends = timing
    .map((t) => t.completed_at)
    .filter((t): t is string => Boolean(t))
    .sort();
  // dbt writes its times in UTC; one without a zone is read as UTC, and one that does not parse is left out.
  const iso = (t: string | undefined) => {
    const at = t ? new Date(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(t) ? t : `${t}Z`) : null;
    return at && !Number.isNaN(at.getTime()) ? at.toISOString() : null;
  };
  return { startedAt: iso(starts[0]), completedAt: iso(ends[ends.length - 1]) };
}

function fileHeaders(datasetId: string): { yaml: string; sql: string } {
  return { yaml: fileHeader(datasetId, '#'), sql: fileHeader(datasetId, '--') };
}

/** The file's first line, or null when there is no such file. */
async function firstLine(file: string): Promise<string | null> {
  if (!existsSync(file)) return null;
  const content = await readFile(file, 'utf8');
  const end = content.indexOf('\n');
  return end < 0 ? content : content.slice(0, end);
}

async function readJson<T>(file: string): Promise<T | null> {
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

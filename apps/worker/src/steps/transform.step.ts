import type { StepMetrics } from '@relayboard/contracts';
import type {
  BuildLocks,
  BuildLockWait,
  CheckStore,
  DatasetCheckRow,
  DatasetStore,
  ModelBuildLocks,
  RunStore,
} from '@relayboard/db';
import type { DbtDataRepository } from '../dbt/dbt-data.repository';
import { createHash } from 'node:crypto';
import {
  castIsChecked,
  datasetDir,
  generatedDatasetsIn,
  renderProjectFiles,
  type CheckInput,
  type DatasetModelInput,
  type ProjectFiles,
} from '../dbt/dbt-files';
import { oneLine } from '../dbt/dbt-log';
import type { DbtBuildResult, DbtNodeResult, DbtRunner } from '../dbt/dbt-runner';
import { extractLineage } from '../dbt/lineage';
import { filesOf, runProjectDatasets } from '../dbt/run-project';
import type { ProfileRepository } from '../dbt/profile.repository';
import { TransientStepError, transientReason } from '../retry/transient-errors';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

/** dbt's (psycopg2's) words for a database that went away or is restarting. */
export function lostDatabase(reason: string): boolean {
  return transientReason(new Error(reason)) !== null;
}

function toCheckInput(row: DatasetCheckRow): CheckInput {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    column: row.column_name,
    severity: row.severity,
    config: row.config,
  };
}

function describeFailure(node: DbtNodeResult): string {
  const message = oneLine(node.message ?? 'no message');
  if (node.status === 'fail')
    return `${node.kind} ${node.name} failed with ${node.failures ?? '?'} failing row(s): ${message}`;
  return `${node.kind} ${node.name} errored: ${message}`;
}

/** dbt's own words for a failed build: each failing node and its message, else dbt's error lines. */
export function failureReason(result: Pick<DbtBuildResult, 'nodes' | 'errors' | 'exitCode'>): string {
  const failed = result.nodes.filter((n) => n.status === 'error' || n.status === 'fail');
  if (failed.length) return failed.map(describeFailure).join('; ');
  const errors = result.errors.map(oneLine).filter(Boolean);
  if (errors.length) return errors.join('; ');
  return `dbt exited with code ${result.exitCode} without an error message; see the transform events of this run`;
}

/** PostgreSQL's words when a value does not take a type (SQLSTATE class 22, data exception, of the input functions). */
const CAST_ERROR =
  /invalid input syntax for type|is out of range for type|field value out of range|value overflows|out of range for type|time zone .* not recognized|unsupported Unicode escape|Unicode (low|high) surrogate/i;

/**
 * The error of a dataset's own generated model (its staging view, warehouse
 * table or profile) when a plain cast met a value it could not take: the stage
 * step's type inference let a value through that PostgreSQL refuses.
 */
export function plainCastFailure(result: Pick<DbtBuildResult, 'nodes'>, dataset: string): DbtNodeResult | null {
  const own = new Set([dataset, `stg_${dataset}`, `${dataset}__profile`]);
  return (
    result.nodes.find(
      (n) => n.kind === 'model' && n.status === 'error' && own.has(n.name) && CAST_ERROR.test(n.message ?? ''),
    ) ?? null
  );
}

/** How many datasets one run takes out of the project before it gives up and fails with dbt's words. */
const MAX_TAKEN_OUT = 3;

/**
 * Regenerates the dbt files of every staged dataset from metadata, then builds
 * this dataset's models, its tests and everything downstream of it. Another
 * dataset's files never stop this run: a dataset whose files cannot be written
 * or that dbt cannot parse is taken out of the project (recorded on the
 * dataset, with the reason) and the build goes on without it.
 */
export class TransformStep implements PipelineStep {
  readonly name = 'transform' as const;
  /** The last project rendered and the metadata it was rendered from: most runs change no dataset's schema or checks. */
  private lastRender: { key: string; files: ProjectFiles } | null = null;

  /** renderProjectFiles, reused while no dataset's metadata changed (rendering every dataset's files grows with their number). */
  private render(inputs: DatasetModelInput[]): ProjectFiles {
    const key = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
    if (this.lastRender?.key !== key) this.lastRender = { key, files: renderProjectFiles(inputs) };
    return this.lastRender.files;
  }

  constructor(
    private readonly dbt: DbtRunner,
    private readonly profiles: ProfileRepository,
    private readonly data: DbtDataRepository,
    private readonly locks: ModelBuildLocks,
    private readonly records: {
      datasets: Pick<
        DatasetStore,
        'stagedDatasets' | 'datasetNames' | 'disableDataset' | 'enableDataset' | 'saveLineage'
      >;
      checks: Pick<CheckStore, 'declaredChecks' | 'recordNodeResults'>;
      runs: Pick<RunStore, 'saveProfile'>;
    },
  ) {}

  /**
   * Takes the locks of the people's models this build selects (from the latest
   * manifest), or of all of them when that is unknown. The project is looked at
   * again once the locks are held: if a person's file changed meanwhile, the build
   * takes turns with every other build instead. Returns the project's fingerprint
   * as dbt will parse it, saved with the build's manifest.
   */
  private async lockModels(
    runId: string,
    dataset: string,
    inProject: string[],
    event: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => Promise<void>,
  ): Promise<{ lock: BuildLocks; fingerprint: string; mayDependOn: (dataset: string) => boolean }> {
    const onWait = async ({ model, holder }: BuildLockWait) => {
      const whose = holder.runId
        ? `run ${holder.runId}'s dbt build`
        : `a dbt build (session ${holder.session || 'unnamed'})`;
      await event(
        'info',
        model
          ? `waiting for ${whose} of model ${model}: builds that share a model take turns`
          : `waiting for ${whose}: builds of people's models whose selection is not known take turns with every other build`,
        { waitingFor: holder.runId, model },
      );
    };
    const { plan, fingerprint, ms } = await this.dbt.lockPlan(dataset, inProject);
    await event(
      'info',
      plan.kind === 'all'
        ? `this build takes turns with every other dbt build: ${plan.reason} (planned in ${ms} ms)`
        : plan.models.length
          ? `this build locks the people's models it selects, so no other build of them overlaps: ${plan.models.join(', ')} (planned in ${ms} ms)`
          : `this build selects none of people's models; it runs side by side with other datasets' builds (planned in ${ms} ms)`,
      { buildLock: plan.kind === 'all' ? '*' : plan.models },
    );
    const lock = await this.locks.acquire(runId, plan, onWait);
    const now = await this.dbt.lockPlan(dataset, inProject);
    if (now.fingerprint === fingerprint || plan.kind === 'all')
      return { lock, fingerprint: now.fingerprint, mayDependOn: now.mayDependOn };
    await lock.release();
    await event(
      'info',
      "people's dbt files changed while this build waited; it takes turns with every other dbt build instead",
    );
    return {
      lock: await this.locks.acquire(runId, { kind: 'all', reason: "people's dbt files changed" }, onWait),
      fingerprint: now.fingerprint,
      mayDependOn: now.mayDependOn,
    };
  }

  async run(ctx: StepContext): Promise<StepMetrics> {
    const runId = ctx.run.id;
    const dataset = ctx.dataset.name;
    // Events are written in order, one after another, so the board shows dbt's lines as dbt printed them.
    let events = Promise.resolve();
    const event = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => {
      events = events.then(() => ctx.event(level, message, data));
      return events;
    };

    const staged = await this.records.datasets.stagedDatasets();
    const own = staged.find((d) => d.name === dataset);
    if (!own)
      throw new PermanentStepError(
        `dataset ${dataset} has no staged schema; the stage step must succeed before transform`,
      );
    if (own.disabled) {
      await event(
        'warn',
        `${dataset} has been out of the dbt project since ${own.disabled.at.toISOString()} (${own.disabled.reason}); this run writes its files again and puts it back if dbt can parse them`,
      );
    }
    const checks = await this.records.checks.declaredChecks();
    const inputs: DatasetModelInput[] = staged.map((d) => ({
      id: d.id,
      name: d.name,
      columns: d.columns,
      checks: checks.filter((c) => c.dataset_name === d.name).map(toCheckInput),
    }));
    const ownInput = inputs.find((d) => d.name === dataset)!;
    await this.data.write(dataset, ownInput.columns, ownInput.checks);

    // Datasets taken out earlier stay out; this run's own dataset is always tried, since its runs are how it comes back.
    const out = new Map(staged.filter((d) => d.disabled && d.name !== dataset).map((d) => [d.name, d]));
    const takeOut = async (name: string, reason: string) => {
      const d = staged.find((s) => s.name === name)!;
      out.set(name, d);
      await this.records.datasets.disableDataset(d.id, reason, runId);
      if (name === dataset) {
        // Its folder goes now, so the project parses meanwhile (dbt run by hand on this machine too).
        await this.dbt.writeProject({
          files: this.render(inputs.filter((i) => !out.has(i.name))).files,
          dataset,
          registered: await this.records.datasets.datasetNames(),
          excluded: [...out.keys()],
        });
        throw new PermanentStepError(
          `${reason}; ${dataset} is out of the dbt project until a run of it succeeds, and other datasets' runs go on without it`,
        );
      }
      await event(
        'warn',
        `dataset ${name} is taken out of the dbt project so it cannot stop this run: ${reason}; its next run writes its files again (GET /v1/datasets/${name} shows why)`,
      );
    };

    let result: DbtBuildResult;
    // Time spent in dbt build itself (all passes), apart from lock waits and the work around it: relayboard_dbt_duration_seconds.
    let dbtMs = 0;
    for (let pass = 0; ; pass++) {
      const { files, skipped, refused } = this.render(inputs.filter((d) => !out.has(d.name)));
      for (const r of refused) await takeOut(r.dataset, r.reason);
      if (pass === 0) {
        for (const s of skipped.filter((s) => s.dataset === dataset)) {
          await event(
            'warn',
            `check ${s.check} is left out of this run: ${s.reason}; delete it with DELETE /v1/datasets/${dataset}/checks/<id> or declare it again`,
          );
        }
      }
      await this.dbt.writeProject({
        files,
        dataset,
        registered: await this.records.datasets.datasetNames(),
        excluded: [...out.keys()],
      });

      const inProject = staged.filter((d) => !out.has(d.name)).map((d) => d.name);
      // Builds that share a person's model take turns (ModelBuildLocks); the rest run side by side.
      const { lock, fingerprint, mayDependOn } = await this.lockModels(runId, dataset, inProject, event);
      // The build's project holds the datasets it needs, not every dataset registered (run-project.ts).
      const written = new Set([...files.keys()]);
      const runDatasets = runProjectDatasets(
        dataset,
        inputs
          .filter((d) => inProject.includes(d.name) && written.has(`${datasetDir(d.name)}/${d.name}.sql`))
          .map((d) => ({
            name: d.name,
            refersTo: d.checks
              .filter((c) => c.kind === 'relationships' && c.config.toDataset)
              .map((c) => c.config.toDataset!),
          })),
        mayDependOn,
      );
      const { projectDir, targetPath, logPath } = this.dbt.workPaths(runId);
      await event(
        'info',
        `dbt build --select source:staging.${dataset}+ in a project of ${runDatasets.length} of the ${inProject.length} dataset(s) in the dbt project (${runDatasets.join(', ')}; project ${projectDir}, target path ${targetPath}, log path ${logPath})`,
        { runProjectDatasets: runDatasets },
      );
      const dbtStarted = Date.now();
      try {
        result = await this.dbt.build({
          dataset,
          runId,
          datasets: runDatasets.filter(mayDependOn),
          files: filesOf(files, runDatasets),
          signal: ctx.signal,
          onEvent: (e) =>
            void event(e.level === 'debug' ? 'info' : e.level, e.message, e.node ? { node: e.node } : undefined),
        });
      } catch (error) {
        if (ctx.signal.aborted) {
          // dbt's process group is gone, but a statement it sent goes on in PostgreSQL until its backend is ended (its transaction rolls back).
          const ended = await this.data.endSessions(this.dbt.sessionName(runId));
          await events;
          await event(
            'warn',
            `dbt was stopped${ended ? ` and its ${ended} warehouse session(s) ended` : ''}: the models it was building keep their previous tables`,
          );
        }
        throw error;
      } finally {
        dbtMs += Date.now() - dbtStarted;
        await lock.release();
      }
      if (result.manifest) await this.dbt.saveSelection(result.manifest, fingerprint).catch(() => undefined);
      await events;
      const castFailed = result.ok || ownInput.checkedCasts ? null : plainCastFailure(result, dataset);
      if (castFailed && ownInput.columns.some((c) => !castIsChecked(ownInput, c))) {
        // Never expected: the stage step saw every value fit. The run goes on with checked casts, as before they were plain.
        ownInput.checkedCasts = true;
        await event(
          'warn',
          `model ${castFailed.name} could not cast a value that the stage step's type inference let through (${oneLine(castFailed.message ?? '')}); building again with every cast checked, so such values are NULL and counted as cast failures (such a value is a bug in that inference in that inference, worth reporting with the column's type)`,
          { checkedCasts: true, node: castFailed.name },
        );
        continue;
      }
      // A manifest means dbt parsed the project: whatever failed after that is this run's own.
      if (result.manifest || result.ok || pass >= MAX_TAKEN_OUT) break;
      const culprits = generatedDatasetsIn(result.errors.join('\n')).filter((name) => inProject.includes(name));
      if (!culprits.length) break;
      const reason = `dbt could not parse the files Relayboard generated for it: ${failureReason(result)}`;
      // Its own files first: a run whose own dataset is unparseable fails rather than taking others out.
      for (const name of culprits.sort((a, b) => Number(b === dataset) - Number(a === dataset)))
        await takeOut(name, reason);
    }
    if (result.manifest && own.disabled) {
      await this.records.datasets.enableDataset(own.id);
      await event('info', `${dataset} is back in the dbt project: dbt parsed its files`);
    }

    if (result.parse.mode) {
      const how =
        result.parse.mode === 'partial'
          ? 'partially, reusing the last parse'
          : `fully (${result.parse.reason ?? 'no earlier parse to reuse'})`;
      await event(
        'info',
        `dbt parsed the project ${how}${result.parse.ms === null ? '' : ` in ${result.parse.ms} ms`} (its project and partial-parse state were ready ${result.prepareMs} ms after the build began; ${result.warmStart ? 'dbt was started ahead of the build, its modules imported (DBT_WARM_START)' : 'dbt was started for the build'})`,
        { parseMs: result.parse.ms, prepareMs: result.prepareMs, warmStart: result.warmStart },
      );
    }
    for (const node of result.nodes) {
      if (node.kind !== 'test' || (node.status !== 'fail' && node.status !== 'warn') || !node.compiledCode) continue;
      // A test's query selects its failing rows: a few of them tell a person what is wrong.
      node.samples = await this.profiles.failingRows(node.compiledCode).catch(() => []);
    }
    await this.records.checks.recordNodeResults(runId, result.nodes);
    if (result.manifest)
      await this.records.datasets.saveLineage(ctx.dataset.id, runId, extractLineage(result.manifest, dataset));

    const models = result.nodes.filter((n) => n.kind === 'model');
    const tests = result.nodes.filter((n) => n.kind === 'test');
    const metrics: StepMetrics = {
      models: models.length,
      modelsFailed: models.filter((n) => n.status === 'error').length,
      tests: tests.length,
      testsFailed: tests.filter((n) => n.status === 'fail' || n.status === 'error').length,
      testsWarned: tests.filter((n) => n.status === 'warn').length,
      dbtMs,
    };
    if (result.parse.mode) metrics.parse = result.parse.mode;
    if (result.parse.ms !== null) metrics.parseMs = result.parse.ms;

    if (result.nodes.some((n) => n.name === `${dataset}__profile` && n.status === 'success')) {
      // Kept with the run: the next run's digest says what moved since this one.
      await this.records.runs.saveProfile(runId, await this.profiles.profile(dataset));
      const failures = await this.profiles.castFailures(dataset);
      metrics.castFailures = failures.reduce((sum, f) => sum + f.count, 0);
      if (failures.length) {
        await event(
          'warn',
          `${metrics.castFailures} value(s) did not cast to their column's type and are NULL in warehouse.${dataset}: ${failures
            .map((f) => `${f.column} (${f.type}) ${f.count}`)
            .join(', ')}`,
          { castFailures: Object.fromEntries(failures.map((f) => [f.column, f.count])) },
        );
      }
    }

    if (!result.ok) {
      const reason = failureReason(result);
      // dbt lost PostgreSQL (a restart): the build is tried again rather than failing the run.
      if (lostDatabase(reason))
        throw new TransientStepError(`dbt build failed because its database connection failed: ${reason}`);
      throw new PermanentStepError(`dbt build failed: ${reason}`, metrics);
    }
    return metrics;
  }
}

import type { StepName } from '@relayboard/contracts';
import type { ProfileRepository } from '../dbt/profile.repository';
import type { CheckStore, DatasetStore, RunStore } from '@relayboard/db';
import type { StepContext } from '../steps/step';
import type { DigestFacts } from './digest';
import { profileMoves, type ProfileRow } from './profile-moves';
import { isNotable } from '../staging/type-summary';

/** The metadata a digest is made from. */
export interface DigestRecords {
  runs: Pick<RunStore, 'steps' | 'previousSuccessfulRun' | 'runProfile'>;
  checks: Pick<CheckStore, 'nodeResults'>;
  datasets: Pick<DatasetStore, 'version' | 'dataset'>;
}

const seconds = (from: Date | null, to: Date | null) => (from && to ? (to.getTime() - from.getTime()) / 1000 : null);

/**
 * Everything the digest says, read from the metadata (this run, its version, the
 * previous successful run) and the warehouse (rejects, the first rows). A fact
 * that cannot be read is left out; the digest is still sent.
 */
export async function gatherDigestFacts(
  ctx: StepContext,
  deps: {
    records: DigestRecords;
    warehouse: ProfileRepository;
    runUrl: string;
    previewRows: number;
  },
): Promise<{ facts: DigestFacts; previousRun: { rows: number | null } | null; stageRan: boolean }> {
  const { records, warehouse } = deps;
  const dataset = ctx.dataset.name;
  const [steps, nodes, version, datasetRow, previous] = await Promise.all([
    records.runs.steps(ctx.run.id),
    records.checks.nodeResults(ctx.run.id),
    records.datasets.version(ctx.run.dataset_version_id ?? ctx.version.id),
    records.datasets.dataset(ctx.dataset.id),
    records.runs.previousSuccessfulRun(ctx.run),
  ]);
  const stage = steps.find((s) => s.name === 'stage');
  const transform = steps.find((s) => s.name === 'transform');
  const stageRan = stage?.status === 'succeeded';
  const transformRan =
    transform?.status === 'succeeded' ||
    (transform?.status === 'failed' && nodes.some((n) => n.kind === 'model' && n.status === 'success'));
  const rows = stageRan ? Number(stage!.metrics.rows ?? 0) : null;
  const previousRows = previous?.stage?.rows === undefined ? null : Number(previous.stage.rows);

  const tests = nodes.filter((n) => n.kind === 'test');
  const models = nodes.filter((n) => n.kind === 'model');
  const problems = nodes
    .filter((n) => ['warn', 'fail', 'error'].includes(n.status) && (n.kind === 'test' || n.kind === 'model'))
    .map((n) => ({
      name: n.name,
      kind: n.kind,
      status: n.status,
      failures: n.failures === null ? null : Number(n.failures),
      message: n.message,
      samples: n.samples ?? [],
    }));

  const profile = (await records.runs.runProfile(ctx.run.id)) as ProfileRow[] | null;
  const castFailures = (profile ?? [])
    .filter((p) => Number((p as unknown as { cast_failures: string }).cast_failures) > 0)
    .map((p) => ({
      column: p.column_name,
      type: p.column_type,
      count: Number((p as unknown as { cast_failures: string }).cast_failures),
    }));
  const previousProfile = previous ? ((previous.run.profile as ProfileRow[] | null) ?? null) : null;

  const rejectCount = stageRan ? Number(stage!.metrics.rejects ?? 0) : 0;
  const top = rejectCount > 0 ? await warehouse.topRejects(dataset).catch(() => []) : [];
  const preview =
    transformRan && deps.previewRows > 0 ? await warehouse.preview(dataset, deps.previewRows).catch(() => null) : null;
  const changes = version?.schema_changes as DigestFacts['schemaChanges'] | undefined;

  const facts: DigestFacts = {
    dataset,
    runId: ctx.run.id,
    runUrl: deps.runUrl,
    failure: ctx.state.failure,
    rows,
    previousRows: stageRan ? previousRows : null,
    bytes: stageRan ? Number(stage!.metrics.bytes ?? 0) : null,
    version: version ? { sha256: version.sha256, unchanged: version.unchanged } : null,
    schemaChanges:
      stageRan && changes
        ? { added: changes.added ?? [], removed: changes.removed ?? [], retyped: changes.retyped ?? [] }
        : null,
    rejects: { count: rejectCount, top },
    castFailures,
    typing: stageRan
      ? (version?.columns ?? []).filter(isNotable).map((c) => ({ column: c.name, type: c.type, decision: c.decision }))
      : [],
    dbt: nodes.length
      ? {
          models: models.filter((n) => n.status === 'success').length,
          testsPassed: tests.filter((n) => n.status === 'pass').length,
          testsWarned: tests.filter((n) => n.status === 'warn').length,
          testsFailed: tests.filter((n) => n.status === 'fail' || n.status === 'error').length,
          problems,
        }
      : null,
    profileMoves: profile && previousProfile ? profileMoves(previousProfile, profile) : [],
    preview,
    steps: steps
      .filter((s) => s.name !== 'deliver')
      .map((s) => ({ name: s.name as StepName, status: s.status, seconds: seconds(s.started_at, s.finished_at) })),
    owners: datasetRow?.owners ?? [],
  };
  return { facts, previousRun: previous ? { rows: previousRows } : null, stageRan };
}

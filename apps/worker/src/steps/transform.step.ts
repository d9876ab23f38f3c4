import type { DbtRunner } from '../dbt/dbt-runner';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

const dbtLogLine = /^\d\d:\d\d:\d\d(\s+|$)/;

/** Regenerates the dataset's dbt models and builds them, with tests, and everything downstream. */
export class TransformStep implements PipelineStep {
  readonly name = 'transform' as const;

  constructor(private readonly dbt: DbtRunner) {}

  async run(ctx: StepContext) {
    await this.dbt.writeProject(await ctx.repo.stagedDatasets());
    const pending: Promise<void>[] = [];
    const result = await this.dbt.build(ctx.dataset.name, ctx.run.id, (line) => {
      const message = line.replace(dbtLogLine, '').trim();
      if (message) pending.push(ctx.repo.event(ctx.run.id, 'transform', /\b(ERROR|FAIL)\b/.test(message) ? 'error' : 'info', message));
    });
    await Promise.all(pending);
    const models = result.nodes.filter((n) => n.kind === 'model');
    const tests = result.nodes.filter((n) => n.kind === 'test');
    const metrics = {
      models: models.length,
      modelsFailed: models.filter((n) => n.status === 'error').length,
      tests: tests.length,
      testsFailed: tests.filter((n) => n.status === 'fail' || n.status === 'error').length,
    };
    if (!result.ok) {
      const failed = result.nodes.filter((n) => ['error', 'fail'].includes(n.status));
      const reason = failed.length
        ? failed.map((n) => `${n.kind} ${n.name} ${n.status === 'fail' ? `failed (${n.failures ?? '?'} failing rows)` : 'errored'}: ${n.message ?? 'no message'}`).join('; ')
        : result.outputTail.filter((l) => !/^\s*$/.test(l)).slice(-8).join(' | ');
      throw new PermanentStepError(`dbt build failed: ${reason}`);
    }
    return metrics;
  }
}

import { IncomingWebhook } from '@slack/webhook';
import type { AppConfig } from '@relayboard/config';
import { buildDigest } from '../slack/digest';
import { PermanentStepError, type PipelineStep, type StepContext } from './step';

function slackStatus(error: unknown): { status: number | null; message: string } {
  const e = error as { original?: { response?: { status?: number; data?: unknown } }; message?: string };
  const status = e.original?.response?.status ?? null;
  const body = e.original?.response?.data;
  return { status, message: body ? `HTTP ${status}: ${String(body)}` : (e.message ?? String(error)) };
}

/**
 * Posts the run's digest to every Slack destination, once: a destination that
 * already has a delivery for this run (from an earlier attempt) is skipped.
 */
export class DeliverStep implements PipelineStep {
  readonly name = 'deliver' as const;
  readonly runsAfterFailure = true;

  constructor(private readonly config: AppConfig) {}

  async run(ctx: StepContext) {
    const destinations = await ctx.repo.destinations();
    const startedAt = ctx.run.started_at ?? ctx.run.created_at;
    const message = buildDigest({
      dataset: ctx.dataset.name,
      runId: ctx.run.id,
      runUrl: `${this.config.web.url}/runs/${ctx.run.id}`,
      metrics: ctx.state.metrics,
      failure: ctx.state.failure,
      durationMs: Date.now() - new Date(startedAt).getTime(),
    });
    let sent = 0;
    let failed = 0;
    let skipped = 0;
    const problems: string[] = [];
    for (const destination of destinations) {
      const previous = await ctx.repo.delivery(ctx.run.id, destination.id);
      if (previous?.status === 'sent') {
        skipped++;
        continue;
      }
      const host = new URL(destination.webhook_url).hostname.toLowerCase();
      if (!this.config.slackWebhookHosts.includes(host)) {
        failed++;
        const reason = `host ${host} is not in SLACK_WEBHOOK_HOSTS`;
        problems.push(`${destination.name}: ${reason}`);
        await ctx.repo.recordDelivery(ctx.run.id, destination.id, 'failed', null, reason);
        continue;
      }
      try {
        const webhook = new IncomingWebhook(destination.webhook_url, { timeout: 10_000 });
        await webhook.send(message);
        sent++;
        await ctx.repo.recordDelivery(ctx.run.id, destination.id, 'sent', 200, null);
      } catch (error) {
        failed++;
        const { status, message: why } = slackStatus(error);
        problems.push(`${destination.name}: ${why}`);
        await ctx.repo.recordDelivery(ctx.run.id, destination.id, 'failed', status, why);
      }
    }
    if (failed > 0) {
      throw new PermanentStepError(`Slack delivery failed for ${failed} of ${destinations.length} destination(s): ${problems.join('; ')}; check the webhook URL in Slack's app settings`);
    }
    return { destinations: destinations.length, sent, skipped };
  }
}

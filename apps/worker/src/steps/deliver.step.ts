import type { AppConfig } from '@relayboard/config';
import type { DeliveryFields, DeliveryStore, DestinationRow, RunRow, RunStore } from '@relayboard/db';
import type { SecretBox } from '@relayboard/secrets';
import type { ProfileRepository } from '../dbt/profile.repository';
import { backoffMs, describeAnswer, judgeAnswer, type SlackAnswer } from '../slack/delivery-policy';
import { buildDigest, withSuppressedNote, type SlackMessage } from '../slack/digest';
import { gatherDigestFacts, type DigestRecords } from '../slack/digest-facts';
import { routeDigest } from '../slack/routing';
import { postToSlack } from '../slack/slack-poster';
import { DeliveryProblem, type PipelineStep, type StepContext } from './step';

export type PostFn = (url: string, message: SlackMessage, timeoutMs: number) => Promise<SlackAnswer>;

interface Outcome {
  status: 'sent' | 'failed' | 'unknown' | 'skipped' | 'suppressed';
  problem?: string;
}

/** Delivery statuses that are final for a run: a retried step never posts again to such a destination. */
const FINAL = new Set(['sent', 'unknown', 'skipped', 'suppressed']);

/**
 * Renders the run's digest (stored with the run whether or not anything is
 * posted), then posts it to each destination that its routing, notify-on and
 * suppression settings say should hear about this run. Each post is recorded
 * as `sending` right before it goes out and with Slack's answer right after,
 * so a worker that dies in between leaves the one exchange whose outcome is
 * unknown; the retried step records it as `unknown` ("may have been
 * delivered") and does not post it again. Delivery never changes whether the
 * data was published: problems are reported on the step and the run's
 * delivery status, not as a failed run.
 */
export class DeliverStep implements PipelineStep {
  readonly name = 'deliver' as const;
  readonly runsAfterFailure = true;

  constructor(
    private readonly config: Pick<AppConfig, 'web' | 'slack' | 'slackWebhookHosts'>,
    private readonly secrets: SecretBox,
    private readonly warehouse: ProfileRepository,
    private readonly records: DigestRecords & {
      runs: Pick<RunStore, 'saveDigest' | 'setDeliveryStatus'>;
      deliveries: DeliveryStore;
    },
    private readonly post: PostFn = postToSlack,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async run(ctx: StepContext) {
    const runId = ctx.run.id;
    const { facts, previousRun } = await gatherDigestFacts(ctx, {
      records: this.records,
      warehouse: this.warehouse,
      runUrl: `${this.config.web.url}/runs/${runId}`,
      previewRows: this.config.slack.previewRows,
    });
    const digest = buildDigest(facts);
    await this.records.runs.saveDigest(runId, digest);

    const outcomes: Outcome[] = [];
    for (const destination of await this.records.deliveries.destinations()) {
      const outcome = await this.deliverTo(ctx, destination, digest, {
        failed: ctx.state.failure !== null,
        changes: {
          firstLoad: previousRun === null && facts.rows !== null,
          schemaChanged: Boolean(
            facts.schemaChanges &&
            facts.schemaChanges.added.length + facts.schemaChanges.removed.length + facts.schemaChanges.retyped.length >
              0,
          ),
          checksWarnedOrFailed: Boolean(facts.dbt && facts.dbt.testsWarned + facts.dbt.testsFailed > 0),
          rejects: facts.rejects.count,
          rowsBefore: facts.previousRows,
          rowsNow: facts.rows,
        },
      });
      outcomes.push(outcome);
      const line = `digest to destination ${destination.name} (${destination.id}): ${outcome.status}${outcome.problem ? ` (${outcome.problem})` : ''}`;
      if (outcome.status === 'failed' || outcome.status === 'unknown')
        ctx.log.warn({ destinationId: destination.id, outcome: outcome.status }, line);
      else ctx.log.info({ destinationId: destination.id, outcome: outcome.status }, line);
      if (outcome.problem)
        await ctx.event(outcome.status === 'unknown' ? 'warn' : 'error', `${destination.name}: ${outcome.problem}`);
    }

    const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
    const metrics = {
      destinations: outcomes.length,
      sent: count('sent'),
      failed: count('failed'),
      unknown: count('unknown'),
      skipped: count('skipped'),
      suppressed: count('suppressed'),
    };
    const status: NonNullable<RunRow['delivery_status']> =
      metrics.sent + metrics.failed + metrics.unknown === 0
        ? 'none'
        : metrics.failed === 0
          ? metrics.unknown === 0
            ? 'delivered'
            : 'unknown'
          : metrics.sent + metrics.unknown > 0
            ? 'partial'
            : 'failed';
    await this.records.runs.setDeliveryStatus(runId, status);
    const problems = outcomes.filter((o) => o.status === 'failed').map((o) => o.problem);
    if (problems.length) {
      throw new DeliveryProblem(
        `the digest did not reach ${problems.length} of ${outcomes.length} destination(s): ${problems.join('; ')}`,
        metrics,
      );
    }
    return metrics;
  }

  private async deliverTo(
    ctx: StepContext,
    destination: DestinationRow,
    digest: SlackMessage,
    facts: { failed: boolean; changes: Parameters<typeof routeDigest>[0]['changes'] },
  ): Promise<Outcome> {
    const runId = ctx.run.id;
    // A retried run is a new outcome: its deliveries are keyed by the retry generation, so it is posted once more, and once.
    const generation = ctx.run.retry_generation;
    const record = (fields: DeliveryFields) =>
      this.records.deliveries.recordDelivery(runId, destination.id, generation, fields);
    const previous = await this.records.deliveries.delivery(runId, destination.id, generation);
    if (previous?.status === 'sending') {
      const problem =
        'the worker stopped while Slack was answering, so the digest may have been delivered; it is not sent again, since Slack webhooks cannot tell a repeat from a new message';
      await record({ status: 'unknown', error: problem, finished_at: new Date() });
      return { status: 'unknown', problem };
    }
    if (previous && FINAL.has(previous.status)) return { status: previous.status as Outcome['status'] };

    const earlier = await this.records.deliveries.previousDelivery(destination.id, ctx.dataset.id, runId, generation);
    const route = routeDigest({
      destination: {
        datasets: destination.datasets,
        notifyOn: destination.notify_on,
        rowChangeThreshold: destination.row_change_threshold,
      },
      dataset: ctx.dataset.name,
      failed: facts.failed,
      previousDeliveryFailed: earlier?.status === 'failed',
      changes: facts.changes,
    });
    if (!route.send) {
      await record({ status: 'skipped', skip_reason: route.why, failure: facts.failed });
      return { status: 'skipped' };
    }

    let message = digest;
    if (facts.failed && destination.suppress_hours !== null) {
      const { lastSentAt, suppressedSince } = await this.records.deliveries.failureDigests(
        destination.id,
        ctx.dataset.id,
        runId,
        generation,
      );
      if (lastSentAt && Date.now() - lastSentAt.getTime() < destination.suppress_hours * 3600_000) {
        await record({
          status: 'suppressed',
          skip_reason: `a failure digest of this dataset went out at ${lastSentAt.toISOString()}, within the ${destination.suppress_hours} h suppression interval`,
          failure: true,
        });
        return { status: 'suppressed' };
      }
      if (suppressedSince > 0 && lastSentAt)
        message = withSuppressedNote(digest, { count: suppressedSince, since: lastSentAt });
    }

    let url: string;
    try {
      url = destination.webhook_encrypted
        ? this.secrets.decrypt(destination.webhook_encrypted)
        : (destination.webhook_url ?? '');
    } catch (error) {
      const problem = (error as Error).message;
      await record({ status: 'failed', error: problem, failure: facts.failed });
      return { status: 'failed', problem };
    }
    const host = new URL(url).hostname.toLowerCase();
    if (!this.config.slackWebhookHosts.includes(host)) {
      const problem = `host ${host} is not in SLACK_WEBHOOK_HOSTS; add it there or update the destination`;
      await record({ status: 'failed', error: problem, failure: facts.failed });
      return { status: 'failed', problem };
    }

    const attempts = this.config.slack.attempts;
    const startedAt = new Date();
    for (let attempt = 1; ; attempt++) {
      // From here until Slack's answer is recorded, the outcome is unknown if this worker dies: one HTTP exchange.
      await record({ status: 'sending', attempts: attempt, failure: facts.failed, started_at: startedAt, error: null });
      const answer = await this.post(url, message, this.config.slack.timeoutMs);
      const verdict = judgeAnswer(answer);
      const responded =
        answer.kind === 'answer'
          ? { response_status: answer.status, response_body: answer.body }
          : { response_status: null, response_body: null };
      if (verdict === 'sent') {
        await record({ status: 'sent', ...responded, error: null, finished_at: new Date() });
        return { status: 'sent' };
      }
      const problem = describeAnswer(answer);
      if (verdict === 'permanent' || attempt >= attempts) {
        const why =
          verdict === 'permanent' ? problem : `${problem}; gave up after ${attempt} attempts (SLACK_ATTEMPTS)`;
        await record({ status: 'failed', ...responded, error: why, finished_at: new Date() });
        return { status: 'failed', problem: why };
      }
      const wait = backoffMs(attempt, answer);
      await record({
        status: 'failed',
        ...responded,
        error: `${problem}; trying again in ${(wait / 1000).toFixed(1)} s`,
      });
      await ctx.event(
        'warn',
        `${destination.name}: attempt ${attempt} failed (${problem}); trying again in ${(wait / 1000).toFixed(1)} s`,
      );
      await this.sleep(wait);
    }
  }
}

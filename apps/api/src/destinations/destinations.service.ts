import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@relayboard/config';
import {
  isUuid,
  ErrorCode,
  type CreateSlackDestinationRequest,
  type Destination,
  type DestinationTestResult,
  type UpdateDestinationRequest,
} from '@relayboard/contracts';
import type { DestinationRow } from '@relayboard/db';
import type { SecretBox } from '@relayboard/secrets';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, SECRET_BOX } from '../core/tokens';
import { toDestinationDto } from './destinations.dto';
import {
  DestinationsRepository,
  type DestinationChanges,
  type DestinationWithDelivery,
} from './destinations.repository';
import { SlackWebhookClient, type SlackMessage } from './slack-webhook.client';
import { assertWebhookUrl, sealWebhookUrl } from './webhook-url';

const DEFAULTS = { notifyOn: 'always', rowChangeThreshold: 0.1, suppressHours: null } as const;

/** Slack mrkdwn reads &, < and > as markup; a destination's name is text. */
const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function testMessage(row: DestinationRow): SlackMessage {
  const routing = row.datasets === null ? 'every dataset' : row.datasets.join(', ');
  const when = { always: 'every run', failures: 'failed runs', changes: 'failed runs and runs whose data changed' }[
    row.notify_on
  ];
  return {
    text: `Relayboard test message for destination "${row.name}": run digests will arrive here.`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:white_check_mark: *Relayboard test message* for destination *${mrkdwn(row.name)}*\nDigests of ${when} of ${mrkdwn(routing)} will arrive here.`,
        },
      },
    ],
  };
}

@Injectable()
export class DestinationsService {
  private readonly logger = new Logger('destinations');

  constructor(
    private readonly repository: DestinationsRepository,
    private readonly slack: SlackWebhookClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  /** Created, or the destination already registered for this webhook, unchanged (PATCH changes it). */
  async registerSlack(request: CreateSlackDestinationRequest): Promise<{ destination: Destination; created: boolean }> {
    assertWebhookUrl(request.webhookUrl, this.config.slackWebhookHosts);
    const { row, created } = await this.repository.insertSlack({
      name: request.name ?? `Slack (${new URL(request.webhookUrl).hostname.toLowerCase()})`,
      sealed: sealWebhookUrl(this.box, request.webhookUrl),
      datasets: request.datasets ?? null,
      notifyOn: request.notifyOn ?? DEFAULTS.notifyOn,
      rowChangeThreshold: request.rowChangeThreshold ?? DEFAULTS.rowChangeThreshold,
      suppressHours: request.suppressHours ?? DEFAULTS.suppressHours,
    });
    if (created) this.logger.log(`registered destination ${row.id} (${row.webhook_masked})`);
    return { destination: toDestinationDto(created ? { row, lastDelivery: null } : await this.find(row.id)), created };
  }

  async list(): Promise<Destination[]> {
    return (await this.repository.list()).map(toDestinationDto);
  }

  async get(id: string): Promise<Destination> {
    return toDestinationDto(await this.find(id));
  }

  async update(id: string, request: UpdateDestinationRequest): Promise<Destination> {
    await this.find(id);
    const changes: DestinationChanges = {
      name: request.name,
      datasets: request.datasets,
      notify_on: request.notifyOn,
      row_change_threshold: request.rowChangeThreshold,
      suppress_hours: request.suppressHours,
    };
    if (request.webhookUrl !== undefined) {
      assertWebhookUrl(request.webhookUrl, this.config.slackWebhookHosts);
      Object.assign(changes, sealWebhookUrl(this.box, request.webhookUrl));
    }
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    ) as DestinationChanges;
    const updated = await this.repository.update(id, defined);
    if (updated === 'conflict') {
      const other = await this.repository.findByFingerprint(defined.webhook_fingerprint as string);
      throw new DomainError(
        ErrorCode.DestinationExists,
        `webhookUrl is already registered as destination ${other?.id ?? '(another one)'}; change or delete that one instead`,
        other ? { destinationId: other.id } : undefined,
      );
    }
    if (updated === null) throw this.notFound(id);
    if (request.webhookUrl !== undefined) this.logger.log(`destination ${id} now posts to ${updated.webhook_masked}`);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repository.delete(id))) throw this.notFound(id);
    this.logger.log(`deleted destination ${id}`);
  }

  /** Posts a short message and says what Slack answered; nothing is recorded as a delivery. */
  async test(id: string): Promise<DestinationTestResult> {
    const { row } = await this.find(id);
    if (!row.webhook_encrypted)
      throw new Error(`destination ${id} has no encrypted webhook URL; the api encrypts legacy rows at start`);
    const url = this.box.decrypt(row.webhook_encrypted);
    const host = new URL(url).hostname.toLowerCase();
    // SLACK_WEBHOOK_HOSTS may have changed since the destination was registered.
    if (!this.config.slackWebhookHosts.includes(host)) {
      return {
        ok: false,
        status: null,
        body: null,
        error: `host "${host}" is no longer in SLACK_WEBHOOK_HOSTS (${this.config.slackWebhookHosts.join(', ')}); add it back, or PATCH the destination with another webhookUrl`,
      };
    }
    const result = await this.slack.post(url, testMessage(row));
    this.logger.log(`test message to destination ${id} (${row.webhook_masked}): ${result.status ?? result.error}`);
    return result;
  }

  private async find(id: string): Promise<DestinationWithDelivery> {
    const found = isUuid(id) ? await this.repository.find(id) : null;
    if (!found) throw this.notFound(id);
    return found;
  }

  private notFound(id: string): DomainError {
    return new DomainError(
      ErrorCode.DestinationNotFound,
      `no destination with id "${id}"; list them with GET /v1/destinations`,
    );
  }
}

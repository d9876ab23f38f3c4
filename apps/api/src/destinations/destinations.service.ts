import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@relayboard/config';
import { ErrorCode, type CreateSlackDestinationRequest, type Destination } from '@relayboard/contracts';
import type { DestinationRow } from '@relayboard/db';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG } from '../core/tokens';
import { DestinationsRepository } from './destinations.repository';

/** Slack webhook URLs carry their secret in the path: show the host and the first segments only. */
export function maskWebhookUrl(url: string): string {
  const u = new URL(url);
  const segments = u.pathname.split('/').filter(Boolean);
  const shown = segments.slice(0, Math.min(2, Math.max(segments.length - 1, 0)));
  return `${u.protocol}//${u.host}/${[...shown, '****'].join('/')}`;
}

function toDto(row: DestinationRow): Destination {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    webhookUrlMasked: maskWebhookUrl(row.webhook_url),
    createdAt: row.created_at.toISOString(),
  };
}

@Injectable()
export class DestinationsService {
  constructor(
    private readonly repository: DestinationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async registerSlack(request: CreateSlackDestinationRequest): Promise<{ destination: Destination; created: boolean }> {
    const host = new URL(request.webhookUrl).hostname.toLowerCase();
    if (!this.config.slackWebhookHosts.includes(host)) {
      throw new DomainError(
        ErrorCode.WebhookHostNotAllowed,
        `webhookUrl host "${host}" is not an allowed Slack webhook host (${this.config.slackWebhookHosts.join(', ')}); use an https://hooks.slack.com/services/... URL or add the host to SLACK_WEBHOOK_HOSTS`,
      );
    }
    const { row, created } = await this.repository.upsertSlack(request.webhookUrl, request.name ?? `Slack (${host})`);
    return { destination: toDto(row), created };
  }

  async list(): Promise<Destination[]> {
    return (await this.repository.list()).map(toDto);
  }
}

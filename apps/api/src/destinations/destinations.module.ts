import { Module } from '@nestjs/common';
import { DestinationsController } from './destinations.controller';
import { DestinationsRepository } from './destinations.repository';
import { DestinationsService } from './destinations.service';
import { SlackWebhookClient } from './slack-webhook.client';

@Module({
  controllers: [DestinationsController],
  providers: [DestinationsService, DestinationsRepository, SlackWebhookClient],
})
export class DestinationsModule {}

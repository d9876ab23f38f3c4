import { Module } from '@nestjs/common';
import { CoreModule } from './core/core.module';
import { DatasetsModule } from './datasets/datasets.module';
import { DestinationsModule } from './destinations/destinations.module';
import { HealthController } from './health/health.controller';
import { RunsModule } from './runs/runs.module';

@Module({
  imports: [CoreModule, DatasetsModule, DestinationsModule, RunsModule],
  controllers: [HealthController],
})
export class AppModule {}

import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ChecksModule } from './checks/checks.module';
import { CoreModule } from './core/core.module';
import { DatasetsModule } from './datasets/datasets.module';
import { DestinationsModule } from './destinations/destinations.module';
import { HealthController, ReadyController } from './health/health.controller';
import { LineageModule } from './lineage/lineage.module';
import { RunsModule } from './runs/runs.module';

@Module({
  imports: [CoreModule, AuthModule, DatasetsModule, DestinationsModule, RunsModule, ChecksModule, LineageModule],
  controllers: [HealthController, ReadyController],
})
export class AppModule {}

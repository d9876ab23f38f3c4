import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ChecksModule } from './checks/checks.module';
import { ColumnOverridesModule } from './column-overrides/column-overrides.module';
import { CoreModule } from './core/core.module';
import { DatasetsModule } from './datasets/datasets.module';
import { DestinationsModule } from './destinations/destinations.module';
import { HealthController, ReadyController } from './health/health.controller';
import { LineageModule } from './lineage/lineage.module';
import { OpenApiController } from './openapi/openapi.controller';
import { MetricsModule } from './metrics/metrics.module';
import { RunsModule } from './runs/runs.module';
import { SchedulesModule } from './schedules/schedules.module';

@Module({
  imports: [
    CoreModule,
    AuthModule,
    DatasetsModule,
    DestinationsModule,
    RunsModule,
    SchedulesModule,
    ChecksModule,
    ColumnOverridesModule,
    LineageModule,
    MetricsModule,
  ],
  controllers: [HealthController, ReadyController, OpenApiController],
})
export class AppModule {}

import { Logger, Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { SchedulesModule } from '../schedules/schedules.module';
import { RunChangesListener } from './run-changes.listener';
import { RunRejectsController } from './run-rejects.controller';
import { RunRejectsRepository } from './run-rejects.repository';
import { RunRejectsService } from './run-rejects.service';
import { RunSummaryFeed } from './run-summary-feed';
import { RunsController } from './runs.controller';
import { RunsReconciler } from './runs-reconciler';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';
import { ScheduledRuns } from './scheduled-runs';

@Module({
  imports: [DatasetsModule, SchedulesModule],
  controllers: [RunsController, RunRejectsController],
  providers: [
    RunsService,
    RunsRepository,
    RunsReconciler,
    ScheduledRuns,
    RunChangesListener,
    RunRejectsService,
    RunRejectsRepository,
    {
      provide: RunSummaryFeed,
      inject: [RunChangesListener, RunsRepository],
      useFactory: (listener: RunChangesListener, runs: RunsRepository) => {
        const logger = new Logger('run-summary-feed');
        return new RunSummaryFeed(listener, runs, (message) => logger.warn(message));
      },
    },
  ],
})
export class RunsModule {}

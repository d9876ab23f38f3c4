import { Logger, Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { RunChangesListener } from './run-changes.listener';
import { RunSummaryFeed } from './run-summary-feed';
import { RunsController } from './runs.controller';
import { RunsReconciler } from './runs-reconciler';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

@Module({
  imports: [DatasetsModule],
  controllers: [RunsController],
  providers: [
    RunsService,
    RunsRepository,
    RunsReconciler,
    RunChangesListener,
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

import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { RunChangesListener } from './run-changes.listener';
import { RunsController } from './runs.controller';
import { RunsReconciler } from './runs-reconciler';
import { RunsRepository } from './runs.repository';
import { RunsService } from './runs.service';

@Module({
  imports: [DatasetsModule],
  controllers: [RunsController],
  providers: [RunsService, RunsRepository, RunsReconciler, RunChangesListener],
})
export class RunsModule {}
